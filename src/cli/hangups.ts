/**
 * SIGHUP in the primary of `llmux start --workers N`. Its default action ends the process, so the primary
 * takes it over as soon as its start command runs, before it reads its configuration: a hangup that arrives
 * while it records its settings or its workers start (a `systemctl reload` right after a start, a file changed
 * since the workers read it) is noted and acted on once they serve, instead of ending the primary and with it
 * every worker. Reloads run one at a time; the hangups that arrive during one ask for a single reload after it.
 */
export class Hangups {
  private asked = false;
  private reload: (() => Promise<void>) | undefined;
  /** The reloads under way (one at a time), until none is asked for. */
  private running: Promise<void> | undefined;
  private readonly heard = () => {
    this.asked = true;
    this.drain();
  };

  constructor() {
    process.on("SIGHUP", this.heard);
  }

  /** From now on each hangup runs `reload` (at once when one came before). Its failure is its own to say. */
  serve(reload: () => Promise<void>): void {
    this.reload = reload;
    this.drain();
  }

  /**
   * Hangups are no longer acted on, nor fatal (the primary is stopping and exits by itself). Resolves once a
   * reload under way has ended.
   */
  stop(): Promise<void> {
    this.reload = undefined;
    return this.running ?? Promise.resolve();
  }

  /** The handler is removed: a hangup has its default action again. */
  close(): void {
    this.reload = undefined;
    process.off("SIGHUP", this.heard);
  }

  private drain(): void {
    if (this.running || !this.asked || !this.reload) return;
    this.running = this.loop().finally(() => {
      this.running = undefined;
      // A hangup heard as the last reload ended.
      this.drain();
    });
  }

  private async loop(): Promise<void> {
    while (this.asked && this.reload) {
      this.asked = false;
      // A reload that fails is said by whoever gave it; the next hangup tries again.
      await this.reload().catch(() => undefined);
    }
  }
}
