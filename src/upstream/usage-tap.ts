import { decodeAnthropicUsage } from "../dialects/anthropic/usage.js";
import { decodeChatUsage } from "../dialects/openai-chat/usage.js";
import { decodeResponsesUsage } from "../dialects/openai-responses/usage.js";
import { isObject } from "../ir/input-error.js";
import type { Dialect, Json, Usage } from "../ir/types.js";
import { answerMarks, partMarks } from "../routing/reasoning-marks.js";
import type { SseEvent } from "../sse/parser.js";

/** The string values that carry generated text in stream deltas (text, thinking, tool arguments). */
const TEXT =
  /"(?:text|thinking|partial_json|delta|content|reasoning_content|reasoning|arguments|refusal)":"((?:[^"\\]|\\.)*)"/g;

function textLength(data: string): number {
  let n = 0;
  TEXT.lastIndex = 0;
  for (let m = TEXT.exec(data); m; m = TEXT.exec(data)) n += m[1]!.length;
  return n;
}

/** Tool uses of one answer whose ids are kept (an answer gives a few; beyond, they are not followed). */
export const MAX_TOOL_USES = 64;

/**
 * Watches a passthrough stream for usage without touching the bytes: of the events the stream inspector
 * splits, it parses the JSON of the few that carry usage (Anthropic message_start / message_delta, Responses terminal events, the Chat
 * chunk that has a usage object), and measures the text of the delta events (for estimating the output of
 * a stream cut before its usage came).
 */
export class UsageTap {
  usage: Usage | undefined;
  /** Whether `usage` is the answer's final report (Anthropic's message_start only has the input's). */
  final = false;
  /** The Responses answer's id (from its terminal event). */
  responseId: string | undefined;
  /** Characters of generated text seen in delta events. */
  textChars = 0;
  /** The ids of the Responses answer's output items (from its terminal event). */
  responseItems: string[] | undefined;
  /** Fingerprints of the opaque reasoning the answer carries (src/routing/reasoning-marks.ts). */
  reasoningMarks: string[] = [];
  /** Last Responses sequence_number seen (to continue numbering if llmux must append an error). */
  lastSequence = -1;
  /**
   * Whether the stream reached its end as its dialect marks it (Chat: [DONE] or a finish_reason; Anthropic:
   * message_stop; Responses: a terminal event), or an error event. A stream closed before is cut.
   */
  ended = false;
  /** Anthropic tool_use ids the answer gave so far (at most MAX_TOOL_USES), and who is told of each. */
  private readonly toolUses: string[] = [];
  private toolUseSeen: ((id: string) => void) | undefined;
  constructor(private readonly dialect: Dialect) {}

  /** Calls `fn` with each tool_use id of the answer: those the inspection saw already, then each as it comes. */
  watchToolUses(fn: (id: string) => void): void {
    this.toolUseSeen = fn;
    for (const id of this.toolUses) fn(id);
  }

  private parse(data: string): Json | undefined {
    try {
      return JSON.parse(data) as Json;
    } catch {
      return undefined;
    }
  }

  /** One event of the stream (parsed once, by the stream inspector: src/upstream/inspect.ts). */
  event(ev: SseEvent): void {
    if (!this.ended) this.ended = isEnd(this.dialect, ev);
    switch (this.dialect) {
      case "anthropic": {
        if (ev.event === "content_block_delta") {
          if (ev.data.includes('"signature_delta"')) {
            const d = this.parse(ev.data);
            if (isObject(d) && isObject(d.delta) && typeof d.delta.signature === "string")
              this.reasoningMarks.push(...partMarks("anthropic", { type: "thinking", signature: d.delta.signature }));
            return;
          }
          this.textChars += textLength(ev.data);
          return;
        }
        if (ev.event === "content_block_start" && ev.data.includes('"tool_use"')) {
          const d = this.parse(ev.data);
          const b = isObject(d) && isObject(d.content_block) ? d.content_block : undefined;
          if (b?.type === "tool_use" && typeof b.id === "string" && this.toolUses.length < MAX_TOOL_USES) {
            this.toolUses.push(b.id);
            this.toolUseSeen?.(b.id);
          }
          return;
        }
        if (ev.event === "content_block_start" && ev.data.includes('"redacted_thinking"')) {
          const d = this.parse(ev.data);
          if (isObject(d) && isObject(d.content_block))
            this.reasoningMarks.push(...partMarks("anthropic", d.content_block));
          return;
        }
        if (ev.event !== "message_start" && ev.event !== "message_delta") return;
        const d = this.parse(ev.data);
        if (!isObject(d)) return;
        const u = ev.event === "message_start" ? (isObject(d.message) ? d.message.usage : undefined) : d.usage;
        if (isObject(u)) {
          this.usage = decodeAnthropicUsage(u, this.usage);
          if (ev.event === "message_delta") this.final = true;
        }
        return;
      }
      case "openai-responses": {
        if (ev.event?.endsWith(".delta")) this.textChars += textLength(ev.data);
        const m = /"sequence_number":(\d+)/.exec(ev.data.length > 200 ? ev.data.slice(0, 120) : ev.data);
        if (m) this.lastSequence = Number(m[1]);
        if (ev.event !== "response.completed" && ev.event !== "response.incomplete" && ev.event !== "response.failed")
          return;
        const d = this.parse(ev.data);
        if (isObject(d) && isObject(d.response) && isObject(d.response.usage)) {
          this.usage = decodeResponsesUsage(d.response.usage);
          this.final = true;
        }
        if (isObject(d) && isObject(d.response) && typeof d.response.id === "string") this.responseId = d.response.id;
        if (isObject(d) && isObject(d.response)) {
          this.responseItems = outputItemIds(d.response);
          this.reasoningMarks = answerMarks("openai-responses", d.response);
        }
        if (isObject(d) && typeof d.sequence_number === "number") this.lastSequence = d.sequence_number;
        return;
      }
      case "openai-chat": {
        if (!ev.data.includes('"usage":{')) {
          this.textChars += textLength(ev.data);
          return;
        }
        const d = this.parse(ev.data);
        if (isObject(d) && isObject(d.usage)) {
          this.usage = decodeChatUsage(d.usage);
          this.final = true;
        }
        return;
      }
    }
  }
}

const FINISH = /"finish_reason"\s*:\s*"/;
const ERROR_DATA = /^\s*\{\s*"(?:error|type"\s*:\s*"error)"/;
const RESPONSES_END = new Set(["response.completed", "response.incomplete", "response.failed", "error"]);

/** Whether an event ends a stream of `dialect` (its last event, or an error in its place). */
function isEnd(dialect: Dialect, ev: SseEvent): boolean {
  if (ev.event === "error" || ERROR_DATA.test(ev.data)) return true;
  switch (dialect) {
    case "openai-chat":
      return ev.data.trim() === "[DONE]" || FINISH.test(ev.data);
    case "anthropic":
      return ev.event === "message_stop" || (ev.event === undefined && ev.data.includes('"type":"message_stop"'));
    case "openai-responses":
      return (
        RESPONSES_END.has(ev.event ?? "") ||
        /"type"\s*:\s*"response\.(?:completed|incomplete|failed)"/.test(ev.data.slice(0, 200))
      );
    case "gemini":
      return /"finishReason"\s*:/.test(ev.data);
  }
}

/** The ids of a Responses answer's output items. */
export function outputItemIds(response: Json): string[] {
  if (!isObject(response) || !Array.isArray(response.output)) return [];
  const ids: string[] = [];
  for (const item of response.output) if (isObject(item) && typeof item.id === "string") ids.push(item.id);
  return ids;
}

/** Usage from a complete (non-streamed) response body of `dialect`. */
export function usageFromBody(dialect: Dialect, body: Json): Usage | undefined {
  if (!isObject(body) || !isObject(body.usage)) return undefined;
  if (dialect === "anthropic") return decodeAnthropicUsage(body.usage);
  if (dialect === "openai-responses") return decodeResponsesUsage(body.usage);
  return decodeChatUsage(body.usage);
}
