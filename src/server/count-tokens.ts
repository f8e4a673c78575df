import { randomBytes } from "node:crypto";
import { requestBlocks } from "../guardrails/blocks.js";
import type { Guardrails } from "../guardrails/guard.js";
import { bodyForms, maskJson } from "../guardrails/mask-body.js";
import { placeholderOf } from "../guardrails/placeholder.js";
import { signalOf } from "../http/abort-flag.js";
import { forwardedHeaders } from "../http/reply.js";
import type { Principal } from "../identity/principal.js";
import { InputError, isObject } from "../ir/input-error.js";
import type { Dialect, ErrorInfo, Json, JsonObject, Request } from "../ir/types.js";
import { Warnings } from "../ir/warnings.js";
import { allowed } from "../limits/allow-list.js";
import { answerError, answerJson, type Exchange } from "../pipeline/exchange.js";
import { refusal } from "../pipeline/guardrails-stage.js";
import { type Admission, isAdmitted } from "../request/admission.js";
import type { Plan } from "../request/plan.js";
import { sidePlan } from "../request/side-plan.js";
import { pipeline, runStages, type Stage, type Step, skip } from "../request/stage.js";
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
  /** The guardrails of generations: what a count sends its upstream is scanned too (none: off). */
  readonly guardrails?: Guardrails | undefined;
}

/** What the admit stage sees of a count: its route, nothing to generate. */
function countPlan(route: Route, client: Dialect): Plan {
  return sidePlan(route, client, { model: route.requested, stream: false, passthrough: true, maxOutputTokens: 0 });
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
    const signal = AbortSignal.any([signalOf(ex.signal), AbortSignal.timeout(60_000)]);
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

/** One count_tokens request as its stages see it. */
class Counting {
  readonly principal: Principal;
  /** The model the count names (the body's, or Gemini's path), and the route that serves it. */
  requested: string | undefined;
  route: Route | undefined;
  /** The request to count (Gemini's may come wrapped in generateContentRequest). */
  request: Json;
  /** The upstream's own count, as it answered. */
  counted: { status: number; headers: UpstreamReply["headers"]; text: string } | undefined;

  constructor(
    readonly ex: Exchange,
    readonly deps: CountDeps,
    readonly count: CountDialect,
    public body: Json,
    readonly pathModel: string,
  ) {
    this.principal = ex.trail.principal!;
    this.request = body;
  }
}

/** How a dialect asks for a count and is answered: Anthropic's count_tokens, Gemini's countTokens. */
interface CountDialect {
  readonly dialect: "anthropic" | "gemini";
  /** The model the request names. */
  requested(c: Counting): string | undefined;
  /** The upstream body of a count its own upstream makes (undefined: llmux estimates). */
  upstreamBody(c: Counting, route: Route): string | undefined;
  /** Why llmux estimates without asking, in words (the debug log), if it says. */
  notAsked?(c: Counting): string;
  /** The upstream's answer's headers, as relayed. */
  headers(counted: NonNullable<Counting["counted"]>): Record<string, string>;
  /** The request, decoded to be estimated, and the answer's body of its estimate. */
  decode(c: Counting): Request;
  answer(tokens: number): JsonObject;
}

/**
 * POST /v1/messages/count_tokens: the upstream's own count where it has one (Anthropic), otherwise a
 * tokenizer estimate, marked `llmux-estimated: true`.
 */
const ANTHROPIC: CountDialect = {
  dialect: "anthropic",
  requested: (c) => (isObject(c.body) && typeof c.body.model === "string" ? c.body.model : undefined),
  upstreamBody: (c, route) =>
    route.provider.dialect === "anthropic" && isObject(c.body)
      ? JSON.stringify({ ...c.body, model: route.upstreamModel })
      : undefined,
  notAsked: (c) =>
    c.route
      ? `estimated by llmux: provider '${c.route.provider.name}' cannot count tokens`
      : `estimated by llmux: no configured model '${c.requested ?? ""}' to ask`,
  // The upstream's own answer, as it came: its content type and the hints a client acts on (retry-after).
  headers: (counted) => ({
    "content-type": String(counted.headers["content-type"] ?? "application/json"),
    ...forwardedHeaders(counted.headers),
  }),
  decode: (c) => codecs.anthropic.decodeRequest(isObject(c.body) ? { max_tokens: 1, ...c.body } : c.body),
  answer: (tokens) => ({ input_tokens: tokens }),
};

/**
 * POST /v1beta/models/{model}:countTokens: the upstream's own count when the model is served by Gemini,
 * otherwise a tokenizer estimate (marked `llmux-estimated: true`), answered as `{totalTokens}`.
 */
const GEMINI: CountDialect = {
  dialect: "gemini",
  requested: (c) => c.pathModel,
  upstreamBody(c, route) {
    if (route.provider.dialect !== "gemini" || !isObject(c.body)) return undefined;
    const { model: _m, ...bare } = isObject(c.request) ? c.request : {};
    return JSON.stringify(countBody(route.provider.type, route.upstreamModel, bare));
  },
  headers: () => ({ "content-type": "application/json" }),
  decode: (c) => codecs.gemini.decodeRequest(c.request),
  answer: (tokens) => ({ totalTokens: tokens }),
};

/** plan: the route of the model the count names (no I/O). */
const countRoute: Stage<Counting> = {
  name: "plan",
  run(c) {
    const requested = c.count.requested(c);
    c.requested = requested;
    c.ex.trail.requested = requested;
    c.route = requested ? c.deps.models.resolve(requested) : undefined;
    // countTokens takes the request either bare or wrapped in generateContentRequest.
    if (c.count.dialect === "gemini" && isObject(c.body) && isObject(c.body.generateContentRequest))
      c.request = c.body.generateContentRequest;
    return undefined;
  },
};

/** A key for the placeholders of a count: never put back, they need only hide the value from the upstream. */
const COUNT_MASK_KEY = randomBytes(32).toString("base64url");

/**
 * guardrails: what a count would send its upstream scanned under the request's policy; a block refuses it, a
 * mask counts the placeholders instead (nothing comes back to put the value into), a warning is noted.
 */
const countGuardrails: Stage<Counting> = {
  name: "guardrails",
  async run(c) {
    const guard = c.deps.guardrails;
    if (!guard) return undefined;
    const p = c.principal;
    const policy = guard.policyOf(p, c.route?.settings.guardrails, c.route?.alias);
    let ir: Request;
    try {
      ir = c.count.decode(c);
    } catch (err) {
      if (err instanceof InputError) return undefined;
      throw err;
    }
    const found = await guard.inspect(requestBlocks(ir), policy, [p.callerKey]);
    if (found.notes.length === 0) return undefined;
    c.ex.trail.guardrails = found.notes;
    if (found.blocked.length > 0) {
      answerError(c.ex, c.count.dialect, refusal(found.blocked), { outcome: "refused" });
      return true;
    }
    if (found.masked.length > 0) {
      const pairs = found.masked.flatMap((f) =>
        bodyForms(f.value).map((form) => [form, placeholderOf(f.value, COUNT_MASK_KEY)] as const),
      );
      const wrapped = c.request !== c.body;
      c.body = maskJson(c.body, pairs).value;
      c.request = wrapped && isObject(c.body) ? (c.body.generateContentRequest ?? c.body) : c.body;
    }
    return undefined;
  },
};

const countAdmit: Stage<Counting> = {
  name: "admit",
  async run(c) {
    return !(await admitCount(c.ex, c.deps, c.principal, c.route, c.requested, c.count.dialect));
  },
};

/** attempt loop: the upstream's own count, asked once, where its provider counts (no fallback: llmux estimates). */
const countUpstream: Stage<Counting> = {
  name: "attempt loop",
  async run(c) {
    const route = c.route;
    const body = route?.provider.countTarget ? c.count.upstreamBody(c, route) : undefined;
    if (route && body !== undefined) c.counted = await askUpstream(c.ex, c.deps, c.principal, route, body);
    else if (c.count.notAsked) {
      const words = c.count.notAsked;
      c.ex.trail.decide(() => words(c));
    }
    return undefined;
  },
};

/** respond: the upstream's answer as it came, or llmux's estimate (`llmux-estimated: true`). */
const countAnswer: Stage<Counting> = {
  name: "respond",
  async run(c) {
    const { ex, counted } = c;
    if (counted) {
      ex.res.writeHead(counted.status, {
        ...c.count.headers(counted),
        "content-length": Buffer.byteLength(counted.text),
      });
      ex.res.end(counted.text);
      return undefined;
    }
    let ir: Request;
    try {
      ir = c.count.decode(c);
    } catch (err) {
      if (err instanceof InputError) {
        answerError(ex, c.count.dialect, err.toErrorInfo());
        return true;
      }
      throw err;
    }
    answerJson(ex, 200, c.count.answer(await estimateInputTokens(ir)), { "llmux-estimated": "true" });
    return undefined;
  },
};

/** A count's stages: those of a generation, with what a count does not do skipped. */
export const COUNT: readonly Step<Counting>[] = [
  skip("compaction", "a count compacts nothing"),
  skip("tag check", "a count is not tagged"),
  countRoute,
  countGuardrails,
  skip("tags", "a count is not tagged"),
  countAdmit,
  skip("restore", "nothing kept by llmux is put back into a count"),
  countUpstream,
  countAnswer,
];

const STAGES = pipeline(COUNT);

/** A count_tokens request (Anthropic's, or Gemini's countTokens) after its body is read: its stages, in order. */
export function countTokens(
  ex: Exchange,
  deps: CountDeps,
  dialect: Dialect,
  pathModel: string,
  body: Json,
): Promise<void> {
  return runStages(STAGES, new Counting(ex, deps, dialect === "gemini" ? GEMINI : ANTHROPIC, body, pathModel));
}
