import type { IncomingHttpHeaders } from "node:http";
import type { Principal } from "../identity/principal.js";
import { isObject } from "../ir/input-error.js";
import type { ErrorInfo, Json } from "../ir/types.js";
import { affinityKey } from "../routing/affinity.js";
import { attemptLoop, isExhausted } from "../routing/attempt-loop.js";
import type { Deployment } from "../routing/deployments.js";
import { accountOf, withoutOpaqueReasoning } from "../routing/foreign-reasoning.js";
import type { DeploymentHealth } from "../routing/health.js";
import { hasQuota } from "../routing/quota.js";
import type { HotState } from "../state/hot-state.js";
import { attempt } from "./attempt.js";
import { answerError, type Exchange } from "./exchange.js";
import { decide, usageOf } from "./finalise.js";
import { type ModelTable, onDeployment, type Route } from "./model-table.js";
import type { Plan, State } from "./prepare.js";
import { respond } from "./respond.js";
import { UpstreamFailure, type UpstreamPool } from "./upstream.js";

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
  const result = await attemptLoop<Plan, Route>(first.route, {
    plan: async (route, d) => {
      const plan =
        route === first.route &&
        d.provider === first.route.provider &&
        d.model === first.route.upstreamModel &&
        first.body
          ? first
          : await replan(onDeployment(route, d));
      if (!("route" in plan) || !plan.passthrough || boundTo === undefined) return plan;
      if (accountOf(boundTo) === d.provider.name) return plan;
      return keepReasoningHome(plan, d, note);
    },
    call: (plan) => attempt({ pool: deps.pool, plan, principal, clientHeaders: headers, signal: ex.signal }),
    fallback: (alias) => {
      const r = deps.models.resolve(alias);
      return r ? { ...r, requested } : undefined;
    },
    isFailure: (err): err is UpstreamFailure => err instanceof UpstreamFailure,
    health: deps.health,
    bound: async (route) => {
      if (prev) {
        const d = await deps.hot.get(`resp:${prev}`);
        if (d) {
          boundTo = d;
          return d;
        }
      }
      boundTo = key ? await deps.hot.get(`aff:${route.alias}:${key}`) : undefined;
      return boundTo;
    },
    note,
    signal: ex.signal,
  });
  if (ex.signal.aborted) {
    if (!isExhausted(result)) {
      await result.reply.dump().catch(() => undefined);
      await result.settle(false);
    }
    return;
  }
  if (isExhausted(result)) {
    ex.res.setHeader("llmux-route", routeHeader(requested, undefined, path));
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
  ex.res.setHeader("llmux-route", routeHeader(requested, deployment, path, plan.route.alias));
  let ok = false;
  try {
    await respond(state, plan, reply, ex.res, rec);
    ok = rec.outcome !== "error";
  } finally {
    await result.settle(ok);
    if (deployment.tpm !== undefined) {
      const u = usageOf(rec);
      await deps.health.spendTokens(deployment, u.inputTokens + u.outputTokens).catch(() => undefined);
    }
  }
  if (!ok) return;
  const binds: Promise<void>[] = [];
  if (key) binds.push(deps.hot.set(`aff:${plan.route.alias}:${key}`, deployment.id, AFFINITY_TTL));
  if (rec.responseId)
    binds.push(deps.hot.set(`resp:${rec.responseId}`, deployment.id, deps.retentionDays * 86_400_000));
  await Promise.all(binds).catch(() => undefined);
}

/**
 * A passthrough plan for another account than the one that served this conversation: the opaque
 * reasoning state in its body (signatures, encrypted content) is dropped, as that account cannot read it.
 */
function keepReasoningHome(plan: Plan, d: Deployment, note: (words: string) => void): Plan {
  const text = typeof plan.body === "string" ? plan.body : plan.body.toString("utf8");
  if (!text.includes('"reasoning"') && !text.includes("thinking")) return plan;
  const parsed = JSON.parse(text) as Json;
  if (!isObject(parsed)) return plan;
  const out = withoutOpaqueReasoning(plan.upstream, parsed);
  if (!out) return plan;
  const words = `${out.dropped} reasoning item(s) of another account dropped for ${d.name}`;
  plan.warnings.add("foreign_reasoning_dropped", words);
  note(words);
  return { ...plan, body: JSON.stringify(out.body) };
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
