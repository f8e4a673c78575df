import type { Dialect, ReasoningPart, StreamEvent, ToolKind, Warning } from "../ir/types.js";
import type { SseEvent } from "../sse/parser.js";

/** Receives IR stream events from a decoder. */
export type EventSink = (event: StreamEvent) => void;

/** Upstream wire events → IR events. One instance per request; it keeps the index bookkeeping. */
export interface StreamDecoder {
  event(event: SseEvent, out: EventSink): void;
  /** The upstream body ended (cleanly or not). */
  end(out: EventSink): void;
}

/** IR events → client wire text. One instance per request. */
export interface StreamEncoder {
  write(event: StreamEvent): void;
  /** Returns the wire text produced since the last call. */
  take(): string;
  /** True once a terminal event (end or error) was written. */
  readonly finished: boolean;
}

/** How a tool the client declared was named and shaped upstream, so calls can be mapped back. */
export interface ToolIdentity {
  name: string;
  kind: ToolKind;
  namespace?: string;
  /** A custom (free-form) tool emulated upstream as a function with one string parameter `input`. */
  wrapped?: boolean;
}

/** Upstream tool name → the client's tool identity. Only renamed or re-shaped tools appear. */
export type ToolMapping = Map<string, ToolIdentity>;

/**
 * Turns a reasoning part into the opaque string a client of `target` will echo back (an Anthropic
 * signature or a Responses encrypted_content), when the part's own opaque state is foreign to `target`.
 */
export type ReasoningWrapper = (part: ReasoningPart, target: Dialect) => string | undefined;

/** How reasoning text is shown to Chat Completions clients. */
export type ChatReasoningMode = "reasoning_content" | "think-tags" | "none";

/** Options for the client-facing (response) side of a translation. */
export interface ResponseOptions {
  /** Model name to report to the client (the alias it asked for). */
  model?: string;
  /** Chat: add the usage chunk (stream_options.include_usage). */
  includeUsage?: boolean;
  /** Chat: where reasoning text goes. Default `reasoning_content`. */
  reasoningMode?: ChatReasoningMode;
  /** Wraps foreign reasoning state into this client's opaque field. */
  wrapReasoning?: ReasoningWrapper;
  /**
   * Chat: how free-form (custom) tool calls are written. "custom" (default) is the OpenAI shape; "function"
   * puts the raw input in `function.arguments`, for clients that only understand function calls (Cursor).
   */
  customToolCalls?: "custom" | "function";
  /**
   * Chat: end a stream that fails after it started with the error as readable text and finish_reason
   * "stop", for clients that show nothing for an in-stream error (Cursor).
   */
  errorsAsText?: boolean;
  /**
   * Responses: the response's id, made by llmux, instead of one derived from the upstream's (stored responses:
   * an upstream that repeats ids must not make two answers one).
   */
  responseId?: string;
  /**
   * Anthropic: input tokens to report in message_start when the upstream reported none there (an upstream
   * of another dialect reports usage at the end; some clients read input tokens only from message_start).
   */
  inputTokensEstimate?: number;
}

/** Options for the upstream-facing side of decoding a response or stream. */
export interface DecodeOptions {
  tools?: ToolMapping;
}

export interface Encoded<T> {
  value: T;
  warnings: Warning[];
}
