import { AbortFlag, type AbortLike } from "../http/abort-flag.js";
import { callWheel, wheelTimeout } from "../http/timer-wheel.js";
import { readWhole } from "../http/whole-body.js";
import type { ErrorInfo } from "../ir/types.js";
import type { LoopHealth } from "./advisory-health.js";
import { candidates } from "./candidates.js";
import type { Routing } from "./deployments.js";
import { type Classified, classifyFailure, classifyReply } from "./error-class.js";
import type { Attempted, Exhausted, LoopDeps, LoopReply, LoopRoute, Settled } from "./loop-types.js";
import { hasQuota } from "./quota.js";

export type { Attempted, Binding, Exhausted, LoopDeps, LoopReply, LoopRoute, Settled } from "./loop-types.js";

const MAX_ERROR_TEXT = 1 << 20;

async function readText(body: AsyncIterable<Uint8Array>): Promise<string> {
  return (await readWhole(body, MAX_ERROR_TEXT, "keep")).toString("utf8");
}

/** A reply whose body was read: it can be given to the client as it was. */
function buffered(reply: LoopReply, text: string): LoopReply {
  return {
    status: reply.status,
    headers: reply.headers,
    body: (async function* () {
      yield Buffer.from(text);
    })(),
    dump: async () => undefined,
  };
}

/** Why the loop's own signal fired when the client is still there: its `max_total_ms` ran out. */
class LoopDeadline extends Error {
  constructor(ms: number) {
    super(`no deployment answered within max_total_ms (${ms} ms)`);
  }
}

/**
 * The attempt loop: tries the deployments of the alias in the strategy's order (a bound conversation's
 * deployment first), then its fallback aliases, deciding by the class of each failure whether to try the
 * next deployment, move to the fallbacks, or answer the failure. It only runs before the first byte
 * reaches the client: a reply below 400 is returned at once and is the answer. Bounded by the alias's
 * `retries` and `max_total_ms`; a client that goes away stops it.
 */
export async function attemptLoop<P, R extends LoopRoute>(
  first: R,
  deps: LoopDeps<P, R>,
): Promise<Attempted<P> | Exhausted<P>> {
  const now = deps.now ?? Date.now;
  const budget = first.routing.max_total_ms;
  const deadline = now() + budget;
  // The calls' signal: the client's abort, and the deadline while the loop runs (cleared when it ends, so
  // a stream that has begun is never cut by it).
  const ctl = new AbortFlag();
  // Made outside this scope: the listener stays on the client's signal for as long as an answer streams,
  // and must hold the controller alone, not the loop's inputs (the request body among them).
  const onAbort = forwardAbort(deps.signal, ctl);
  if (deps.signal.aborted) return { exhausted: true };
  deps.signal.addEventListener("abort", onAbort, { once: true });
  // On the upstream calls' timer wheel (one interval for every request in flight), not a Timeout of its own.
  const timer = wheelTimeout(callWheel, budget, () => ctl.abort(new LoopDeadline(budget)));
  try {
    const result = await loop(first, deps, ctl, () => now() > deadline || ctl.aborted);
    // An answer's call keeps listening for the client's abort; with no answer, nothing is left to stop.
    if (isExhausted(result)) deps.signal.removeEventListener("abort", onAbort);
    return result;
  } finally {
    // From here only the client's abort reaches a call that answered.
    callWheel.cancel(timer);
  }
}

/**
 * How the answering deployment's health is settled when its answer ends. Made outside the loop's scope: it is
 * kept until then, and must not hold the loop's inputs (the request body among them) while the answer streams.
 */
function healthSettle(
  health: LoopHealth,
  d: Parameters<LoopHealth["finished"]>[0],
  routing: Routing,
  ttft: number,
  probe: boolean,
): (how: Settled) => Promise<void> {
  return async (how) => {
    // An answer's end is one step on the shared state (the in-flight count, window and TTFT average together);
    // otherwise independent keys: one round trip's wait, not two.
    if (how === "ok") return health.answered(d, routing, ttft, probe);
    await Promise.all([
      health.finished(d),
      how === "failed"
        ? health.failed(d, routing, { class: "server" }, probe)
        : probe
          ? health.releaseProbe(d)
          : undefined,
    ]);
  };
}

/** A listener that aborts `ctl` with the reason `from` was aborted with. */
function forwardAbort(from: AbortLike, ctl: AbortFlag): () => void {
  return () => ctl.abort(from.reason);
}

async function loop<P, R extends LoopRoute>(
  first: R,
  deps: LoopDeps<P, R>,
  signal: AbortLike,
  overdue: () => boolean,
): Promise<Attempted<P> | Exhausted<P>> {
  const now = deps.now ?? Date.now;
  const queue: R[] = [first];
  const seen = new Set<string>([first.alias]);
  let last: Exhausted<P>["last"];
  let error: ErrorInfo | undefined;
  let atQuota = 0;
  const enqueue = (aliases: string[] | undefined) => {
    for (const a of aliases ?? []) {
      if (seen.has(a)) continue;
      const r = deps.fallback(a);
      if (!r) continue;
      seen.add(a);
      queue.push(r);
    }
  };
  const timedOut = (): Exhausted<P> => {
    const words = `gave up: ${(signal.reason as Error).message}`;
    deps.note(words);
    // The last upstream answer, when there was one, says more than the deadline does.
    return { exhausted: true, last, error: last ? undefined : { status: 504, kind: "timeout", message: words } };
  };
  while (queue.length > 0) {
    if (deps.signal.aborted) return { exhausted: true, last, error };
    if (overdue()) return signal.aborted ? timedOut() : { exhausted: true, last, error };
    const route = queue.shift()!;
    if (route !== first) deps.note(`falling back to alias '${route.alias}'`);
    const { list, pinned, alone } = await candidates(
      route,
      deps as LoopDeps<unknown, R>,
      route === first ? deps.early : undefined,
    );
    let attempts = 0;
    let moveOn: "fallbacks" | "context" | undefined;
    for (const { d, avail } of list) {
      if (deps.signal.aborted) return { exhausted: true, last, error };
      if (signal.aborted) return timedOut();
      if (attempts > route.routing.retries || overdue()) break;
      if (hasQuota(d) && !(await deps.health.claimQuota(d))) {
        atQuota++;
        deps.note(`${d.name}: at its declared quota (rpm/tpm), passed by`);
        continue;
      }
      // A half-open deployment takes a single probe; one with nothing else to try goes without when another has it.
      let probe = avail === "half-open";
      if (probe && !(await deps.health.claimProbe(d))) {
        if (!alone) continue;
        probe = false;
      }
      attempts++;
      const plan = await deps.plan(route, d);
      if (isErrorInfo(plan)) {
        if (probe) await deps.health.failed(d, route.routing, { class: "client" }, true);
        error = plan;
        deps.note(`${d.name}: not usable for this request (${plan.message})`);
        continue;
      }
      if (!(await deps.health.started(d))) {
        attempts--;
        atQuota++;
        if (probe) await deps.health.failed(d, route.routing, { class: "client" }, true);
        deps.note(`${d.name}: at its declared concurrency, passed by`);
        continue;
      }
      const startedAt = now();
      let reply: LoopReply;
      /** An answer that failed before any output: its status (HTTP, or what an in-stream error stands for). */
      let failedAs: { status: number; text: string } | undefined;
      let c: Classified;
      try {
        reply = await deps.call(plan, signal);
        if (reply.status >= 400) failedAs = { status: reply.status, text: await readText(reply.body).catch(() => "") };
        else if (deps.inspect) {
          const seen = await deps.inspect(plan, reply);
          if ("text" in seen) failedAs = seen;
          else reply = seen;
        }
      } catch (err) {
        await deps.health.finished(d);
        if (deps.signal.aborted) throw err;
        // The deadline, not the deployment: nothing is held against it.
        if (signal.aborted) return timedOut();
        if (!deps.isFailure(err)) throw err;
        c = classifyFailure(err.info);
        await deps.health.failed(d, route.routing, c, probe);
        error = err.info;
        deps.note(`${d.name}: ${c.class} (${err.info.message})`);
        const action = route.routing.actions[c.class as keyof Routing["actions"]];
        if (action === "surface") return { exhausted: true, last, error };
        if (action === "fallback") {
          moveOn = "fallbacks";
          break;
        }
        continue;
      }
      if (!failedAs) {
        const ttft = now() - startedAt;
        return {
          plan,
          reply,
          deployment: d,
          settle: healthSettle(deps.health, d, route.routing, ttft, probe),
        };
      }
      await deps.health.finished(d);
      if (deps.signal.aborted) return { exhausted: true, last, error };
      c = classifyReply(failedAs.status, reply.headers, failedAs.text);
      await deps.health.failed(d, route.routing, c, probe);
      last = { plan, reply: buffered(reply, failedAs.text), deployment: d };
      error = undefined;
      const inStream = failedAs.status !== reply.status ? " in its stream" : "";
      deps.note(`${d.name}: ${failedAs.status}${inStream} ${c.class}`);
      const action = c.class === "client" ? "surface" : route.routing.actions[c.class];
      if (action === "surface") return { exhausted: true, last };
      if (action === "fallback") {
        moveOn = c.class === "context_window" ? "context" : "fallbacks";
        break;
      }
    }
    // A pinned previous response is nowhere else: no fallback alias can continue it.
    if (pinned) break;
    if (moveOn === "context") enqueue(route.settings.context_window_fallbacks);
    else if (!overdue()) enqueue(route.settings.fallbacks);
  }
  if (!last && !error && atQuota > 0) error = quotaError(first.alias);
  return { exhausted: true, last, error };
}

/** Every deployment was at its declared quota: a 429 the client may retry shortly. */
function quotaError(alias: string): ErrorInfo {
  return {
    status: 429,
    kind: "rate_limit",
    code: "rate_limit_exceeded",
    message: `every deployment of '${alias}' is at its declared rpm/tpm quota; try again shortly`,
    retryAfter: "5",
  };
}

function isErrorInfo(v: unknown): v is ErrorInfo {
  return typeof v === "object" && v !== null && "kind" in v && "status" in v && "message" in v;
}

export function isExhausted<P>(v: Attempted<P> | Exhausted<P>): v is Exhausted<P> {
  return "exhausted" in v;
}
