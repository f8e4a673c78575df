import type { Config } from "../config/schema.js";
import { InputError } from "../ir/input-error.js";
import type { Dialect, ErrorInfo } from "../ir/types.js";
import { usableNames } from "../limits/allow-list.js";
import { type AliasKind, wrongRoute } from "../models/alias-kind.js";
import { type Admitted, isAdmitted } from "../request/admission.js";
import type { Plan } from "../request/plan.js";
import { sidePlan } from "../request/side-plan.js";
import type { Availability } from "../routing/health.js";
import type { ModelTable, Route } from "../routing/model-table.js";
import { healthAhead } from "./attempts.js";
import { sessionCostSoFar } from "./cost-headers.js";
import { answerError, type Exchange } from "./exchange.js";
import type { GenerateDeps } from "./generation.js";
import { requestTags } from "./request-tags.js";
import { recordOf } from "./settle-record.js";

/**
 * What the fill-in-the-middle and rerank routes need from the gateway (as the embeddings route does): the
 * generation stages' own parts (the guardrails scan the texts these routes send as a chat request's).
 */
export interface KindDeps
  extends Pick<GenerateDeps, "models" | "admission" | "attempts" | "billing" | "redactor" | "guardrails" | "journal"> {
  readonly config: Partial<Pick<Config, "tag_rules" | "tags">>;
}

const NAMES: Record<AliasKind, string> = {
  chat: "chat",
  embedding: "embedding",
  completion: "fill-in-the-middle (completion)",
  rerank: "rerank",
};

/**
 * The plan of a request to an alias of `kind` (no I/O): its route, refused with 404 when the alias is not
 * configured (naming the usable ones of the kind) or 400 when it is of another kind (naming the route to ask).
 */
export function planKind(
  requested: string,
  kind: AliasKind,
  client: Dialect,
  models: ModelTable,
  ex: Exchange,
  opts: { readonly stream: boolean; readonly maxOutputTokens: number },
): { route: Route; plan: Plan } | ErrorInfo {
  const principal = ex.trail.principal!;
  const route = models.resolve(requested);
  if (!route) {
    const known = usableNames(models.names(), principal, (n) => models.resolve(n)?.provider.name).filter(
      (n) => (models.resolve(n)?.settings.kind ?? "chat") === kind,
    );
    return {
      status: 404,
      kind: "not_found",
      message: `The ${NAMES[kind]} model '${requested}' is not configured here. ${NAMES[kind]} models: ${known.length > 0 ? known.join(", ") : "(none)"}`,
      param: "model",
      code: "model_not_found",
    };
  }
  const wrong = wrongRoute(requested, route.settings, kind);
  if (wrong) return new InputError("model", wrong).toErrorInfo();
  const plan = sidePlan(route, client, { model: requested, passthrough: false, ...opts });
  return { route, plan };
}

/** An admitted request: what admission said, the deployments' health asked early, the journal line, the session's cost. */
export interface Let {
  readonly admitted: Admitted;
  readonly early: ReadonlyMap<string, Promise<Availability>>;
  readonly journalled: Promise<void> | undefined;
  readonly sessionCost: Promise<number | undefined> | undefined;
}

/** Admits a planned request as a chat one (allow-list, limits, budgets), or answers why not (undefined). */
export async function admitKind(
  ex: Exchange,
  client: Dialect,
  deps: KindDeps,
  route: Route,
  plan: Plan,
  bytes: number,
): Promise<Let | undefined> {
  const { trail } = ex;
  const principal = trail.principal!;
  trail.plan = plan;
  if (trail.duplicateTag !== undefined) {
    answerError(ex, client, {
      status: 400,
      kind: "invalid_request",
      message: `The llmux-tags header names the tag key '${trail.duplicateTag}' more than once: give each key one value.`,
      param: "llmux-tags",
    });
    return undefined;
  }
  const tagged = requestTags(
    deps.config.tag_rules ?? [],
    { own: trail.tags, principal, tool: trail.clientTool, model: trail.requested },
    deps.config.tags,
  );
  trail.tags = tagged.tags;
  const early = healthAhead(route, deps.attempts);
  const admitted = await deps.admission.admit({ principal, plan, requestBytes: bytes, tags: trail.tags });
  if (!isAdmitted(admitted)) {
    trail.decide(() => `not admitted: ${admitted.message}`);
    answerError(ex, client, admitted, { outcome: "refused" });
    return undefined;
  }
  trail.admitted = admitted;
  const journalled = deps.journal?.admitted(recordOf(trail), admitted.estimateNanos);
  const sessionCost = deps.billing
    ? sessionCostSoFar(deps.attempts.hot, principal.owner, trail.session?.session)
    : undefined;
  return { admitted, early, journalled, sessionCost };
}

/** An error told to the client without the caller's own secrets in it. */
export function redacted(deps: KindDeps, ex: Exchange, f: ErrorInfo): ErrorInfo {
  const principal = ex.trail.principal!;
  const own = [principal.callerKey, ...(principal.credentials?.values() ?? [])].filter((k): k is string => !!k);
  return deps.redactor ? { ...f, message: deps.redactor.redact(f.message, own) } : f;
}
