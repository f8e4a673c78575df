import { isObject } from "../ir/input-error.js";
import type { Dialect, Json } from "../ir/types.js";
import type { SseEvent } from "../sse/parser.js";
import { codecs } from "../translate/codecs.js";

/** What the start of an upstream event stream says about the rest. */
export type StartVerdict =
  /** A stream of the dialect, as the wire format has it: relayed as it comes. */
  | { kind: "ok" }
  /** The stream opens with an error object: that error, with its status (nothing was sent yet). */
  | { kind: "error"; status: number; text: string }
  /** Not a stream of the dialect at all (empty, not JSON, another shape): a 502 naming what came. */
  | { kind: "bad"; message: string }
  /** A stream of the dialect that deviates from its wire format: decoded and re-encoded, so SDKs read it. */
  | { kind: "deviates"; why: string };

/** Events read at most before a stream is judged (an Azure Chat stream opens with a chunk without choices). */
export const MAX_PEEKED_EVENTS = 8;

export function preview(text: string): string {
  return text
    .trim()
    .slice(0, 120)
    .replace(/\s+/g, " ")
    .replace(/[^\x20-\x7e]/g, "?");
}

function parse(data: string): Json | undefined {
  try {
    return JSON.parse(data) as Json;
  } catch {
    return undefined;
  }
}

/** An error object in place of an event (`{error: …}`, `{type: "error"}`): its status, mapped by the dialect. */
function asError(dialect: Dialect, data: string, v: Json): StartVerdict | undefined {
  // An event of the dialect may carry an `error` member (Responses' response.failed): only a bare one counts.
  const isError =
    isObject(v) && (v.type === "error" || (v.error !== undefined && v.error !== null && typeof v.type !== "string"));
  if (!isError) return undefined;
  const status = codecs[dialect].decodeError(200, v).status;
  return { kind: "error", status: status >= 400 ? status : 502, text: data };
}

/** Why a Chat chunk deviates from the wire format (what the official SDKs rely on), or undefined. */
function chatDeviation(choice: Json): string | undefined {
  if (!isObject(choice) || !isObject(choice.delta)) return undefined;
  const delta = choice.delta;
  if (Array.isArray(delta.content)) return "content as an array of parts";
  if (Array.isArray(delta.tool_calls) && delta.tool_calls.some((t) => isObject(t) && typeof t.index !== "number"))
    return "tool_calls deltas without index";
  if (delta.role === undefined) return "a first chunk without role";
  return undefined;
}

/** What the screen remembers between the events of one stream's start. */
export interface ScreenState {
  /** The response id of the first Responses lifecycle event. */
  responseId?: string | undefined;
}

const LIFECYCLE = new Set([
  "response.created",
  "response.queued",
  "response.in_progress",
  "response.completed",
  "response.incomplete",
  "response.failed",
]);
/** Responses events about one output item: the official SDKs place them by their `output_index`. */
const ITEM_EVENT = /^response\.(output_|content_part\.|function_call_arguments\.|reasoning|refusal\.)/;

/**
 * Why a Responses event deviates from the wire format the official SDKs' stream helpers hold it to, or
 * undefined; `decided`: the event settles the stream's start (an output event that is as it should be).
 */
function responsesDeviation(v: Record<string, Json>, state: ScreenState): { why?: string; decided: boolean } {
  const type = v.type as string;
  if (LIFECYCLE.has(type)) {
    const r = v.response;
    if (!isObject(r) || typeof r.id !== "string")
      return { why: `a ${type} event without a response id`, decided: true };
    if (state.responseId !== undefined && r.id !== state.responseId)
      return { why: "the response id changes between lifecycle events", decided: true };
    state.responseId ??= r.id;
    if (type !== "response.failed" && !Array.isArray(r.output))
      return { why: `a ${type} event without response.output`, decided: true };
    return { decided: type === "response.completed" || type === "response.incomplete" };
  }
  if (ITEM_EVENT.test(type)) {
    if (typeof v.output_index !== "number") return { why: "output events without output_index", decided: true };
    return { decided: true };
  }
  return { decided: false };
}

/**
 * Judges one event at the start of a stream of `dialect`, or undefined when it does not decide (a Chat
 * chunk without choices, as Azure's first one; a Responses lifecycle event, before the first output event).
 * `state` carries what the events before said (the stream's response id).
 */
export function judgeScreen(
  dialect: Dialect,
  ev: SseEvent,
  parsed?: Json,
  state: ScreenState = {},
): StartVerdict | undefined {
  const what = `a ${dialect} event stream`;
  if (ev.data.trim() === "[DONE]")
    return dialect === "openai-chat"
      ? { kind: "bad", message: "answered an event stream that ended before any Chat chunk" }
      : { kind: "bad", message: `answered ${what} that ended with [DONE] before any event` };
  const v = parsed ?? parse(ev.data);
  if (v === undefined)
    return { kind: "bad", message: `answered ${what} whose event is not JSON: '${preview(ev.data)}'` };
  const error = asError(dialect, ev.data, v);
  if (error) return error;
  const other = { kind: "bad", message: `answered ${what} whose event is not one: '${preview(ev.data)}'` } as const;
  if (!isObject(v)) return other;
  switch (dialect) {
    case "openai-chat": {
      if (!Array.isArray(v.choices)) return other;
      if (v.choices.length === 0) return undefined;
      const why = chatDeviation(v.choices[0]!);
      return why ? { kind: "deviates", why } : { kind: "ok" };
    }
    case "anthropic":
      return typeof v.type === "string" ? { kind: "ok" } : other;
    case "openai-responses": {
      if (typeof v.type !== "string" || !v.type.startsWith("response.")) return other;
      const judged = responsesDeviation(v, state);
      if (judged.why) return { kind: "deviates", why: judged.why };
      return judged.decided ? { kind: "ok" } : undefined;
    }
    case "gemini":
      return Array.isArray(v.candidates) || isObject(v.promptFeedback) || isObject(v.usageMetadata)
        ? { kind: "ok" }
        : other;
  }
}

/** The verdict on a stream that ended without a single event: empty, or something else (an HTML page). */
export function noEvents(dialect: Dialect, held: readonly Uint8Array[]): string {
  const head = Buffer.concat(held.slice(0, 4)).subarray(0, 240).toString("utf8");
  return head.trim() === ""
    ? `answered an empty ${dialect} event stream`
    : `answered an event stream without a single event: '${preview(head)}'`;
}
