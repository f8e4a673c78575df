import { answerError, answerJson, type Exchange } from "../http/exchange.js";
import type { Principal } from "../identity/principal.js";
import { InputError, isObject } from "../ir/input-error.js";
import type { Json, JsonObject, Request } from "../ir/types.js";
import { Warnings } from "../ir/warnings.js";
import type { ModelTable } from "../routing/model-table.js";
import { estimateInputTokens } from "../tokens/count.js";
import type { CountDeps } from "../tokens/count-endpoint.js";
import { codecs } from "../translate/codecs.js";
import { callUpstream, readAnswer, UpstreamFailure } from "../upstream/call.js";

/** A model as Gemini's models.list / models.get describe it. */
function geminiModel(id: string) {
  return {
    name: `models/${id}`,
    baseModelId: id,
    version: "llmux",
    displayName: id,
    supportedGenerationMethods: ["generateContent", "streamGenerateContent", "countTokens"],
  };
}

/** GET /v1beta/models and /v1beta/models/{model}, in Gemini's shape. */
export function geminiModels(ex: Exchange, models: ModelTable, id?: string): void {
  if (id === undefined) {
    answerJson(ex, 200, { models: models.listed().map(geminiModel) });
    return;
  }
  const name = id.replace(/^models\//, "");
  if (!models.resolve(name)) {
    answerError(ex, "gemini", {
      status: 404,
      kind: "not_found",
      message: `The model '${name}' is not configured here`,
      param: "model",
    });
    return;
  }
  answerJson(ex, 200, geminiModel(name));
}

/** What Vertex's countTokens takes beside `contents`. */
const VERTEX_COUNTED = ["systemInstruction", "tools", "generationConfig"] as const;

/**
 * The body of an upstream countTokens, so that what the request carries besides its contents (system
 * instruction, tools) is counted too: the Gemini API takes `contents` alone or the whole request wrapped in
 * `generateContentRequest` (naming its model); Vertex takes those fields beside `contents`.
 */
function countBody(type: string, model: string, request: JsonObject): JsonObject {
  const { contents = [], ...rest } = request;
  if (type === "vertex") {
    const out: JsonObject = { contents };
    for (const k of VERTEX_COUNTED) if (rest[k] !== undefined) out[k] = rest[k];
    return out;
  }
  if (Object.keys(rest).length === 0) return { contents };
  return { generateContentRequest: { model: `models/${model.replace(/^models\//, "")}`, contents, ...rest } };
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
  ex.rec.requested = model;
  const route = deps.models.resolve(model);
  // countTokens takes the request either bare or wrapped in generateContentRequest.
  const request = isObject(body) && isObject(body.generateContentRequest) ? body.generateContentRequest : body;
  if (route?.provider.countTarget && route.provider.dialect === "gemini" && isObject(body)) {
    ex.rec.provider = route.provider.name;
    ex.rec.model = route.upstreamModel;
    const target = route.provider.countTarget(route.upstreamModel, {
      stream: false,
      callerKey: principal.credentials?.get(route.provider.name) ?? principal.callerKey,
      clientHeaders: ex.req.headers,
      sameDialect: true,
      warnings: new Warnings(),
    });
    const { model: _m, ...bare } = isObject(request) ? request : {};
    try {
      const reply = await callUpstream(
        deps.pool,
        route.provider,
        target,
        JSON.stringify(countBody(route.provider.type, route.upstreamModel, bare)),
        AbortSignal.any([ex.signal, AbortSignal.timeout(60_000)]),
      );
      const text = await readAnswer(deps.pool, reply.body);
      ex.rec.status = reply.status;
      ex.res.writeHead(reply.status, { "content-type": "application/json" });
      ex.res.end(text);
      return;
    } catch (err) {
      if (!(err instanceof UpstreamFailure)) throw err;
      // fall back to an estimate
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
