import { decodeAnthropicUsage } from "../dialects/anthropic/usage.js";
import { decodeChatUsage } from "../dialects/openai-chat/usage.js";
import { decodeResponsesUsage } from "../dialects/openai-responses/usage.js";
import { isObject } from "../ir/input-error.js";
import type { Dialect, Json, Usage } from "../ir/types.js";
import { type SseEvent, SseParser } from "../sse/parser.js";

/**
 * Watches a passthrough stream for usage without touching the bytes: it splits events and parses the JSON
 * of the few that carry usage (Anthropic message_start / message_delta, Responses terminal events, the Chat
 * chunk that has a usage object), nothing else.
 */
export class UsageTap {
  private readonly parser = new SseParser();
  usage: Usage | undefined;
  /** The Responses answer's id (from its terminal event). */
  responseId: string | undefined;
  /** Characters of event payloads seen, for estimating output when no usage arrives. */
  payloadChars = 0;
  /** Last Responses sequence_number seen (to continue numbering if llmux must append an error). */
  lastSequence = -1;
  private readonly onEvent: (ev: SseEvent) => void;

  constructor(private readonly dialect: Dialect) {
    this.onEvent = (ev) => this.event(ev);
  }

  push(chunk: Uint8Array): void {
    this.parser.push(chunk, this.onEvent);
  }

  end(): void {
    this.parser.end(this.onEvent);
  }

  private parse(data: string): Json | undefined {
    try {
      return JSON.parse(data) as Json;
    } catch {
      return undefined;
    }
  }

  private event(ev: SseEvent): void {
    this.payloadChars += ev.data.length;
    switch (this.dialect) {
      case "anthropic": {
        if (ev.event !== "message_start" && ev.event !== "message_delta") return;
        const d = this.parse(ev.data);
        if (!isObject(d)) return;
        const u = ev.event === "message_start" ? (isObject(d.message) ? d.message.usage : undefined) : d.usage;
        if (isObject(u)) this.usage = decodeAnthropicUsage(u, this.usage);
        return;
      }
      case "openai-responses": {
        const m = /"sequence_number":(\d+)/.exec(ev.data.length > 200 ? ev.data.slice(0, 120) : ev.data);
        if (m) this.lastSequence = Number(m[1]);
        if (ev.event !== "response.completed" && ev.event !== "response.incomplete" && ev.event !== "response.failed")
          return;
        const d = this.parse(ev.data);
        if (isObject(d) && isObject(d.response) && isObject(d.response.usage))
          this.usage = decodeResponsesUsage(d.response.usage);
        if (isObject(d) && isObject(d.response) && typeof d.response.id === "string") this.responseId = d.response.id;
        if (isObject(d) && typeof d.sequence_number === "number") this.lastSequence = d.sequence_number;
        return;
      }
      case "openai-chat": {
        if (!ev.data.includes('"usage":{')) return;
        const d = this.parse(ev.data);
        if (isObject(d) && isObject(d.usage)) this.usage = decodeChatUsage(d.usage);
        return;
      }
    }
  }
}

/** Usage from a complete (non-streamed) response body of `dialect`. */
export function usageFromBody(dialect: Dialect, body: Json): Usage | undefined {
  if (!isObject(body) || !isObject(body.usage)) return undefined;
  if (dialect === "anthropic") return decodeAnthropicUsage(body.usage);
  if (dialect === "openai-responses") return decodeResponsesUsage(body.usage);
  return decodeChatUsage(body.usage);
}
