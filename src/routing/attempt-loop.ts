import type { ErrorInfo } from "../ir/types.js";
import type { Deployment } from "./deployments.js";
import { type Classified, classifyFailure, classifyReply } from "./error-class.js";
import type { Availability, DeploymentHealth } from "./health.js";
import { hasQuota } from "./quota.js";
import { type Candidate, order } from "./strategies.js";

/** What the loop needs to know of a route (src/gateway/model-table.ts Route, narrowed). */
export interface LoopRoute {
  readonly alias: string;
  readonly deployments: readonly Deployment[];
  readonly routing: import("./deployments.js").Routing;
  readonly settings: { fallbacks?: string[] | undefined; context_window_fallbacks?: string[] | undefined };
}

/** An upstream answer as the loop sees it (src/gateway/upstream.ts UpstreamReply). */
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
  /** Call once the answer is over (in-flight count, health). */
  settle(ok: boolean): Promise<void>;
}

export interface LoopDeps<P, R extends LoopRoute> {
  /** A plan for `route` on deployment `d`, or the error that refuses it there (e.g. a strict capability). */
  plan(route: R, d: Deployment): Promise<P | ErrorInfo>;
  /** Calls the upstream; throws `{ info: ErrorInfo }` (UpstreamFailure) when nothing answered. */
  call(plan: P): Promise<LoopReply>;
  /** The route of a fallback alias, keeping what the client asked for. */
  fallback(alias: string): R | undefined;
  isFailure(err: unknown): err is { info: ErrorInfo };
  health: DeploymentHealth;
  /** Deployment id this conversation is bound to, if any, and how to bind it. */
  bound?: (route: R) => Promise<string | undefined>;
  /** Told each decision in words (the request's debug log and route header). */
  note(words: string): void;
  signal: AbortSignal;
  now?: () => number;
  rand?: () => number;
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
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of body) {
    if (size < MAX_ERROR_TEXT) chunks.push(Buffer.from(c));
    size += c.length;
  }
  return Buffer.concat(chunks).toString("utf8").slice(0, MAX_ERROR_TEXT);
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
): Promise<{ d: Deployment; avail: Availability }[]> {
  const { health } = deps;
  const ds = route.deployments;
  const [avail, inflight, ttft, boundId] = await Promise.all([
    Promise.all(ds.map((d) => health.availability(d))),
    route.routing.strategy === "least-busy" ? Promise.all(ds.map((d) => health.inflight(d))) : undefined,
    route.routing.strategy === "latency" ? Promise.all(ds.map((d) => health.ttft(d))) : undefined,
    route.routing.affinity && deps.bound ? deps.bound(route) : undefined,
  ]);
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
  return out;
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
  const deadline = now() + first.routing.max_total_ms;
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
  while (queue.length > 0) {
    const route = queue.shift()!;
    if (route !== first) deps.note(`falling back to alias '${route.alias}'`);
    const list = await candidates(route, deps as LoopDeps<unknown, R>);
    let attempts = 0;
    let moveOn: "fallbacks" | "context" | undefined;
    for (const { d, avail } of list) {
      if (deps.signal.aborted) return { exhausted: true, last, error };
      if (attempts > route.routing.retries || now() > deadline) break;
      if (hasQuota(d) && !(await deps.health.claimQuota(d))) {
        atQuota++;
        deps.note(`${d.name}: at its declared quota (rpm/tpm), passed by`);
        continue;
      }
      const probe = avail === "half-open";
      if (probe && !(await deps.health.claimProbe(d))) continue;
      attempts++;
      const plan = await deps.plan(route, d);
      if (isErrorInfo(plan)) {
        if (probe) await deps.health.failed(d, route.routing, { class: "client" }, true);
        error = plan;
        deps.note(`${d.name}: not usable for this request (${plan.message})`);
        continue;
      }
      await deps.health.started(d);
      const startedAt = now();
      let reply: LoopReply;
      try {
        reply = await deps.call(plan);
      } catch (err) {
        await deps.health.finished(d);
        if (deps.signal.aborted || !deps.isFailure(err)) throw err;
        const c = classifyFailure(err.info);
        await deps.health.failed(d, route.routing, c, probe);
        error = err.info;
        deps.note(`${d.name}: ${c.class} (${err.info.message})`);
        const action = route.routing.actions[c.class as keyof typeof route.routing.actions];
        if (action === "surface") return { exhausted: true, last, error };
        continue;
      }
      if (reply.status < 400) {
        const ttft = now() - startedAt;
        return {
          plan,
          reply,
          deployment: d,
          settle: async (ok) => {
            // Independent keys: one round trip's wait on a shared state, not two.
            await Promise.all([
              deps.health.finished(d),
              ok
                ? deps.health.succeeded(d, route.routing, ttft, probe)
                : deps.health.failed(d, route.routing, { class: "server" }, probe),
            ]);
          },
        };
      }
      const text = await readText(reply.body).catch(() => "");
      await deps.health.finished(d);
      const c: Classified = classifyReply(reply.status, reply.headers, text);
      await deps.health.failed(d, route.routing, c, probe);
      last = { plan, reply: buffered(reply, text), deployment: d };
      error = undefined;
      deps.note(`${d.name}: ${reply.status} ${c.class}`);
      const action = c.class === "client" ? "surface" : route.routing.actions[c.class];
      if (action === "surface") return { exhausted: true, last };
      if (action === "fallback") {
        moveOn = c.class === "context_window" ? "context" : "fallbacks";
        break;
      }
    }
    if (moveOn === "context") enqueue(route.settings.context_window_fallbacks);
    else if (now() <= deadline) enqueue(route.settings.fallbacks);
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
