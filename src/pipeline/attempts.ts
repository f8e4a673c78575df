import type { IncomingHttpHeaders } from "node:http";
import { affinityKey } from "../clients/conversation-key.js";
import type { ErrorInfo, Json } from "../ir/types.js";
import type { Plan } from "../request/plan.js";
import type { AttemptFacts } from "../request/trail.js";
import type { LoopHealth } from "../routing/advisory-health.js";
import { attemptLoop, isExhausted, type LoopReply } from "../routing/attempt-loop.js";
import type { Deployment } from "../routing/deployments.js";
import type { Availability, DeploymentHealth } from "../routing/health.js";
import { type ModelTable, onDeployment, type Route, type RouteVia, routeWords } from "../routing/model-table.js";
import type { HotState } from "../state/hot-state.js";
import { hotKeys } from "../state/keys.js";
import { UpstreamFailure, type UpstreamPool, type UpstreamReply } from "../upstream/call.js";
import { type AttemptInput, attempt } from "./attempt.js";
import { inspectStart } from "./inspect-start.js";
import { ReasoningHome, spansAccounts } from "./reasoning-home.js";

/** How long a conversation stays bound to the deployment that last served it. */
const AFFINITY_TTL = 3600_000;

export interface AttemptsDeps {
  readonly pool: UpstreamPool;
  readonly models: ModelTable;
  readonly hot: HotState;
  readonly health: DeploymentHealth;
  /** The same health as the loop takes it: advice that never fails a request (src/routing/advisory-health.ts). */
  readonly advice: LoopHealth;
  /** How long a stored response (and so its binding to a deployment) is kept, ms. */
  readonly retentionMs: number;
}

/** What the loop runs with; the caller, signal, clock and capture are handed on to each attempt as they are. */
export interface AttemptsInput extends Pick<AttemptInput, "principal" | "signal" | "timing" | "capture"> {
  /** The first deployment's plan, restored and encoded. */
  readonly first: Plan;
  /** The plan for another deployment (or a fallback alias), restored and encoded, or why it cannot serve. */
  readonly planFor: (route: Route) => Promise<Plan | ErrorInfo>;
  readonly headers: IncomingHttpHeaders;
  /** The client's body, as parsed once (affinity, the reasoning marks of a passthrough). */
  readonly body: Json;
  readonly decide: (words: () => string) => void;
  /** The first alias's deployments' availability, asked for while the request was admitted (`healthAhead`). */
  readonly early?: ReadonlyMap<string, Promise<Availability>> | undefined;
  /** Settles once what must be on disk before a request goes upstream is there (the admission's journal line). */
  readonly beforeSend?: Promise<void> | undefined;
}

/** The attempt loop's result: the plan and reply to answer with (or the error), and what it did. */
export interface Attempted {
  readonly facts: AttemptFacts;
  /** A reply to answer: the serving deployment's (below 400), or the last failure's when nothing served. */
  readonly answer?: { readonly plan: Plan; readonly reply: UpstreamReply } | undefined;
  /** Nothing to relay: the error to answer. */
  readonly error?: ErrorInfo | undefined;
}

/**
 * Asks for the availability of a route's deployments now, to be used by its attempt loop later (`early`):
 * started before the admission is awaited, so on Redis the two round trips overlap. The reads are advice
 * (they never fail); a request refused meanwhile just drops them.
 */
export function healthAhead(route: Route, deps: Pick<AttemptsDeps, "advice">): Map<string, Promise<Availability>> {
  return new Map(route.deployments.map((d) => [d.id, deps.advice.availability(d)]));
}

function previousId(body: Json): string | undefined {
  return typeof body === "object" &&
    body !== null &&
    !Array.isArray(body) &&
    typeof body.previous_response_id === "string"
    ? body.previous_response_id
    : undefined;
}

/**
 * The attempt loop, for every alias — one deployment is a loop of one: every deployment has its in-flight
 * count, latency, error window and cooldown. It picks and retries (src/routing/attempt-loop.ts); the answer
 * names the alias the client asked for; the `llmux-route` header and the log say what served; the
 * conversation (and a stored response) is bound to the deployment that answered, before a byte goes out.
 */
export async function attempts(input: AttemptsInput, deps: AttemptsDeps): Promise<Attempted> {
  const { first, headers, body } = input;
  const prev = previousId(body);
  const several = first.route.deployments.length > 1;
  const key = several && first.route.routing.affinity ? affinityKey(headers, body) : undefined;
  const path: string[] = [];
  const note = (words: string) => {
    path.push(words);
    input.decide(() => words);
  };
  const requested = first.route.requested;
  let calls = 0;
  /** The deployment this conversation (or its previous response) was served by, once known. */
  let boundTo: string | undefined;
  /** The affinity binding read for each alias tried. */
  let affinity: Map<string, string | undefined> | undefined;
  /** The id of the Response a successful stream announced in its preamble (passthrough Responses). */
  let announced: string | undefined;
  /** Reasoning kept to the account that made it, when the alias (or a fallback) reaches several. */
  const home = spansAccounts(first.route, deps.models) ? new ReasoningHome(deps.hot, first.client, body) : undefined;
  const result = await attemptLoop<Plan, Route>(first.route, {
    plan: async (route, d) => {
      const same =
        route === first.route && d.provider === first.route.provider && d.model === first.route.upstreamModel;
      const plan = same && first.body ? first : await input.planFor(onDeployment(route, d));
      if (!("route" in plan) || !home) return plan;
      return home.planFor(plan, d, boundTo, note);
    },
    call: async (plan, signal) => {
      calls++;
      if (input.beforeSend) await input.beforeSend;
      const sent = performance.now();
      const reply = await attempt({
        pool: deps.pool,
        plan,
        principal: input.principal,
        clientHeaders: headers,
        signal,
        timing: input.timing,
        capture: input.capture,
      });
      input.decide(() => `upstream answered ${reply.status} in ${Math.round(performance.now() - sent)} ms`);
      return reply;
    },
    fallback: (alias) => {
      const r = deps.models.resolve(alias);
      return r ? { ...r, requested, via: FALLBACK } : undefined;
    },
    isFailure: (err): err is UpstreamFailure => err instanceof UpstreamFailure,
    inspect: async (plan, reply) => {
      const seen = await inspectStart(plan, reply);
      if (!("text" in seen)) announced = seen.responseId;
      return seen;
    },
    health: deps.advice,
    // Nothing to look up without a previous response or a conversation key (an alias of one deployment).
    bound:
      !prev && !key
        ? undefined
        : async (route) => {
            if (prev) {
              const d = await deps.hot.get(hotKeys.responseDeployment(prev)).catch(() => undefined);
              if (d) {
                boundTo = d;
                return { id: d, only: true };
              }
            }
            boundTo =
              key && route.routing.affinity
                ? await deps.hot.get(hotKeys.affinity(route.alias, key)).catch(() => undefined)
                : undefined;
            affinity ??= new Map();
            affinity.set(route.alias, boundTo);
            return boundTo === undefined ? undefined : { id: boundTo };
          },
    note,
    signal: input.signal,
    early: input.early,
  });
  if (isExhausted(result)) {
    const route = routeHeader(first.route, undefined, path);
    if (input.signal.aborted) return { facts: { attempts: calls, route } };
    const last = result.last;
    if (last) return { facts: { attempts: calls, route, deployment: last.deployment }, answer: last };
    return { facts: { attempts: calls, route }, error: result.error ?? (await allCooling(deps, first.route)) };
  }
  const { plan, reply, deployment } = result;
  const facts: AttemptFacts = {
    deployment,
    attempts: calls,
    route: routeHeader(plan.route, deployment, path),
    health: result.settle,
    watchMarks: home !== undefined,
    boundResponseId: plan.response.responseId ?? (plan.passthrough ? announced : undefined),
  };
  if (input.signal.aborted) {
    await reply.dump().catch(() => undefined);
    return { facts };
  }
  // Bound before the answer goes out: a client's next turn may follow its last byte at once.
  const affKey = key && plan.route.routing.affinity ? hotKeys.affinity(plan.route.alias, key) : undefined;
  const early: Promise<void>[] = [];
  if (affKey && affinity?.get(plan.route.alias) !== deployment.id)
    early.push(deps.hot.set(affKey, deployment.id, AFFINITY_TTL));
  if (facts.boundResponseId)
    early.push(deps.hot.set(hotKeys.responseDeployment(facts.boundResponseId), deployment.id, deps.retentionMs));
  if (early.length > 0) await Promise.all(early).catch(() => undefined);
  return { facts, answer: { plan, reply } };
}

/**
 * Every deployment of the alias is cooling down: how long the first of them still waits is the client's
 * retry-after; a 429 when they all wait on the upstream's own retry-after, else a 503.
 */
async function allCooling(deps: AttemptsDeps, route: Route): Promise<ErrorInfo> {
  const waits = await Promise.all(route.deployments.map((d) => deps.health.cooling(d).catch(() => undefined)));
  const known = waits.filter((w): w is { ms: number; why: string } => w !== undefined);
  const ms = known.length > 0 ? Math.min(...known.map((w) => w.ms)) : 5000;
  const seconds = String(Math.max(1, Math.ceil(ms / 1000)));
  if (known.length > 0 && known.every((w) => w.why === "retry-after"))
    return {
      status: 429,
      kind: "rate_limit",
      code: "rate_limit_exceeded",
      message: `every deployment of '${route.requested}' was rate limited by its upstream; try again in ${seconds} s`,
      retryAfter: seconds,
    };
  return {
    status: 503,
    kind: "overloaded",
    message: `every deployment of '${route.requested}' is cooling down after failures; try again in ${seconds} s`,
    retryAfter: seconds,
  };
}

const FALLBACK: RouteVia = { kind: "fallback" };

/**
 * The `llmux-route` header (and the log row's route): the deployment that served and how its route was
 * reached (a pattern, a case-folded alias, a rule, a downgrade, a fallback alias), then what failed before it.
 */
function routeHeader(route: Route, d: Deployment | undefined, path: string[]): string {
  const words = routeWords(route);
  const head = `${d ? d.name : "none"}${words ? ` (${words})` : ""}`;
  const failures = path.filter((p) => /: \d{3} |: (timeout|connection)|fall/.test(p));
  return [head, ...failures].join("; ").replace(/[^\x20-\x7e]/g, "?");
}

export type { LoopReply };
