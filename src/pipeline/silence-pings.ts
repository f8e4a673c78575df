/**
 * Keep-alive for translated streams. An upstream that sends nothing during a long thinking pause (Bedrock's
 * event stream, Gemini, Chat Completions) leaves Claude Code's 300 s stream watchdog with no byte to count;
 * Anthropic's own API sends `ping` events then. This wrapper yields the upstream's chunks as they come and,
 * each time `intervalMs` passes without one, a `PING` marker, so the caller can write a ping of its own.
 */

export const PING: unique symbol = Symbol("ping");

/**
 * A clock and a timer (injectable, so a six-minute silence can be simulated): `wait` resolves after `ms`
 * unless cancelled.
 */
export interface SilenceTimer {
  now(): number;
  wait(ms: number): { done: Promise<void>; cancel(): void };
}

export const realTimer: SilenceTimer = {
  now: () => performance.now(),
  wait(ms) {
    let handle: NodeJS.Timeout | undefined;
    const done = new Promise<void>((resolve) => {
      handle = setTimeout(resolve, ms);
    });
    return { done, cancel: () => clearTimeout(handle) };
  },
};

/**
 * The chunks of `source`, with a PING after each `intervalMs` of silence. One timer is armed at a time, not
 * one per chunk: a chunk only notes when it came, and when the timer fires early (chunks came meanwhile) it
 * is armed again for what is left of the interval. A read waits on one promise of its own that the chunk or
 * the timer settles (no Promise.race: it would leave a reaction per chunk on the timer's promise until it
 * fires, and make two more promises per chunk). An iterator object, not an async generator: an open stream
 * holds its few fields, not a suspended generator and the last chunk it kept.
 */
export function withSilencePings<T>(
  source: AsyncIterable<T>,
  intervalMs: number,
  timer: SilenceTimer = realTimer,
): AsyncIterableIterator<T | typeof PING> {
  return new SilencePings(source[Symbol.asyncIterator](), intervalMs, timer);
}

const DONE: IteratorReturnResult<undefined> = Object.freeze({ done: true, value: undefined });
const PINGED: IteratorYieldResult<typeof PING> = Object.freeze({ done: false, value: PING });

class SilencePings<T> implements AsyncIterableIterator<T | typeof PING> {
  private pending: Promise<IteratorResult<T>> | undefined;
  private last: number;
  /** The timer fired and no read has seen it yet. */
  private fired = false;
  /** Settles the read waiting now, when the timer fires first. */
  private wake: ((v: typeof PING) => void) | undefined;
  private armed: { cancel(): void };
  private finished = false;

  constructor(
    private readonly it: AsyncIterator<T>,
    private readonly intervalMs: number,
    private readonly timer: SilenceTimer,
  ) {
    this.last = timer.now();
    this.armed = this.arm(intervalMs);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  private readonly onFire = () => {
    this.fired = true;
    this.wake?.(PING);
  };

  private arm(ms: number): { cancel(): void } {
    const a = this.timer.wait(ms);
    a.done.then(this.onFire);
    return a;
  }

  next(): Promise<IteratorResult<T | typeof PING, undefined>> {
    if (this.finished) return Promise.resolve(DONE);
    this.pending ??= this.it.next();
    const read = this.pending;
    return new Promise<IteratorResult<T> | typeof PING>((resolve, reject) => {
      read.then(resolve, reject);
      // As a race would: a chunk already there goes first (its reaction is queued before this one).
      if (this.fired) queueMicrotask(() => resolve(PING));
      else this.wake = resolve;
    }).then(
      (next) => {
        this.wake = undefined;
        if (next === PING) {
          this.fired = false;
          const quiet = this.timer.now() - this.last;
          const due = quiet >= this.intervalMs;
          this.armed = this.arm(due ? this.intervalMs : this.intervalMs - quiet);
          if (!due) return this.next();
          this.last = this.timer.now();
          return PINGED;
        }
        this.pending = undefined;
        if (next.done) {
          this.finish();
          return DONE;
        }
        this.last = this.timer.now();
        return next;
      },
      (err: unknown) => {
        this.finish();
        throw err;
      },
    );
  }

  return(): Promise<IteratorResult<T | typeof PING, undefined>> {
    this.finish();
    return Promise.resolve(DONE);
  }

  /**
   * The timer goes, and the source is let go of. A consumer that stopped early (the client went away) does not
   * wait for a read that may never end (the upstream call is aborted on its own).
   */
  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.wake = undefined;
    this.armed.cancel();
    if (this.pending) this.pending.catch(() => undefined);
    this.it.return?.()?.catch(() => undefined);
  }
}

/** What a silence is filled with: Anthropic's own `ping` event, or an SSE comment other dialects' parsers skip. */
export function pingText(client: string): string {
  return client === "anthropic" ? 'event: ping\ndata: {"type": "ping"}\n\n' : ": keep-alive\n\n";
}
