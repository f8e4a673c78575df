import { isObject } from "../../ir/input-error.js";
import type { AssistantPart, Json, JsonObject, StreamEvent, TextPart } from "../../ir/types.js";
import type { SseEvent } from "../../sse/parser.js";
import { DecoderLifecycle, type EndEvent } from "../decoder-lifecycle.js";
import { decodeOpenAIError } from "../openai-errors.js";
import type { EventSink } from "../types.js";
import { callBlock, finishCall, finishReasoning, type Item, responsesEnd } from "./stream-items.js";

const D = "openai-responses" as const;

/**
 * OpenAI Responses SSE → IR events. Items are keyed by output_index (and item_id), and every IR block is
 * closed before the next opens. It copes with servers that skip `.added` events, send whole items only in
 * `output_item.done`, or put both error shapes in the stream.
 */
export class ResponsesStreamDecoder extends DecoderLifecycle {
  protected readonly awaited = "response.completed";
  /** The response of `response.completed` (or `.incomplete`): the end event is made of it. */
  private completed: JsonObject = {};
  private nextIndex = 0;
  private readonly items = new Map<number, Item>();
  private readonly byId = new Map<string, Item>();
  private current: Item | undefined;
  private sawToolCall = false;

  override event(ev: SseEvent, out: EventSink): void {
    if (ev.data === "[DONE]") this.end(out);
    else super.event(ev, out);
  }

  protected read(data: Json, ev: SseEvent, out: EventSink): void {
    if (!isObject(data)) return;
    const type = typeof data.type === "string" ? data.type : (ev.event ?? "");
    switch (type) {
      case "response.created":
      case "response.in_progress":
      case "response.queued":
        this.start(data, out);
        return;
      case "response.output_item.added":
        this.start(data, out);
        this.itemAdded(data, out);
        return;
      case "response.output_item.done":
        this.start(data, out);
        this.itemDone(data, out);
        return;
      case "response.content_part.added":
        this.partAdded(data, out);
        return;
      case "response.content_part.done":
        this.partDone(data, out);
        return;
      case "response.output_text.delta":
      case "response.refusal.delta":
        this.textDelta(data, type === "response.refusal.delta" ? "refusal" : "text", out);
        return;
      case "response.output_text.done":
      case "response.refusal.done":
        this.textDone(data, type === "response.refusal.done" ? "refusal" : "text", out);
        return;
      case "response.output_text.annotation.added": {
        const item = this.find(data);
        if (item?.part && data.annotation !== undefined) {
          item.part.annotations ??= [];
          item.part.annotations.push(data.annotation);
        }
        return;
      }
      case "response.reasoning_summary_text.delta":
      case "response.reasoning_text.delta":
        this.reasoningDelta(data, type === "response.reasoning_text.delta", out);
        return;
      case "response.reasoning_summary_text.done":
        this.reasoningSummaryDone(data, out);
        return;
      case "response.reasoning_summary_part.added":
      case "response.reasoning_summary_part.done":
      case "response.reasoning_text.done":
        return;
      case "response.function_call_arguments.delta":
      case "response.custom_tool_call_input.delta":
        this.argsDelta(data, out);
        return;
      case "response.function_call_arguments.done":
      case "response.custom_tool_call_input.done":
        return;
      case "response.completed":
      case "response.incomplete":
        this.complete(data, out);
        return;
      case "response.failed":
        this.failed(data, out);
        return;
      case "error":
        this.error(out, decodeOpenAIError(200, data));
        return;
      default: {
        // Progress events of built-in tools (web_search_call.searching…): only a Responses client can use them.
        if (!type.startsWith("response.")) return;
        const item = this.find(data);
        if (item?.ir !== undefined) out({ type: "raw_delta", index: item.ir, dialect: D, value: data });
      }
    }
  }

  /** Only `response.completed` ends a Responses stream well; it finishes at once. */
  protected stopped(): boolean {
    return false;
  }

  private start(data: JsonObject, out: EventSink): void {
    if (this.started) return;
    const r = isObject(data.response) ? data.response : {};
    const id = typeof r.id === "string" ? r.id : "";
    const model = typeof r.model === "string" ? r.model : "";
    if (typeof r.created_at === "number") this.ensureStarted(out, id, model, r.created_at);
    else this.ensureStarted(out, id, model);
  }

  private find(data: JsonObject): Item | undefined {
    if (typeof data.item_id === "string") {
      const byId = this.byId.get(data.item_id);
      if (byId) return byId;
    }
    return typeof data.output_index === "number" ? this.items.get(data.output_index) : undefined;
  }

  /** Finds the item an event refers to, creating a message item for servers that skipped `.added`. */
  private findOrMessage(data: JsonObject, out: EventSink): Item {
    const found = this.find(data);
    if (found) return found;
    const outputIndex = typeof data.output_index === "number" ? data.output_index : this.items.size;
    const id = typeof data.item_id === "string" ? data.item_id : "";
    return this.itemAdded(
      { output_index: outputIndex, item: { type: "message", id, role: "assistant", content: [] } },
      out,
    );
  }

  private itemAdded(data: JsonObject, out: EventSink): Item {
    const value = isObject(data.item) ? data.item : {};
    const outputIndex = typeof data.output_index === "number" ? data.output_index : this.items.size;
    const existing = this.items.get(outputIndex);
    if (existing) return existing;
    if (this.current) this.closeItem(this.current, undefined, out);
    const item: Item = {
      outputIndex,
      type: typeof value.type === "string" ? value.type : "message",
      id: typeof value.id === "string" ? value.id : "",
      value,
      text: "",
      summaries: [],
      closedParts: 0,
      sawDelta: false,
    };
    this.items.set(outputIndex, item);
    if (item.id) this.byId.set(item.id, item);
    this.current = item;
    switch (item.type) {
      case "message":
        break;
      case "reasoning":
        item.ir = this.nextIndex++;
        out({
          type: "block_start",
          index: item.ir,
          block: item.id ? { type: "reasoning", id: item.id } : { type: "reasoning" },
        });
        break;
      case "function_call":
      case "custom_tool_call": {
        this.sawToolCall = true;
        item.ir = this.nextIndex++;
        out({ type: "block_start", index: item.ir, block: callBlock(item, value, this.opts.tools) });
        const initial = item.type === "custom_tool_call" ? value.input : value.arguments;
        if (typeof initial === "string" && initial.length > 0) this.args(item, initial, out);
        break;
      }
      default:
        item.ir = this.nextIndex++;
        out({ type: "block_start", index: item.ir, block: { type: "raw", dialect: D, value } });
    }
    return item;
  }

  private partAdded(data: JsonObject, out: EventSink): void {
    const item = this.findOrMessage(data, out);
    const part = isObject(data.part) ? data.part : {};
    if (item.type !== "message") return; // reasoning_text parts need no block of their own
    if (item.part) this.closePart(item, out);
    const kind = part.type === "refusal" ? "refusal" : "text";
    const ir = this.nextIndex++;
    item.part = {
      ir,
      contentIndex: typeof data.content_index === "number" ? data.content_index : item.closedParts,
      kind,
      text: "",
    };
    const phase = typeof item.value.phase === "string" ? item.value.phase : undefined;
    if (kind === "refusal") out({ type: "block_start", index: ir, block: { type: "refusal" } });
    else
      out({
        type: "block_start",
        index: ir,
        block: phase ? { type: "text", extras: { dialect: D, fields: { phase } } } : { type: "text" },
      });
  }

  private textDelta(data: JsonObject, kind: "text" | "refusal", out: EventSink): void {
    const item = this.findOrMessage(data, out);
    if (!item.part) this.partAdded({ ...data, part: { type: kind === "refusal" ? "refusal" : "output_text" } }, out);
    const delta = typeof data.delta === "string" ? data.delta : "";
    if (!item.part || delta.length === 0) return;
    item.part.text += delta;
    out({ type: "delta", index: item.part.ir, kind, text: delta });
  }

  private textDone(data: JsonObject, kind: "text" | "refusal", out: EventSink): void {
    const item = this.findOrMessage(data, out);
    const full = kind === "refusal" ? data.refusal : data.text;
    if (!item.part) this.partAdded({ ...data, part: { type: kind === "refusal" ? "refusal" : "output_text" } }, out);
    if (item.part && item.part.text.length === 0 && typeof full === "string" && full.length > 0) {
      item.part.text = full;
      out({ type: "delta", index: item.part.ir, kind, text: full });
    }
  }

  private partDone(data: JsonObject, out: EventSink): void {
    const item = this.find(data);
    if (item?.type !== "message") return;
    if (!item.part) {
      // A part that arrives only in its `.done` event.
      const part = isObject(data.part) ? data.part : {};
      const text = typeof part.text === "string" ? part.text : typeof part.refusal === "string" ? part.refusal : "";
      if (text.length === 0) return;
      this.partAdded(data, out);
      this.textDelta({ ...data, delta: text }, part.type === "refusal" ? "refusal" : "text", out);
    }
    this.closePart(item, out);
  }

  private closePart(item: Item, out: EventSink): void {
    const p = item.part;
    if (!p) return;
    item.part = undefined;
    item.closedParts++;
    let part: AssistantPart;
    if (p.kind === "refusal") part = { type: "refusal", text: p.text };
    else {
      const t: TextPart = { type: "text", text: p.text };
      if (p.annotations) t.annotations = p.annotations;
      const fields: JsonObject = {};
      if (item.closedParts === 1) {
        const { type: _t, content: _c, role: _r, status: _s, ...itemFields } = item.value;
        if (Object.keys(itemFields).length > 0) fields.item = itemFields;
      }
      if (p.annotations) t.extras = { dialect: D, fields };
      else if (Object.keys(fields).length > 0) t.extras = { dialect: D, fields };
      part = t;
    }
    out({ type: "block_stop", index: p.ir, part });
  }

  private reasoningDelta(data: JsonObject, raw: boolean, out: EventSink): void {
    const item = this.find(data);
    if (!item || item.ir === undefined || item.type !== "reasoning") return;
    const delta = typeof data.delta === "string" ? data.delta : "";
    if (delta.length === 0) return;
    item.sawDelta = true;
    const partIndex = typeof data.summary_index === "number" ? data.summary_index : 0;
    if (!raw) item.summaries[partIndex] = (item.summaries[partIndex] ?? "") + delta;
    else item.text += delta;
    const ev: StreamEvent = { type: "delta", index: item.ir, kind: "reasoning", text: delta };
    if (!raw) ev.part = partIndex;
    out(ev);
  }

  private reasoningSummaryDone(data: JsonObject, out: EventSink): void {
    const item = this.find(data);
    if (item?.type !== "reasoning" || item.ir === undefined) return;
    const partIndex = typeof data.summary_index === "number" ? data.summary_index : 0;
    if (!item.summaries[partIndex] && typeof data.text === "string" && data.text.length > 0) {
      this.reasoningDelta({ ...data, delta: data.text, summary_index: partIndex }, false, out);
    }
  }

  private args(item: Item, delta: string, out: EventSink): void {
    item.text += delta;
    item.sawDelta = true;
    if (!item.identity?.wrapped && item.ir !== undefined)
      out({ type: "delta", index: item.ir, kind: "arguments", text: delta });
  }

  private argsDelta(data: JsonObject, out: EventSink): void {
    const item = this.find(data);
    const delta = typeof data.delta === "string" ? data.delta : "";
    if (!item || delta.length === 0) return;
    this.args(item, delta, out);
  }

  private itemDone(data: JsonObject, out: EventSink): void {
    const value = isObject(data.item) ? data.item : {};
    const outputIndex = typeof data.output_index === "number" ? data.output_index : undefined;
    let item =
      (outputIndex !== undefined ? this.items.get(outputIndex) : undefined) ??
      (typeof value.id === "string" ? this.byId.get(value.id) : undefined);
    if (!item)
      item = this.itemAdded(
        {
          output_index: outputIndex ?? this.items.size,
          item: { ...value, content: [], arguments: "", input: "", summary: [] },
        },
        out,
      );
    this.closeItem(item, value, out);
  }

  /** Closes an item; `final` is its `output_item.done` payload when there is one. */
  private closeItem(item: Item, final: JsonObject | undefined, out: EventSink): void {
    if (this.current === item) this.current = undefined;
    if (item.type === "message") {
      if (item.part) this.closePart(item, out);
      // Whole content delivered only in the done item.
      if (item.closedParts === 0 && final && Array.isArray(final.content)) {
        item.value = final;
        final.content.forEach((c, i) => {
          if (!isObject(c)) return;
          const text = typeof c.text === "string" ? c.text : typeof c.refusal === "string" ? c.refusal : "";
          if (!text) return;
          const kind = c.type === "refusal" ? "refusal" : "text";
          this.partAdded({ output_index: item.outputIndex, content_index: i, part: c }, out);
          this.textDelta({ output_index: item.outputIndex, delta: text }, kind, out);
          this.closePart(item, out);
        });
      }
      return;
    }
    if (item.ir === undefined) return;
    const merged = final ? { ...item.value, ...final } : item.value;
    let part: AssistantPart;
    if (item.type === "reasoning") {
      part = finishReasoning(item as Item & { ir: number }, merged, out);
    } else if (item.type === "function_call" || item.type === "custom_tool_call") {
      part = finishCall(item as Item & { ir: number }, merged, out);
    } else part = { type: "raw", dialect: D, value: merged };
    out({ type: "block_stop", index: item.ir, part });
    item.ir = undefined;
  }

  protected closeAll(out: EventSink): void {
    for (const item of this.items.values()) {
      if (item.ir !== undefined || item.part) this.closeItem(item, undefined, out);
    }
  }

  private complete(data: JsonObject, out: EventSink): void {
    this.start(data, out);
    if (isObject(data.response)) this.completed = data.response;
    this.finish(out);
  }

  protected endEvent(): EndEvent {
    return responsesEnd(this.completed, this.sawToolCall);
  }

  private failed(data: JsonObject, out: EventSink): void {
    this.start(data, out);
    const r = isObject(data.response) ? data.response : {};
    this.error(out, decodeOpenAIError(200, { error: isObject(r.error) ? r.error : { message: "response failed" } }));
  }
}
