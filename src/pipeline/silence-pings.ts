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
 * fires, and make two more promises per chunk).
 */
export async function* withSilencePings<T>(
  source: AsyncIterable<T>,
  intervalMs: number,
  timer: SilenceTimer = realTimer,
): AsyncGenerator<T | typeof PING> {
  const it = source[Symbol.asyncIterator]();
  let pending: Promise<IteratorResult<T>> | undefined;
  let last = timer.now();
  /** The timer fired and no read has seen it yet. */
  let fired = false;
  /** Settles the read waiting now, when the timer fires first. */
  let wake: ((v: typeof PING) => void) | undefined;
  const onFire = () => {
    fired = true;
    wake?.(PING);
  };
  const arm = (ms: number) => {
    const a = timer.wait(ms);
    a.done.then(onFire);
    return a;
  };
  let armed = arm(intervalMs);
  try {
    for (;;) {
      pending ??= it.next();
      const read = pending;
      const next = await new Promise<IteratorResult<T> | typeof PING>((resolve, reject) => {
        read.then(resolve, reject);
        // As a race would: a chunk already there goes first (its reaction is queued before this one).
        if (fired) queueMicrotask(() => resolve(PING));
        else wake = resolve;
      });
      wake = undefined;
      if (next === PING) {
        fired = false;
        const quiet = timer.now() - last;
        const due = quiet >= intervalMs;
        armed = arm(due ? intervalMs : intervalMs - quiet);
        if (due) {
          last = timer.now();
          yield PING;
        }
        continue;
      }
      pending = undefined;
      if (next.done) return;
      last = timer.now();
      yield next.value;
    }
  } finally {
    armed.cancel();
    // The consumer stopped early (the client went away): let the source clean up, without waiting for a
    // read that may never end (the upstream call is aborted on its own).
    if (pending) pending.catch(() => undefined);
    it.return?.()?.catch(() => undefined);
  }
}

/** What a silence is filled with: Anthropic's own `ping` event, or an SSE comment other dialects' parsers skip. */
export function pingText(client: string): string {
  return client === "anthropic" ? 'event: ping\ndata: {"type": "ping"}\n\n' : ": keep-alive\n\n";
}
