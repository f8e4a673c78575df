/**
 * The canonical intermediate representation (IR) shared by every dialect.
 *
 * It is a superset of OpenAI Chat Completions, OpenAI Responses, Anthropic Messages and Gemini: each decoder maps
 * its wire format into these types and each encoder maps them back out. Whatever a dialect sends that the
 * IR does not model travels in `extras`, tagged with the dialect it came from, so a same-dialect encoder can
 * put it back and a cross-dialect encoder can report it as dropped instead of losing it silently.
 */

export type Dialect = "openai-chat" | "openai-responses" | "anthropic" | "gemini";

export const DIALECTS: readonly Dialect[] = ["openai-chat", "openai-responses", "anthropic", "gemini"];

/** What an upstream may speak: every client dialect, and Amazon Bedrock's Converse API (upstream only). */
export type UpstreamDialect = Dialect | "bedrock-converse";

/** Any JSON value. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

/** Fields a decoder did not map, keyed by their wire names, remembered with the dialect they belong to. */
export interface Extras {
  dialect: Dialect;
  fields: JsonObject;
}

// ---------------------------------------------------------------------------------------------------------
// Content parts
// ---------------------------------------------------------------------------------------------------------

export type MediaSource =
  | { kind: "url"; url: string }
  | { kind: "base64"; mediaType: string; data: string }
  | { kind: "file_id"; fileId: string }
  /** Plain-text document (Anthropic `document` with a `text` source). */
  | { kind: "text"; mediaType: string; data: string };

export interface TextPart {
  type: "text";
  text: string;
  cacheControl?: Json;
  /** Citations / annotations, in the wire form of `extras.dialect` (or of the decoder's dialect). */
  annotations?: Json[];
  extras?: Extras;
}

export interface ImagePart {
  type: "image";
  source: MediaSource;
  detail?: string;
  cacheControl?: Json;
  extras?: Extras;
}

export interface FilePart {
  type: "file";
  source: MediaSource;
  filename?: string;
  cacheControl?: Json;
  extras?: Extras;
}

export interface AudioPart {
  type: "audio";
  data: string;
  format: string;
}

export interface RefusalPart {
  type: "refusal";
  text: string;
}

/**
 * Model reasoning with its opaque replay state. Exactly which fields are set depends on the provider that
 * produced it: Anthropic gives `text` + `signature` or `redacted`; Responses gives `id`, `summary` and
 * `encrypted`; OpenAI-compatible servers give `text` (reasoning_content) and, on OpenRouter, `signature`
 * or `encrypted` through reasoning_details.
 */
export interface ReasoningPart {
  type: "reasoning";
  /** The visible reasoning text (thinking text, or the summary parts joined with blank lines). */
  text: string;
  /** Responses summary parts, when the source kept them apart. */
  summary?: string[];
  /** True when `text` is raw reasoning (Responses `reasoning_text`, reasoning_content) rather than a summary. */
  raw?: boolean;
  /** Anthropic thinking signature. */
  signature?: string;
  /** Anthropic redacted_thinking data. */
  redacted?: string;
  /** Responses encrypted_content. */
  encrypted?: string;
  /**
   * Gemini thoughtSignature. Gemini attaches it to the part that follows the thinking (a functionCall, a
   * text part); the IR carries it as reasoning of its own, placed before the call it belongs to.
   */
  thoughtSignature?: string;
  /** Responses reasoning item id (rs_…). */
  id?: string;
  /**
   * The provider and model that produced this state, when llmux knows it (from an envelope or its
   * reasoning cache); opaque state never goes to another provider or model.
   */
  origin?: { provider: string; model: string };
  /** The Chat Completions field an upstream sent this reasoning in (echoed back there under `auto`). */
  field?: "reasoning_content" | "reasoning";
  extras?: Extras;
}

export type ToolKind = "function" | "custom";

export interface ToolCallPart {
  type: "tool_call";
  /** The id used to pair the call with its result (Chat `id`, Responses `call_id`, Anthropic `tool_use.id`). */
  id: string;
  name: string;
  /** JSON text for function tools (possibly invalid), free-form input for custom tools. */
  arguments: string;
  kind: ToolKind;
  /** Responses item id (fc_… / ctc_…), distinct from the pairing id. */
  itemId?: string;
  /** Responses namespace the tool was declared in. */
  namespace?: string;
  extras?: Extras;
}

export type ToolResultContent = TextPart | ImagePart | FilePart;

export interface ToolResultPart {
  type: "tool_result";
  callId: string;
  content: ToolResultContent[];
  isError?: boolean;
  kind?: ToolKind;
  cacheControl?: Json;
  extras?: Extras;
}

/** Something only one dialect can express (server-tool blocks, built-in tool items, item references…). */
export interface RawPart {
  type: "raw";
  dialect: Dialect;
  value: JsonObject;
}

export type UserPart = TextPart | ImagePart | FilePart | AudioPart | RawPart;
export type AssistantPart = TextPart | RefusalPart | ReasoningPart | ToolCallPart | RawPart;
export type Part = UserPart | AssistantPart | ToolResultPart;

// ---------------------------------------------------------------------------------------------------------
// Messages and requests
// ---------------------------------------------------------------------------------------------------------

export type Role = "system" | "developer" | "user" | "assistant" | "tool";

export interface Message {
  role: Role;
  /** system/developer: text; user: UserPart; assistant: AssistantPart; tool: ToolResultPart. */
  content: Part[];
  name?: string;
  /** Responses assistant message phase (commentary / final_answer). */
  phase?: string;
  /** Responses message item id. */
  id?: string;
  extras?: Extras;
}

export type ToolFormat = { type: "text" } | { type: "grammar"; syntax: string; definition: string };

export type Tool =
  | {
      kind: "function";
      name: string;
      description?: string;
      parameters?: Json;
      strict?: boolean | null;
      namespace?: string;
      /** The namespace's own fields (description…), when the tool was declared inside one. */
      namespaceInfo?: JsonObject;
      /** Declared inside the conversation (a Responses `additional_tools` item), not in `tools`. */
      inline?: boolean;
      cacheControl?: Json;
      extras?: Extras;
    }
  | {
      kind: "custom";
      name: string;
      description?: string;
      format?: ToolFormat;
      namespace?: string;
      namespaceInfo?: JsonObject;
      inline?: boolean;
      extras?: Extras;
    }
  | { kind: "raw"; dialect: Dialect; value: JsonObject };

export type ToolChoice =
  | { type: "auto" }
  | { type: "none" }
  | { type: "required" }
  | { type: "tool"; name: string; kind?: ToolKind }
  | { type: "allowed"; mode: "auto" | "required"; names: string[] }
  | { type: "raw"; dialect: Dialect; value: Json };

export type Effort = "none" | "minimal" | "low" | "medium" | "high" | "xhigh" | "max";

export interface ReasoningConfig {
  effort?: Effort;
  /** Responses summary level (auto / concise / detailed), or null to ask for none. */
  summary?: string | null;
  /** Anthropic thinking form. */
  mode?: "enabled" | "adaptive" | "disabled";
  budgetTokens?: number;
  /** Anthropic thinking display (summarized / omitted). */
  display?: string;
}

export type ResponseFormat =
  | { type: "text" }
  | { type: "json_object" }
  | { type: "json_schema"; name?: string; schema?: Json; strict?: boolean; description?: string };

export interface Request {
  /** The dialect the request was decoded from. */
  source: Dialect;
  model: string;
  /** Top-level system prompt: Anthropic `system`, Responses `instructions`. */
  instructions?: TextPart[];
  messages: Message[];
  tools?: Tool[];
  toolChoice?: ToolChoice;
  parallelToolCalls?: boolean;
  stream: boolean;
  /** Chat `stream_options.include_usage`. */
  streamUsage?: boolean;
  maxOutputTokens?: number;
  temperature?: number;
  topP?: number;
  topK?: number;
  stop?: string[];
  seed?: number;
  reasoning?: ReasoningConfig;
  verbosity?: string;
  responseFormat?: ResponseFormat;
  user?: string;
  metadata?: JsonObject;
  promptCacheKey?: string;
  serviceTier?: string;
  store?: boolean;
  previousResponseId?: string;
  include?: string[];
  truncation?: string;
  /** Unmapped top-level fields of the source dialect. */
  extras?: Extras;
}

// ---------------------------------------------------------------------------------------------------------
// Responses, usage, errors
// ---------------------------------------------------------------------------------------------------------

export type StopReason =
  | "end_turn"
  | "max_tokens"
  | "stop_sequence"
  | "tool_use"
  | "content_filter"
  | "refusal"
  | "pause_turn"
  | "context_window_exceeded";

export interface Usage {
  /** All input tokens, cache reads and writes included (the OpenAI convention). */
  inputTokens: number;
  /** All output tokens, reasoning included. */
  outputTokens: number;
  cacheReadTokens?: number;
  cacheWriteTokens?: number;
  reasoningTokens?: number;
  /** Search units a rerank call was billed (Cohere): priced per unit, not per token. */
  searchUnits?: number;
  /** True when a figure was estimated by llmux rather than reported by the upstream. */
  estimated?: boolean;
  /** Dialect-specific usage details (Anthropic cache_creation, server_tool_use…). */
  extras?: Extras;
}

export interface Response {
  id: string;
  model: string;
  /** Unix seconds. */
  created: number;
  content: AssistantPart[];
  stopReason: StopReason;
  stopSequence?: string | null;
  usage?: Usage;
  /** Responses message phase of the final text, when given. */
  extras?: Extras;
}

export type ErrorKind =
  | "invalid_request"
  | "authentication"
  | "permission"
  | "not_found"
  | "request_too_large"
  | "rate_limit"
  | "billing"
  | "server"
  | "overloaded"
  | "timeout"
  | "content_filter"
  | "context_length";

export interface ErrorInfo {
  /** The HTTP status this error stands for (already mapped to a standard code). */
  status: number;
  kind: ErrorKind;
  message: string;
  /** The request field the error is about, when known (e.g. `messages[2].role`). */
  param?: string | null;
  /** A machine code (`context_length_exceeded`, `rate_limit_exceeded`…). */
  code?: string | null;
  /** `retry-after` value to hand to the client. */
  retryAfter?: string;
  /** More response headers for the client (rate-limit state: x-ratelimit-*, anthropic-ratelimit-*). */
  headers?: Record<string, string>;
}

export interface Warning {
  code: string;
  message: string;
  param?: string;
}

// ---------------------------------------------------------------------------------------------------------
// Stream events
// ---------------------------------------------------------------------------------------------------------

/**
 * What a stream block is, announced when it opens. Blocks are strictly sequential: a decoder closes one
 * block before it opens the next, whatever its upstream does, so encoders never see interleaving.
 */
export type BlockHead =
  | { type: "text"; extras?: Extras }
  | { type: "refusal" }
  | { type: "reasoning"; id?: string; redacted?: string; raw?: boolean }
  | { type: "tool_call"; id: string; name: string; kind: ToolKind; itemId?: string; namespace?: string }
  | { type: "raw"; dialect: Dialect; value: JsonObject };

export type DeltaKind = "text" | "refusal" | "reasoning" | "arguments";

export type StreamEvent =
  | { type: "start"; id: string; model: string; created: number; usage?: Usage }
  | { type: "block_start"; index: number; block: BlockHead }
  /** `part` is the Responses summary index for reasoning deltas. */
  | { type: "delta"; index: number; kind: DeltaKind; text: string; part?: number }
  /** A same-dialect-only event belonging to a raw block (or to no block when index is -1). */
  | { type: "raw_delta"; index: number; dialect: Dialect; value: JsonObject }
  /** The block is complete; `part` is its final content. */
  | { type: "block_stop"; index: number; part: AssistantPart }
  | { type: "usage"; usage: Usage }
  | { type: "end"; stopReason: StopReason; stopSequence?: string | null; usage?: Usage; extras?: Extras }
  | { type: "error"; error: ErrorInfo };
