import { forwardedHeaders } from "../http/reply.js";
import type { Principal } from "../identity/principal.js";
import { InputError, isObject } from "../ir/input-error.js";
import type { Dialect, ErrorInfo, Json, Request } from "../ir/types.js";
import { Warnings } from "../ir/warnings.js";
import { allowed } from "../limits/allow-list.js";
import { answerError, answerJson, type Exchange } from "../pipeline/exchange.js";
import { type Admission, isAdmitted } from "../request/admission.js";
import type { Plan } from "../request/plan.js";
import type { ModelTable, Route } from "../routing/model-table.js";
import { estimateInputTokens } from "../tokens/count.js";
import { countBody } from "../tokens/gemini-count-body.js";
import { codecs } from "../translate/codecs.js";
import { callUpstream, readAnswer, UpstreamFailure, type UpstreamPool, type UpstreamReply } from "../upstream/call.js";

export interface CountDeps {
  readonly models: ModelTable;
  readonly pool: UpstreamPool;
  /** The admit stage of generations: a count is held to the same allow-lists, limits and budgets. */
  readonly admission?: Admission | undefined;
}

/** What the admit stage sees of a count: its route, nothing to generate. */
function countPlan(route: Route, client: Dialect): Plan {
  return {
    route,
    client,
    upstream: route.provider.dialect,
    passthrough: true,
    body: "",
    requestDialect: client,
    clientStream: false,
    upstreamStream: false,
    tools: new Map(),
    response: { model: route.requested },
    warnings: new Warnings(),
    origin: { provider: route.provider.name, model: route.upstreamModel },
    maxOutputTokens: 0,
    cursor: false,
  };
}

/**
 * A count goes through the admit stage as a generation does (allow-lists, the providers a caller may reach,
 * rpm, concurrency, budgets): false when it was refused (and answered). A model no route serves is counted by
 * llmux alone, if the caller's allow-lists admit its name.
 */
async function admitCount(
  ex: Exchange,
  deps: CountDeps,
  principal: Principal,
  route: Route | undefined,
  requested: string | undefined,
  client: Dialect,
): Promise<boolean> {
  let refused: ErrorInfo | undefined;
  if (!route) {
    if (principal.allow && (requested === undefined || !allowed(principal.allow, requested)))
      refused = {
        status: 403,
        kind: "permission",
        message: `The model '${requested ?? ""}' is not allowed for this API key.`,
        param: "model",
        code: "model_not_allowed",
      };
  } else if (deps.admission) {
    const a = await deps.admission.admit({
      principal,
      plan: countPlan(route, client),
      requestBytes: ex.trail.requestBytes,
    });
    if (isAdmitted(a)) ex.trail.admitted = a;
    else refused = a;
  }
  if (!refused) return true;
  ex.trail.decide(() => `not admitted: ${refused.message}`);
  answerError(ex, client, refused, { outcome: "refused" });
  return false;
}

/**
 * POST /v1/messages/count_tokens: the upstream's own count where it has one (Anthropic), otherwise a
 * tokenizer estimate, marked `llmux-estimated: true`.
 */
/**
 * Asks the upstream to count (its countTarget), noting who was asked and what it answered; undefined when it
 * could not be reached (the count is then estimated).
 */
async function askUpstream(
  ex: Exchange,
  deps: CountDeps,
  principal: Principal,
  route: Route,
  body: string,
): Promise<{ status: number; headers: UpstreamReply["headers"]; text: string } | undefined> {
  const provider = route.provider;
  ex.trail.counted = { provider: provider.name, model: route.upstreamModel };
  const target = provider.countTarget!(route.upstreamModel, {
    stream: false,
    callerKey: principal.credentials?.get(provider.name) ?? principal.callerKey,
    clientHeaders: ex.req.headers,
    sameDialect: true,
    warnings: new Warnings(),
  });
  try {
    const signal = AbortSignal.any([ex.signal, AbortSignal.timeout(60_000)]);
    const reply = await callUpstream(deps.pool, provider, target, body, signal);
    const text = await readAnswer(deps.pool, reply.body);
    ex.trail.answer.status = reply.status;
    ex.trail.decide(() => `counted by the upstream: provider '${provider.name}' answered ${reply.status}`);
    if (reply.status >= 400) ex.trail.answer.reason = `upstream ${reply.status}: ${text.slice(0, 300)}`;
    return { status: reply.status, headers: reply.headers, text };
  } catch (err) {
    if (!(err instanceof UpstreamFailure)) throw err;
    ex.trail.decide(() => `estimated by llmux: the upstream count failed (${err.message})`);
    return undefined;
  }
}

export async function countTokens(ex: Exchange, deps: CountDeps, principal: Principal, body: Json): Promise<void> {
  const requested = isObject(body) && typeof body.model === "string" ? body.model : undefined;
  ex.trail.requested = requested;
  const route = requested ? deps.models.resolve(requested) : undefined;
  if (!(await admitCount(ex, deps, principal, route, requested, "anthropic"))) return;
  if (route?.provider.countTarget && route.provider.dialect === "anthropic" && isObject(body)) {
    const counted = await askUpstream(
      ex,
      deps,
      principal,
      route,
      JSON.stringify({ ...body, model: route.upstreamModel }),
    );
    if (counted) {
      // The upstream's own answer, as it came: its content type and the hints a client acts on (retry-after).
      ex.res.writeHead(counted.status, {
        "content-type": String(counted.headers["content-type"] ?? "application/json"),
        ...forwardedHeaders(counted.headers),
      });
      ex.res.end(counted.text);
      return;
    }
  } else
    ex.trail.decide(() =>
      route
        ? `estimated by llmux: provider '${route.provider.name}' cannot count tokens`
        : `estimated by llmux: no configured model '${requested ?? ""}' to ask`,
    );
  let ir: Request;
  try {
    ir = codecs.anthropic.decodeRequest(isObject(body) ? { max_tokens: 1, ...body } : body);
  } catch (err) {
    if (err instanceof InputError) {
      answerError(ex, "anthropic", err.toErrorInfo());
      return;
    }
    throw err;
  }
  answerJson(ex, 200, { input_tokens: await estimateInputTokens(ir) }, { "llmux-estimated": "true" });
}

/**
 * POST /v1beta/models/{model}:countTokens: the upstream's own count when the model is served by Gemini,
 * otherwise a tokenizer estimate (marked `llmux-estimated: true`), answered as `{totalTokens}`.
 */
export async function geminiCountTokens(
  ex: Exchange,
  deps: CountDeps,
  principal: Principal,
  model: string,
  body: Json,
): Promise<void> {
  ex.trail.requested = model;
  const route = deps.models.resolve(model);
  if (!(await admitCount(ex, deps, principal, route, model, "gemini"))) return;
  // countTokens takes the request either bare or wrapped in generateContentRequest.
  const request = isObject(body) && isObject(body.generateContentRequest) ? body.generateContentRequest : body;
  if (route?.provider.countTarget && route.provider.dialect === "gemini" && isObject(body)) {
    const { model: _m, ...bare } = isObject(request) ? request : {};
    const body = JSON.stringify(countBody(route.provider.type, route.upstreamModel, bare));
    const counted = await askUpstream(ex, deps, principal, route, body);
    if (counted) {
      ex.res.writeHead(counted.status, { "content-type": "application/json" });
      ex.res.end(counted.text);
      return;
    }
  }
  let ir: Request;
  try {
    ir = codecs.gemini.decodeRequest(request);
  } catch (err) {
    if (err instanceof InputError) {
      answerError(ex, "gemini", err.toErrorInfo());
      return;
    }
    throw err;
  }
  answerJson(ex, 200, { totalTokens: await estimateInputTokens(ir) }, { "llmux-estimated": "true" });
}
