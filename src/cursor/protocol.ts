/**
 * The messages between llmux and its Cursor helper process, one JSON object per line over stdio. llmux
 * sends commands (each with its request id), the helper answers with events tagged with the id of the
 * request they belong to. Types only: the helper (run by Node 22 with its types stripped) imports this file
 * for its types, which vanish at run time.
 */

export interface ToolSpec {
  name: string;
  description?: string;
  inputSchema?: Record<string, unknown>;
}

export interface ImageIn {
  /** Base64 image bytes (JPEG, PNG, GIF or WebP). */
  data: string;
  mimeType: string;
}

/** Starts a run: on a new agent (no `conversation`, or one the helper no longer has) or a known one. */
export interface RunCommand {
  op: "run";
  id: string;
  /** The Cursor API key; held in the helper's memory only. */
  key: string;
  model: string;
  /** The conversation to continue; a new one is made (and named in the `end` event) when absent. */
  conversation?: string;
  text: string;
  images?: ImageIn[];
  tools: ToolSpec[];
  /** Replaces Cursor's system prompt (system_prompt: replace). */
  systemPrompt?: string;
}

export interface ToolResultIn {
  callId: string;
  content: ({ type: "text"; text: string } | { type: "image"; data: string; mimeType: string })[];
  isError?: boolean;
}

/** Hands tool results to the run that is waiting for them; the rest of that run streams as request `id`. */
export interface ResumeCommand {
  op: "resume";
  id: string;
  key: string;
  results: ToolResultIn[];
}

/** The client went away: stop the run that streams as request `id` (unless it waits for tool results). */
export interface CancelCommand {
  op: "cancel";
  id: string;
}

export type Command = RunCommand | ResumeCommand | CancelCommand;

export interface UsageOut {
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  reasoningTokens?: number;
}

export interface ErrorOut {
  status: number;
  kind: "authentication" | "permission" | "rate_limit" | "invalid_request" | "not_found" | "server";
  message: string;
  /**
   * Not the SDK's: the helper has no run waiting for these tool results (unknown_call), or the conversation
   * is gone or in use (gone); llmux then starts a new conversation from the history.
   */
  code?: "unknown_call" | "gone";
}

export type HelperEvent =
  | { ev: "ready"; sdk: string; node: string }
  | { id: string; ev: "text"; text: string }
  | { id: string; ev: "thinking"; text: string }
  | { id: string; ev: "tool_call"; callId: string; name: string; args: unknown }
  /** The request is over: the run finished (end_turn), or waits for the results of the tool calls sent. */
  | { id: string; ev: "end"; stop: "end_turn" | "tool_use"; conversation: string; usage?: UsageOut }
  | { id: string; ev: "error"; error: ErrorOut }
  /** A line for llmux's log (debug), never holding a key. */
  | { ev: "log"; message: string };
