import type { IncomingHttpHeaders } from "node:http";
import { answerError, type Exchange } from "../http/exchange.js";
import type { Principal } from "../identity/principal.js";
import { isObject } from "../ir/input-error.js";
import type { ErrorInfo, Json } from "../ir/types.js";
import { decide, usageOf } from "../request/record.js";
import { affinityKey } from "../routing/affinity.js";
import { attemptLoop, isExhausted, type LoopReply } from "../routing/attempt-loop.js";
import type { Deployment } from "../routing/deployments.js";
import type { DeploymentHealth } from "../routing/health.js";
import { type ModelTable, onDeployment, type Route } from "../routing/model-table.js";
import { hasQuota } from "../routing/quota.js";
import { noteMarks } from "../routing/reasoning-marks.js";
import type { HotState } from "../state/hot-state.js";
import { UpstreamFailure, type UpstreamPool } from "../upstream/call.js";
import { type Peeked, peek } from "../upstream/preamble.js";
import { attempt } from "./attempt.js";
import type { Plan, State } from "./plan.js";
import { ReasoningHome, spansAccounts } from "./reasoning-home.js";
import { respond } from "./respond.js";

/** How long a conversation stays bound to the deployment that last served it. */
const AFFINITY_TTL = 3600_000;

export interface RoutedDeps {
  readonly pool: UpstreamPool;
  readonly models: ModelTable;
  readonly hot: HotState;
  readonly health: DeploymentHealth;
  /** Days a stored response (and so its binding to a deployment) is kept. */
  readonly retentionDays: number;
}

/**
 * Whether an alias needs the attempt loop: several deployments, fallbacks or a declared quota. One plain
 * deployment goes straight, touching no state.
 */
export function needsRouting(route: Route): boolean {
  const s = route.settings;
  return (
    route.deployments.length > 1 ||
    (s.fallbacks?.length ?? 0) > 0 ||
    (s.context_window_fallbacks?.length ?? 0) > 0 ||
    route.deployments.some(hasQuota)
  );
}

function previousId(body: Json): string | undefined {
  return isObject(body) && typeof body.previous_response_id === "string" ? body.previous_response_id : undefined;
}

/**
 * A request to an alias with several deployments or fallbacks: the attempt loop picks and retries, the
 * answer names the alias the client asked for, the `llmux-route` header and the log say what served it;
 * the conversation (and a stored response) is bound to the deployment that answered.
 */
export async function routedGenerate(
  ex: Exchange,
  first: Plan,
  replan: (route: Route) => Promise<Plan | ErrorInfo>,
  principal: Principal,
  body: Json,
  state: State,
  deps: RoutedDeps,
): Promise<void> {
  const { rec } = ex;
  const headers: IncomingHttpHeaders = ex.req.headers;
  const prev = previousId(body);
  const key = affinityKey(headers, body);
  const path: string[] = [];
  const note = (words: string) => {
    path.push(words);
    decide(rec, () => words);
  };
  const requested = first.route.requested;
  /** The deployment this conversation (or its previous response) was served by, once known. */
  let boundTo: string | undefined;
  /** The affinity binding read for each alias tried. */
  const affinity = new Map<string, string | undefined>();
  /** The id of the Response a successful stream announced in its preamble (passthrough Responses). */
  let announced: string | undefined;
  /** Reasoning kept to the account that made it, when the alias (or a fallback) reaches several. */
  const home = spansAccounts(first.route, deps.models) ? new ReasoningHome(deps.hot, first.client, body) : undefined;
  const result = await attemptLoop<Plan, Route>(first.route, {
    plan: async (route, d) => {
      const plan =
        route === first.route &&
        d.provider === first.route.provider &&
        d.model === first.route.upstreamModel &&
        first.body
          ? first
          : await replan(onDeployment(route, d));
      if (!("route" in plan) || !home) return plan;
      return home.planFor(plan, d, boundTo, note);
    },
    call: (plan, signal) => attempt({ pool: deps.pool, plan, principal, clientHeaders: headers, signal, rec }),
    fallback: (alias) => {
      const r = deps.models.resolve(alias);
      return r ? { ...r, requested } : undefined;
    },
    isFailure: (err): err is UpstreamFailure => err instanceof UpstreamFailure,
    inspect: async (plan, reply) => {
      const seen = await inspectStart(plan, reply);
      if (!("text" in seen)) announced = seen.responseId;
      return seen;
    },
    health: deps.health,
    bound: async (route) => {
      if (prev) {
        const d = await deps.hot.get(`resp:${prev}`);
        if (d) {
          boundTo = d;
          return { id: d, only: true };
        }
      }
      boundTo = key && route.routing.affinity ? await deps.hot.get(`aff:${route.alias}:${key}`) : undefined;
      affinity.set(route.alias, boundTo);
      return boundTo === undefined ? undefined : { id: boundTo };
    },
    note,
    signal: ex.signal,
  });
  if (ex.signal.aborted) {
    if (!isExhausted(result)) {
      await result.reply.dump().catch(() => undefined);
      await result.settle("gone");
    }
    return;
  }
  if (isExhausted(result)) {
    rec.route = routeHeader(requested, undefined, path);
    ex.res.setHeader("llmux-route", rec.route);
    if (result.last) {
      served(ex, result.last.plan, result.last.deployment);
      await respond(state, result.last.plan, result.last.reply, ex.res, rec);
      return;
    }
    const info: ErrorInfo = result.error ?? {
      status: 503,
      kind: "overloaded",
      message: `every deployment of '${requested}' is cooling down after failures; try again shortly`,
      retryAfter: "5",
    };
    answerError(ex, first.client, info);
    return;
  }
  const { plan, reply, deployment } = result;
  served(ex, plan, deployment);
  // The account that made this answer's reasoning, noted as it ends (the next turn may follow at once).
  if (home && plan.passthrough)
    ex.atEnd(() => {
      if (rec.reasoningMarks && rec.outcome !== "error")
        noteMarks(deps.hot, rec.reasoningMarks, deployment.provider.name);
    });
  rec.route = routeHeader(requested, deployment, path, plan.route.alias);
  ex.res.setHeader("llmux-route", rec.route);
  // Bound before the answer goes out: a client's next turn may follow its last byte at once.
  const affKey = key && plan.route.routing.affinity ? `aff:${plan.route.alias}:${key}` : undefined;
  const responseId = plan.response.responseId ?? (plan.passthrough ? announced : undefined);
  const early: Promise<void>[] = [];
  if (affKey && affinity.get(plan.route.alias) !== deployment.id)
    early.push(deps.hot.set(affKey, deployment.id, AFFINITY_TTL));
  if (responseId) early.push(deps.hot.set(`resp:${responseId}`, deployment.id, deps.retentionDays * 86_400_000));
  if (early.length > 0) await Promise.all(early).catch(() => undefined);
  let ok = false;
  try {
    await respond(state, plan, reply, ex.res, rec);
    ok = rec.outcome !== "error";
  } finally {
    // Bookkeeping after the answer: a shared state gone meanwhile must not turn it into a failure. A client
    // that went away (Esc in Claude Code) says nothing about the deployment: it must not trip its breaker.
    const how = ex.signal.aborted && rec.outcome !== "error" ? "gone" : ok ? "ok" : "failed";
    await result.settle(how).catch(() => undefined);
    if (deployment.tpm !== undefined) {
      const u = usageOf(rec);
      await deps.health.spendTokens(deployment, u.inputTokens + u.outputTokens).catch(() => undefined);
    }
  }
  // A whole (not streamed) Responses answer names its id only at its end.
  if (ok && rec.responseId && rec.responseId !== responseId)
    await deps.hot.set(`resp:${rec.responseId}`, deployment.id, deps.retentionDays * 86_400_000).catch(() => undefined);
}

/**
 * A streamed answer's first events: a failure there (an in-stream error before any output) is one the
 * attempt loop can still act on. A connection that breaks meanwhile is an upstream failure like any. A
 * whole Responses answer passed through is read here (as it would be to answer it) for its id.
 */
async function inspectStart(
  plan: Plan,
  reply: LoopReply,
): Promise<(LoopReply & { responseId?: string | undefined }) | { status: number; text: string }> {
  const whole = !plan.upstreamStream;
  if (whole && !(plan.passthrough && plan.client === "openai-responses")) return reply;
  let seen: Peeked;
  try {
    seen = whole ? await wholeAnswer(reply.body) : await peek(plan.upstream, reply.body);
  } catch (err) {
    if (err instanceof UpstreamFailure) throw err;
    const message = `upstream ${plan.route.provider.name} broke off its answer: ${(err as Error).message}`;
    throw new UpstreamFailure({ status: 502, kind: "server", message });
  }
  return seen.kind === "failure" ? seen : { ...reply, body: seen.body, responseId: seen.responseId };
}

/** A whole JSON answer, read, given back as it came, with the Response id it names. */
async function wholeAnswer(body: AsyncIterable<Uint8Array>): Promise<Peeked> {
  const chunks: Uint8Array[] = [];
  for await (const c of body) chunks.push(c);
  let id: string | undefined;
  try {
    const parsed = JSON.parse(Buffer.concat(chunks).toString("utf8")) as Json;
    if (isObject(parsed) && typeof parsed.id === "string") id = parsed.id;
  } catch {
    // Not JSON: nothing to bind; it is answered as it came.
  }
  return {
    kind: "answer",
    responseId: id,
    body: (async function* () {
      yield* chunks;
    })(),
  };
}

/** The record says what served: alias, provider, model and deployment. */
function served(ex: Exchange, plan: Plan, d: Deployment): void {
  ex.rec.alias = plan.route.alias;
  ex.rec.provider = d.provider.name;
  ex.rec.model = d.model;
  ex.rec.deployment = d.name;
  ex.rec.passthrough = plan.passthrough;
}

function routeHeader(requested: string, d: Deployment | undefined, path: string[], alias?: string): string {
  const head = d ? `${d.name}${alias && alias !== requested ? ` (fallback alias ${alias})` : ""}` : "none";
  const failures = path.filter((p) => /: \d{3} |: (timeout|connection)|fall/.test(p));
  return [head, ...failures].join("; ").replace(/[^\x20-\x7e]/g, "?");
}
