import { type ClientName, isResponsesShaped } from "../clients/detect.js";
import type { ChatReasoningMode, ResponseOptions } from "../dialects/types.js";
import type { Principal } from "../identity/principal.js";
import { newId } from "../ir/ids.js";
import { InputError, isObject } from "../ir/input-error.js";
import type { Dialect, ErrorInfo, Json, JsonObject, Request } from "../ir/types.js";
import { Warnings } from "../ir/warnings.js";
import { usableNames } from "../limits/allow-list.js";
import { wrongRoute } from "../models/alias-kind.js";
import { capabilitiesOf } from "../models/capabilities.js";
import { applyAliasSettings, applyCapabilities, type Policy } from "../models/policy.js";
import { bodyView, irView } from "../models/settings-view.js";
import type { Origin } from "../reasoning/envelope.js";
import type { Plan } from "../request/plan.js";
import { inputItems } from "../responses/history.js";
import type { ModelTable, Route } from "../routing/model-table.js";
import { codecs } from "../translate/codecs.js";
import { spliceBody } from "../upstream/json-splice.js";
import { planWebTools, type WebAvailability } from "./web-tools-plan.js";

export interface PlanInput {
  /** The dialect of the route the request came in on (and that the client expects back). */
  client: Dialect;
  body: Json;
  /** The body as the client sent it: a passthrough copies its unchanged members byte for byte. */
  raw?: Buffer | undefined;
  /** Model named by the path (Azure deployment routes, Gemini), overriding the body's. */
  pathModel?: string | undefined;
  /** Streaming as the path asks for it (Gemini `:streamGenerateContent`), overriding the body's. */
  pathStream?: boolean | undefined;
  models: ModelTable;
  /** The caller's allow-lists and providers: a model-not-found error offers only the models it may use. */
  caller?: { readonly allow?: Principal["allow"]; readonly providers?: Principal["providers"] } | undefined;
  defaults: { policy: Policy; reasoningDisplay: ChatReasoningMode };
  /** Which client this is (Cursor gets its own treatment) and how Cursor is served. */
  clientName?: ClientName | undefined;
  cursor?: { reasoningDisplay: ChatReasoningMode; errorsAsText: boolean } | undefined;
  /** Whose stored state the request may use (Principal.owner); undefined: none is kept or restored. */
  owner?: string | undefined;
  /**
   * Translate even between two sides of one dialect: the answer's events must be seen (the guardrails put
   * masked secrets back into them).
   */
  translate?: boolean | undefined;
  /** Plan for this route (a chosen deployment, a fallback alias) instead of resolving the model name. */
  route?: Route | undefined;
  /** The web tools llmux can run for this caller, when the upstream cannot (none: none). */
  web?: WebAvailability | undefined;
}

function invalid(param: string | null, message: string): ErrorInfo {
  return new InputError(param, message).toErrorInfo();
}

/** The most output tokens a body lets the model produce, by any of the dialects' spellings. */
function maxTokensOf(body: JsonObject): number | undefined {
  for (const k of ["max_tokens", "max_completion_tokens", "max_output_tokens"]) {
    const v = body[k];
    if (typeof v === "number" && v > 0) return v;
  }
  return undefined;
}

/**
 * The plan stage: decides how a request goes upstream — which route, passed through or translated, what the
 * alias's settings and the model's capabilities make of it — or says why it cannot. It does no I/O: a
 * translated plan's conversation is restored (stored Responses, reasoning) and encoded later
 * (pipeline/restore.ts, pipeline/encode.ts), once the request is admitted.
 */
export function plan(input: PlanInput): Plan | ErrorInfo {
  const { client, body } = input;
  if (!isObject(body)) return invalid(null, "Request body must be a JSON object");
  const requested = input.pathModel ?? body.model;
  if (typeof requested !== "string" || requested.length === 0) return invalid("model", "model is required");
  const route = input.route ?? input.models.resolve(requested);
  if (!route) {
    const known = usableNames(input.models.names(), input.caller, (n) => input.models.resolve(n)?.provider.name);
    const yours = input.caller?.allow || input.caller?.providers ? "Models this API key may use" : "Known models";
    return {
      status: 404,
      kind: "not_found",
      message: `The model '${requested}' is not configured here. ${yours}: ${known.length > 0 ? known.join(", ") : "(none)"}`,
      param: "model",
      code: "model_not_found",
    };
  }
  const wrong = wrongRoute(requested, route.settings, "chat");
  if (wrong) return invalid("model", wrong);
  const provider = route.provider;
  const unusable = provider.modelProblem?.(route.upstreamModel);
  if (unusable) return invalid("model", `The model '${requested}' cannot be served: ${unusable}`);
  const upstream = provider.dialect;
  const warnings = new Warnings();
  const policy = route.settings.policy ?? input.defaults.policy;
  const caps = capabilitiesOf(route.upstreamModel);
  const cursor = input.clientName === "cursor" ? input.cursor : undefined;
  // A Responses-shaped body on the Chat route (Cursor 2026) is read as Responses and answered as Chat.
  const requestDialect: Dialect = client === "openai-chat" && isResponsesShaped(body) ? "openai-responses" : client;
  const response: ResponseOptions = {
    model: requested,
    reasoningMode: route.settings.reasoning_display ?? cursor?.reasoningDisplay ?? input.defaults.reasoningDisplay,
  };
  if (cursor) {
    response.customToolCalls = "function";
    response.errorsAsText = cursor.errorsAsText;
  }
  const origin: Origin = { provider: provider.name, model: route.upstreamModel };
  // Chat clients drop reasoning; upstreams that need it echoed (DeepSeek, Kimi) get it from llmux's cache,
  // which needs the translated path even between two Chat sides.
  const field = provider.requestOptions(route.upstreamModel).reasoningField;
  // `auto` only matters in a tool loop (where reasoning must come back): a request with tools, whose
  // answer's reasoning is kept, or one with an assistant turn to echo it into.
  const needsEcho = client === "openai-chat" && field !== undefined && (field !== "auto" || inToolLoop(body));
  // A Gemini body names neither its model nor streaming (the URL does): it is always translated.
  const same = upstream === client && requestDialect === client && client !== "gemini";
  if (same && !input.translate && !cursor && !needsEcho && !provider.normalizeStream) {
    const patched: JsonObject = { ...body, model: route.upstreamModel };
    const view = bodyView(client, patched);
    applyAliasSettings(view, route.settings);
    const refused = applyCapabilities(view, caps, route.upstreamModel, policy, client, warnings);
    if (refused) return refused;
    const stream = patched.stream === true;
    if (client === "openai-chat" && isObject(patched.stream_options) && patched.stream_options.include_usage === true) {
      response.includeUsage = true;
    }
    return {
      route,
      client,
      upstream,
      passthrough: true,
      requestDialect,
      body: input.raw ? spliceBody(input.raw, body, patched) : JSON.stringify(patched),
      clientStream: stream,
      upstreamStream: stream,
      tools: new Map(),
      response,
      warnings,
      origin,
      cursor: false,
      maxOutputTokens: maxTokensOf(patched),
      // What a Responses upstream keeps (store defaults to true) belongs to the caller that made it.
      upstreamKeeps: client === "openai-responses" && body.store !== false,
    };
  }

  let ir: Request;
  try {
    ir = codecs[requestDialect].decodeRequest(body);
  } catch (err) {
    if (err instanceof InputError) return err.toErrorInfo();
    throw err;
  }
  if (input.pathStream !== undefined) ir.stream = input.pathStream;
  const clientStream = ir.stream;
  if (ir.streamUsage) response.includeUsage = true;
  // Anthropic clients read input tokens from message_start (LangChain only there); an upstream of another
  // dialect reports them at the end: until then, the request's size says about how many (≈4 bytes each).
  if (client === "anthropic" && input.raw) response.inputTokensEstimate = Math.ceil(input.raw.length / 4);
  const owner = input.owner;
  let storeAs: Plan["storeAs"];
  // Translated only so that llmux sees the answer (the guardrails put masked values back): a Responses upstream
  // keeps the conversation as it would passed through, under its own ids (a previous_response_id it issued
  // is resolved there, the next turn may go passed through again).
  const upstreamKeeps =
    same && input.translate === true && !cursor && client === "openai-responses" && ir.store !== false;
  if (owner !== undefined && client === "openai-responses" && ir.store !== false && !upstreamKeeps) {
    storeAs = { previousId: body.previous_response_id as string | undefined, input: inputItems(body) };
    // What llmux stores is named by llmux: upstream ids may repeat (some local servers reuse one).
    response.responseId = newId("resp_");
  }
  const view = irView(ir);
  applyAliasSettings(view, route.settings);
  const refused = applyCapabilities(view, caps, route.upstreamModel, policy, requestDialect, warnings);
  if (refused) return refused;
  const web = planWebTools(ir, upstream, input.web, warnings);
  return {
    route,
    client,
    upstream,
    passthrough: false,
    requestDialect,
    body: "",
    ir,
    clientStream,
    upstreamStream: true,
    tools: new Map(),
    response,
    warnings,
    origin,
    cursor: cursor !== undefined,
    maxOutputTokens: ir.maxOutputTokens,
    captureScope: owner !== undefined && client === "openai-chat" ? owner : undefined,
    storeAs,
    ...(upstreamKeeps ? { upstreamKeeps } : {}),
    web,
  };
}

function inToolLoop(body: JsonObject): boolean {
  if (Array.isArray(body.tools) && body.tools.length > 0) return true;
  const messages = body.messages;
  return Array.isArray(messages) && messages.some((m) => isObject(m) && m.role === "assistant");
}
