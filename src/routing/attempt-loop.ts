import { readWhole } from "../http/whole-body.js";
import type { ErrorInfo } from "../ir/types.js";
import type { LoopHealth } from "./advisory-health.js";
import type { Deployment, Routing } from "./deployments.js";
import { type Classified, classifyFailure, classifyReply } from "./error-class.js";
import type { Availability } from "./health.js";
import { hasQuota } from "./quota.js";
import { type Candidate, order } from "./strategies.js";

/** What the loop needs to know of a route (src/routing/model-table.ts Route, narrowed). */
export interface LoopRoute {
  readonly alias: string;
  readonly deployments: readonly Deployment[];
  readonly routing: Routing;
  readonly settings: { fallbacks?: string[] | undefined; context_window_fallbacks?: string[] | undefined };
}

/** An upstream answer as the loop sees it (src/upstream/call.ts UpstreamReply). */
export interface LoopReply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: AsyncIterable<Uint8Array>;
  dump(): Promise<void>;
}

/** One attempt's plan: opaque to the loop, made by the caller for a route and deployment. */
export interface Attempted<P> {
  plan: P;
  reply: LoopReply;
  deployment: Deployment;
  /**
   * Call once the answer is over (in-flight count, health): `ok`, `failed` (the deployment broke off), or
   * `gone` (the client went away: says nothing of the deployment; a probe it held is handed back).
   */
  settle(how: Settled): Promise<void>;
}

export type Settled = "ok" | "failed" | "gone";

export interface LoopDeps<P, R extends LoopRoute> {
  /** A plan for `route` on deployment `d`, or the error that refuses it there (e.g. a strict capability). */
  plan(route: R, d: Deployment): Promise<P | ErrorInfo>;
  /**
   * Calls the upstream; throws `{ info: ErrorInfo }` (UpstreamFailure) when nothing answered. `signal`
   * follows the client's and, while the loop runs, its deadline (`max_total_ms`): the call must stop
   * when it fires. Once the loop has returned, only the client's abort is left in it.
   */
  call(plan: P, signal: AbortSignal): Promise<LoopReply>;
  /** The route of a fallback alias, keeping what the client asked for. */
  fallback(alias: string): R | undefined;
  isFailure(err: unknown): err is { info: ErrorInfo };
  /**
   * Reads the start of a successful reply's stream: the reply to give (what was read still in it) or
   * the failure its first events carry (an in-stream error before any output), with the HTTP status it
   * stands for and the whole stream as text. Throws like `call` when the connection fails meanwhile.
   */
  inspect?(plan: P, reply: LoopReply): Promise<LoopReply | { status: number; text: string }>;
  health: LoopHealth;
  /**
   * The deployment this conversation is bound to, if any. `only`: nothing else can serve it (a
   * `previous_response_id` that deployment's account holds): it is tried alone, cooling or not, and no
   * fallback alias is tried after it.
   */
  bound?: (route: R) => Promise<Binding | undefined>;
  /** Told each decision in words (the request's debug log and route header). */
  note(words: string): void;
  signal: AbortSignal;
  now?: () => number;
  rand?: () => number;
}

export interface Binding {
  readonly id: string;
  readonly only?: boolean | undefined;
}

/** Every attempt failed: the last failure, as an answer to give (an upstream reply) or an error. */
export interface Exhausted<P> {
  exhausted: true;
  /** The last upstream error answer, its body buffered, with the plan that produced it. */
  last?: { plan: P; reply: LoopReply; deployment: Deployment } | undefined;
  error?: ErrorInfo | undefined;
}

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

async function candidates<R extends LoopRoute>(
  route: R,
  deps: LoopDeps<unknown, R>,
): Promise<{ list: { d: Deployment; avail: Availability }[]; pinned: boolean; alone?: boolean }> {
  const { health } = deps;
  const ds = route.deployments;
  const [avail, inflight, ttft, binding] = await Promise.all([
    Promise.all(ds.map((d) => health.availability(d))),
    route.routing.strategy === "least-busy" ? Promise.all(ds.map((d) => health.inflight(d))) : undefined,
    route.routing.strategy === "latency" ? Promise.all(ds.map((d) => health.ttft(d))) : undefined,
    deps.bound ? deps.bound(route) : undefined,
  ]);
  // An alias with nothing else to try (one deployment, no fallback aliases) is not turned away by its health:
  // its cooldowns and error windows are kept (and shown), but the upstream answers for itself.
  if (ds.length === 1 && !hasFallbacks(route)) {
    if (avail[0] === "cooling") deps.note(`${ds[0]!.name}: cooling down, but the alias has nothing else to try`);
    return { list: [{ d: ds[0]!, avail: avail[0] === "half-open" ? "half-open" : "ok" }], pinned: false, alone: true };
  }
  const pin = binding?.only ? ds.find((d) => d.id === binding.id) : undefined;
  if (pin) {
    deps.note(`previous response held by ${pin.name}: sent there alone`);
    // Cooling or not: no other deployment can answer it (a cooling one answers its own 429 and wait).
    return { list: [{ d: pin, avail: "ok" }], pinned: true };
  }
  const boundId = route.routing.affinity ? binding?.id : undefined;
  const open: Candidate[] = [];
  ds.forEach((d, i) => {
    if (avail[i] !== "cooling") open.push({ d, inflight: inflight?.[i] ?? 0, ttftMs: ttft?.[i] });
  });
  let ordered = order(route.routing.strategy, open, deps.rand);
  // A conversation stays where its prompt cache is, while that deployment is healthy.
  const bound = boundId === undefined ? undefined : ordered.find((d) => d.id === boundId);
  if (bound) {
    ordered = [bound, ...ordered.filter((d) => d !== bound)];
    deps.note(`affinity: conversation bound to ${bound.name}`);
  }
  const byId = new Map(ds.map((d, i) => [d.id, avail[i]!]));
  const out = ordered.map((d) => ({ d, avail: byId.get(d.id)! }));
  const cooling = ds.filter((_, i) => avail[i] === "cooling");
  if (cooling.length > 0) deps.note(`cooling down, skipped: ${cooling.map((d) => d.name).join(", ")}`);
  return { list: out, pinned: false };
}

function hasFallbacks(route: LoopRoute): boolean {
  return (route.settings.fallbacks?.length ?? 0) > 0 || (route.settings.context_window_fallbacks?.length ?? 0) > 0;
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
  const ctl = new AbortController();
  const onAbort = () => ctl.abort(deps.signal.reason);
  if (deps.signal.aborted) return { exhausted: true };
  deps.signal.addEventListener("abort", onAbort, { once: true });
  const timer = setTimeout(() => ctl.abort(new LoopDeadline(budget)), budget);
  try {
    const result = await loop(first, deps, ctl.signal, () => now() > deadline || ctl.signal.aborted);
    // An answer's call keeps listening for the client's abort; with no answer, nothing is left to stop.
    if (isExhausted(result)) deps.signal.removeEventListener("abort", onAbort);
    return result;
  } finally {
    // From here only the client's abort reaches a call that answered.
    clearTimeout(timer);
  }
}

async function loop<P, R extends LoopRoute>(
  first: R,
  deps: LoopDeps<P, R>,
  signal: AbortSignal,
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
    const { list, pinned, alone } = await candidates(route, deps as LoopDeps<unknown, R>);
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
          settle: async (how) => {
            // Independent keys: one round trip's wait on a shared state, not two.
            await Promise.all([
              deps.health.finished(d),
              how === "ok"
                ? deps.health.succeeded(d, route.routing, ttft, probe)
                : how === "failed"
                  ? deps.health.failed(d, route.routing, { class: "server" }, probe)
                  : probe
                    ? deps.health.releaseProbe(d)
                    : undefined,
            ]);
          },
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
