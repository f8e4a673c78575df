/**
 * SIGHUP in the primary of `llmux start --workers N`. Its default action ends the process, so the primary
 * takes it over as its first step: a hangup that arrives while it records its settings or its workers start
 * (a `systemctl reload` right after a start, a file changed since the workers read it) is noted and acted on
 * once they serve, instead of ending the primary and with it every worker. Reloads run one at a time; the
 * hangups that arrive during one ask for a single reload after it.
 */
export class Hangups {
  private asked = false;
  private reload: (() => Promise<void>) | undefined;
  private running = false;
  private readonly heard = () => {
    this.asked = true;
    void this.drain();
  };

  constructor() {
    process.on("SIGHUP", this.heard);
  }

  /** From now on each hangup runs `reload` (at once when one came before). */
  serve(reload: () => Promise<void>): void {
    this.reload = reload;
    void this.drain();
  }

  /** Hangups are no longer acted on (nor fatal: the primary is stopping and exits by itself). */
  stop(): void {
    this.reload = undefined;
  }

  /** The handler is removed: a hangup has its default action again. */
  close(): void {
    this.reload = undefined;
    process.off("SIGHUP", this.heard);
  }

  private async drain(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      while (this.asked && this.reload) {
        this.asked = false;
        await this.reload();
      }
    } finally {
      this.running = false;
    }
  }
}
