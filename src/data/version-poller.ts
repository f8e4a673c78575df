/**
 * The one poller of the stored, versioned configuration layer (price lists, routing rules, models and providers):
 * every `pollMs` it reads the stored version (one indexed read) and, when it moved, reads and applies what is
 * stored; `check()` does the same at once (the instance that wrote calls it, so it applies before it answers).
 * One read at a time; a read that fails, or an apply that throws, leaves what is in force as it was and is
 * tried again on the next poll (said once, until a read succeeds again: a database down is not a line a second).
 */
export interface VersionedSource<T> {
  /** What the poll's log lines call it ("stored price list"). */
  readonly what: string;
  /** The stored version (0: none). */
  version(): Promise<number>;
  /** What is stored (undefined: nothing, or nothing to apply). */
  read(): Promise<{ version: number; value: T } | undefined>;
  /** Puts it in force (throws: not applied). */
  apply(value: T, version: number): void;
}

export interface PollLogger {
  warn(fields: object, msg: string): void;
  info(fields: object, msg: string): void;
}

export class VersionPoller<T> {
  /** The version in force (0: none applied yet). */
  applied = 0;
  private seen = -1;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  /** The poll a `check()` made during a running one waits for (it starts when that one ends). */
  private again: Promise<void> | undefined;
  /** Polls failed in a row (the first is logged, and the recovery). */
  private failures = 0;
  /** Waiting for the next poll to start and end (`nextPoll()`). */
  private waiting: (() => void)[] = [];

  constructor(
    private readonly source: VersionedSource<T>,
    private readonly logger: PollLogger,
    pollMs: number,
  ) {
    void this.check();
    this.timer = setInterval(() => void this.check(), pollMs);
    this.timer.unref();
  }

  /**
   * Reads and applies what is stored when its version moved (one read at a time). What was stored before the call
   * is in force when it resolves (unless the read failed): a poll already running may have read the version before
   * the caller's write committed, so the call waits for it and then polls once more. Calls made while that second
   * poll waits to start share it.
   */
  check(): Promise<void> {
    if (!this.running) return this.start();
    this.again ??= this.running.then(() => {
      this.again = undefined;
      return this.start();
    });
    return this.again;
  }

  private start(): Promise<void> {
    const waiting = this.waiting;
    this.waiting = [];
    const run = this.poll().finally(() => {
      this.running = undefined;
      for (const done of waiting) done();
    });
    this.running = run;
    return run;
  }

  /**
   * Resolves when a poll that starts after this call has ended (its timer's or a `check()`): what was stored
   * before the call is in force by then, unless the read failed. Propagation across instances is then a
   * matter of polls, not of seconds a test on a busy machine could miss.
   */
  nextPoll(): Promise<void> {
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private async poll(): Promise<void> {
    try {
      const v = await this.source.version();
      if (v === this.seen) return;
      const stored = await this.source.read();
      // Stopped while it read (the gateway closing): nothing is put in force any more.
      if (!this.timer) return;
      if (stored) {
        this.source.apply(stored.value, stored.version);
        this.applied = stored.version;
      }
      this.seen = stored?.version ?? v;
      if (this.failures > 0) this.logger.info({ failed_polls: this.failures }, `the ${this.source.what} read again`);
      this.failures = 0;
    } catch (err) {
      if (this.failures++ === 0)
        this.logger.warn({ err: (err as Error).message }, `the ${this.source.what} could not be read`);
    }
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    for (const done of this.waiting.splice(0)) done();
  }
}

/** A stored layer kept in force by its VersionPoller: `check()` and `stop()` are the poller's. */
export abstract class PolledLayer<T> {
  protected abstract readonly poller: VersionPoller<T>;

  /** Reads what is stored when its version moved (one read at a time); the admin API calls it after a change. */
  check(): Promise<void> {
    return this.poller.check();
  }

  /** Resolves when a poll started after the call has ended (see VersionPoller.nextPoll). */
  nextPoll(): Promise<void> {
    return this.poller.nextPoll();
  }

  stop(): void {
    this.poller.stop();
  }
}
