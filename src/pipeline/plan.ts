import { adaptCursorRequest } from "../clients/cursor.js";
import { type ClientName, isResponsesShaped } from "../clients/detect.js";
import { restoreCustomCalls, stripThinkTags } from "../clients/normalize.js";
import { newId } from "../ir/ids.js";
import { InputError, isObject } from "../ir/input-error.js";
import type { Dialect, ErrorInfo, Json, JsonObject, UpstreamDialect } from "../ir/types.js";
import { Warnings } from "../ir/warnings.js";
import { capabilitiesOf } from "../models/capabilities.js";
import { applyAliasSettings, applyCapabilities, type Policy } from "../models/policy.js";
import { bodyView, irView } from "../models/settings-view.js";
import type { ReasoningCache } from "../reasoning/cache.js";
import { dropForeignReasoning, envelopeWrapper, openEnvelopes } from "../reasoning/carry.js";
import type { Origin } from "../reasoning/envelope.js";
import { inputItems, resolveItemReferences, resolvePrevious } from "../responses/history.js";
import type { ModelTable, Route } from "../routing/model-table.js";
import type { ResponseStore } from "../store/types.js";
import { codecs, upstreamCodecs } from "../translate/codecs.js";
import { repairToolPairing } from "../translate/repair-pairing.js";
import type { ChatReasoningMode, ResponseOptions, ToolMapping } from "../translate/types.js";
import { spliceBody } from "../upstream/json-splice.js";

/** Everything needed to call the upstream and answer the client. */
export interface Plan {
  route: Route;
  client: Dialect;
  upstream: UpstreamDialect;
  /** Same dialect on both sides: the body is patched, not translated, and the reply bytes pass through. */
  passthrough: boolean;
  /** The upstream request body, serialised (released once sent: see `takeBody`). */
  body: string | Buffer;
  /** Whether the client asked for a stream. */
  clientStream: boolean;
  /** Whether the upstream was asked for a stream. */
  upstreamStream: boolean;
  tools: ToolMapping;
  response: ResponseOptions;
  warnings: Warnings;
  /** The provider and model that will produce the answer. */
  origin: Origin;
  /** Chat clients echo no reasoning: remember the answer's reasoning under this scope. */
  captureScope?: string | undefined;
  /** Responses clients with store: what to keep once the answer is complete. */
  storeAs?: { previousId?: string | undefined; input: JsonObject[] } | undefined;
}

/** Reasoning and Responses state, opened on first use, seen as one caller's. */
export interface State {
  /** Whose stored data this request may read and write (Principal.owner); it also scopes cached reasoning. */
  readonly owner: string;
  secret(): Promise<string>;
  readonly cache: ReasoningCache;
  responses(): ResponseStore;
}

export interface PrepareInput {
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
  defaults: { policy: Policy; reasoningDisplay: ChatReasoningMode };
  /** Which client this is (Cursor gets its own treatment) and how Cursor is served. */ clientName?: ClientName;
  cursor?: { reasoningDisplay: ChatReasoningMode; errorsAsText: boolean };
  state?: State;
  /** Plan for this route (a chosen deployment, a fallback alias) instead of resolving the model name. */
  route?: Route | undefined;
}

function invalid(param: string | null, message: string): ErrorInfo {
  return new InputError(param, message).toErrorInfo();
}

/** The plan stage: decides how a request goes upstream, or says why it cannot. */
export async function prepare(input: PrepareInput): Promise<Plan | ErrorInfo> {
  const { client, body } = input;
  if (!isObject(body)) return invalid(null, "Request body must be a JSON object");
  const requested = input.pathModel ?? body.model;
  if (typeof requested !== "string" || requested.length === 0) return invalid("model", "model is required");
  const route = input.route ?? input.models.resolve(requested);
  if (!route) {
    const known = input.models.names();
    return {
      status: 404,
      kind: "not_found",
      message: `The model '${requested}' is not configured here. Known models: ${known.length > 0 ? known.join(", ") : "(none)"}`,
      param: "model",
      code: "model_not_found",
    };
  }
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
  if (same && !cursor && !needsEcho && !provider.normalizeStream) {
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
      body: input.raw ? spliceBody(input.raw, body, patched) : JSON.stringify(patched),
      clientStream: stream,
      upstreamStream: stream,
      tools: new Map(),
      response,
      warnings,
      origin,
    };
  }

  const state = input.state;
  if (state && requestDialect === "openai-responses")
    await resolveItemReferences(body, state.responses(), state.owner, warnings);
  let ir: ReturnType<(typeof codecs)[Dialect]["decodeRequest"]>;
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
  let storeAs: Plan["storeAs"];
  if (state && requestDialect === "openai-responses") {
    if (ir.previousResponseId) {
      const missing = await resolvePrevious(ir, state.responses(), state.owner);
      // Cursor sends its full history too: an id llmux never stored is only dropped for it.
      if (missing && !cursor) return missing;
      if (missing) {
        warnings.add("previous_response_dropped", missing.message, "previous_response_id");
        delete ir.previousResponseId;
      }
    }
    if (client === "openai-responses" && ir.store !== false) {
      storeAs = { previousId: body.previous_response_id as string | undefined, input: inputItems(body) };
      // What llmux stores is named by llmux: upstream ids may repeat (some local servers reuse one).
      response.responseId = newId("resp_");
    }
  }
  restoreCustomCalls(ir);
  if (client === "openai-chat" && response.reasoningMode === "think-tags") stripThinkTags(ir);
  if (cursor) adaptCursorRequest(ir);
  if (state) {
    if (client !== "openai-chat") {
      const secret = await state.secret();
      openEnvelopes(ir, secret, warnings);
      response.wrapReasoning = envelopeWrapper(origin, () => secret);
    } else await state.cache.restore(ir, origin, state.owner, warnings);
    dropForeignReasoning(ir, origin, warnings);
  }
  repairToolPairing(ir, warnings);
  const view = irView(ir);
  applyAliasSettings(view, route.settings);
  const refused = applyCapabilities(view, caps, route.upstreamModel, policy, requestDialect, warnings);
  if (refused) return refused;
  ir.model = route.upstreamModel;
  // Upstreams are always called streaming: no long-request timeouts, and one code path for every client.
  ir.stream = true;
  const encoded = upstreamCodecs[upstream].encodeRequest(ir, {
    ...provider.requestOptions(route.upstreamModel),
    noObfuscation: true,
  });
  for (const w of encoded.warnings) warnings.add(w.code, w.message, w.param);
  return {
    route,
    client,
    upstream,
    passthrough: false,
    body: JSON.stringify(encoded.value.body),
    clientStream,
    upstreamStream: true,
    tools: encoded.value.tools,
    response,
    warnings,
    origin,
    captureScope: state && client === "openai-chat" ? state.owner : undefined,
    storeAs,
  };
}

function inToolLoop(body: JsonObject): boolean {
  if (Array.isArray(body.tools) && body.tools.length > 0) return true;
  const messages = body.messages;
  return Array.isArray(messages) && messages.some((m) => isObject(m) && m.role === "assistant");
}
