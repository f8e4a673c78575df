/**
 * The idle timer of an upstream reply's body: it expires when the upstream has been silent for `ms` while
 * llmux waits for its next chunk, and never counts the time between two reads (the consumer, and the client
 * behind it, holds the stream then).
 *
 * One timer serves a whole stream: it is armed when a wait begins and no timer is pending, and when it fires
 * during a wait that began later it is armed again for what is left of that wait. A stream whose chunks come
 * faster than `ms` makes one timer per `ms` of its life, not one per chunk (a timer made and cleared per chunk
 * was a few percent of a streamed request's CPU).
 */
export class IdleWatch {
  /** When the current wait began (performance.now()), or -1 while the consumer holds the stream. */
  private waitingSince = -1;
  private timer: NodeJS.Timeout | undefined;
  /** Timers made so far (for tests: a stream makes few). */
  armed = 0;

  constructor(
    private readonly ms: number,
    private readonly expire: () => void,
  ) {}

  /** llmux starts waiting for the next chunk. */
  begin(): void {
    this.waitingSince = performance.now();
    if (!this.timer) this.arm(this.ms);
  }

  /** A chunk (or the end) came: the consumer holds the stream until the next begin(). */
  end(): void {
    this.waitingSince = -1;
  }

  /** The stream is over: no timer is left behind. */
  stop(): void {
    this.waitingSince = -1;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private arm(ms: number): void {
    this.armed++;
    this.timer = setTimeout(this.check, ms);
  }

  private readonly check = (): void => {
    this.timer = undefined;
    if (this.waitingSince < 0) return; // not waiting: the next begin() arms it again
    const left = this.waitingSince + this.ms - performance.now();
    if (left <= 0) this.expire();
    else this.arm(Math.ceil(left));
  };
}
