/**
 * What one request's observers need beyond its log record: when each upstream attempt started, answered
 * and ended, how long llmux waited on the upstream and on a slow client. Filled in by cheap stores on the
 * request path; read once, in the settle stage.
 */

/** One call to an upstream: the attempt stage's clock. `waitMs` is time llmux spent waiting on it. */
export interface AttemptClock {
  readonly startAt: number;
  /** When the response headers came (or the call failed). */
  headersAt?: number;
  /** When the last body chunk came. */
  lastAt?: number;
  /** Milliseconds waited: for the response headers and for each body chunk. */
  waitMs: number;
  /** Body chunks received, the first one's arrival and the longest pause between two. */
  chunks: number;
  firstAt?: number;
  maxGapMs: number;
  status?: number;
  /** Why the call failed (no answer: unreachable, timeout). */
  error?: string;
  /** The alias, provider and upstream model of the attempt (plan.route). */
  readonly alias: string;
  readonly provider: string;
  readonly model: string;
  /** Receives each raw body chunk (when the request's bodies are captured: src/request/capture.ts). */
  tap?: ((chunk: Uint8Array) => void) | undefined;
}

export class RequestTiming {
  readonly attempts: AttemptClock[] = [];
  /** Milliseconds spent waiting for a slow client to take the stream (backpressure). */
  clientWaitMs = 0;
  /** The client's W3C traceparent header, when it sent one (tracing on). */
  traceparent?: string | undefined;
  /** The overhead up to the response headers, as sent in `llmux-overhead-ms`. */
  headerOverheadMs?: number;

  /** Milliseconds the upstream kept llmux waiting, over every attempt. */
  upstreamWaitMs(): number {
    let ms = 0;
    for (const a of this.attempts) ms += a.waitMs;
    return ms;
  }

  /** The time llmux itself took between `startedAt` and `now`: everything but waiting on the upstream or the client. */
  overheadMs(startedAt: number, now: number): number {
    const ms = now - startedAt - this.upstreamWaitMs() - this.clientWaitMs;
    return ms > 0 ? Math.round(ms * 1000) / 1000 : 0;
  }
}

/** A fresh clock for an attempt, kept on the request's timing. */
export function startAttempt(
  timing: RequestTiming | undefined,
  route: { alias: string; provider: { name: string }; upstreamModel: string },
): AttemptClock | undefined {
  if (!timing) return undefined;
  const clock: AttemptClock = {
    startAt: performance.now(),
    waitMs: 0,
    chunks: 0,
    maxGapMs: 0,
    alias: route.alias,
    provider: route.provider.name,
    model: route.upstreamModel,
  };
  timing.attempts.push(clock);
  return clock;
}

/** Notes one body chunk that took `waited` ms to come (called by the upstream reader). */
export function chunkArrived(clock: AttemptClock, chunk: Uint8Array, waited: number, at: number): void {
  clock.waitMs += waited;
  if (clock.lastAt !== undefined && clock.chunks > 0) {
    const gap = at - clock.lastAt;
    if (gap > clock.maxGapMs) clock.maxGapMs = gap;
  } else clock.firstAt = at;
  clock.chunks++;
  clock.lastAt = at;
  clock.tap?.(chunk);
}

/** A body read through the clock (for bodies not read by the HTTP reader, e.g. in-process providers). */
export async function* timedBody(body: AsyncIterable<Uint8Array>, clock: AttemptClock): AsyncGenerator<Uint8Array> {
  const it = body[Symbol.asyncIterator]();
  try {
    for (;;) {
      const t0 = performance.now();
      const next = await it.next();
      const at = performance.now();
      if (next.done) {
        clock.waitMs += at - t0;
        return;
      }
      chunkArrived(clock, next.value, at - t0, at);
      yield next.value;
    }
  } finally {
    await it.return?.();
  }
}
