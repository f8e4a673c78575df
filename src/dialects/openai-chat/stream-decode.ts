import { derivedId, newId, nowSeconds } from "../../ir/ids.js";
import { isObject } from "../../ir/input-error.js";
import { stopFromChat } from "../../ir/stop-reason.js";
import type { AssistantPart, Json, JsonObject, ReasoningPart, Usage } from "../../ir/types.js";
import type { SseEvent } from "../../sse/parser.js";
import { DecoderLifecycle, type EndEvent } from "../decoder-lifecycle.js";
import { decodeOpenAIError } from "../openai-errors.js";
import { identityOf, unwrapCustomInput } from "../tool-identity.js";
import type { EventSink, ToolIdentity } from "../types.js";
import { plainReasoning } from "./request-decode.js";
import { decodeChatUsage } from "./usage.js";

const D = "openai-chat" as const;

interface Call {
  ir: number;
  id: string;
  name: string;
  args: string;
  custom: boolean;
  identity?: ToolIdentity;
  /** Opened in the IR stream and streaming its arguments live. */
  live: boolean;
}

interface OpenBlock {
  ir: number;
  kind: "text" | "reasoning" | "refusal";
  text: string;
  signature?: string;
  encrypted?: string;
  details?: Json[];
  /** Which field the reasoning came in. */
  field?: "reasoning_content" | "reasoning";
}

/**
 * Chat Completions chunks → IR events.
 *
 * Tool calls are accumulated tolerantly: keyed on `index` when present, a fragment with a new `id` starts a
 * new call (servers that repeat `index: 0` for parallel calls), a fragment without index continues the last
 * call, empty ids count as absent. IR blocks must not interleave, but Chat upstreams may interleave the
 * argument fragments of parallel calls; so the first call streams live and later calls are held until the
 * choice finishes, then emitted whole. Clients act on tool calls only once the message is complete, so this
 * costs nothing they can see.
 */
export class ChatStreamDecoder extends DecoderLifecycle {
  protected readonly awaited = "finish_reason";
  private id = "";
  private model = "";
  private created = 0;
  private nextIndex = 0;
  private block: OpenBlock | undefined;
  private readonly calls: Call[] = [];
  private readonly byIndex = new Map<number, Call>();
  private live: Call | undefined;
  private finishReason: string | undefined;
  private choiceDone = false;
  private usage: Usage | undefined;
  private extras: JsonObject | undefined;

  override event(ev: SseEvent, out: EventSink): void {
    if (this.finished || ev.data.trim() !== "[DONE]") super.event(ev, out);
    // [DONE] before any chunk with a choice: the upstream said nothing at all, which is no answer.
    else if (this.started) this.finish(out);
    else this.fail(out, "upstream stream ended before any Chat chunk");
  }

  protected read(data: Json, ev: SseEvent, out: EventSink): void {
    if (!isObject(data)) return;
    if ((data.error !== undefined && data.error !== null) || ev.event === "error") {
      this.error(out, decodeOpenAIError(200, data));
      return;
    }
    if (!this.id && typeof data.id === "string" && data.id) this.id = data.id;
    if (!this.model && typeof data.model === "string" && data.model) this.model = data.model;
    if (!this.created && typeof data.created === "number" && data.created > 0) this.created = data.created;
    if (isObject(data.usage)) this.usage = decodeChatUsage(data.usage);
    const choices = Array.isArray(data.choices) ? data.choices : [];
    // Azure's first chunk has no choices (only prompt_filter_results) and no id: wait for a real one.
    if (choices.length === 0) {
      if (isObject(data.prompt_filter_results) || Array.isArray(data.prompt_filter_results)) {
        this.extras = { ...this.extras, prompt_filter_results: data.prompt_filter_results };
      }
      return;
    }
    this.ensureStarted(out);
    for (const c of choices) {
      if (!isObject(c)) continue;
      if (typeof c.index === "number" && c.index !== 0) continue; // n > 1: only the first choice is translated
      this.choice(c, out);
    }
  }

  protected stopped(): boolean {
    return this.choiceDone;
  }

  protected override ensureStarted(out: EventSink): void {
    if (this.started) return;
    if (!this.id) this.id = newId("chatcmpl-");
    super.ensureStarted(out, this.id, this.model, this.created || nowSeconds());
  }

  private choice(c: JsonObject, out: EventSink): void {
    const delta = isObject(c.delta) ? c.delta : isObject(c.message) ? c.message : undefined;
    if (delta && !this.choiceDone) {
      this.reasoning(delta, out);
      const content = delta.content;
      if (typeof content === "string") {
        if (content.length > 0) this.text("text", content, out);
      } else if (Array.isArray(content)) {
        this.contentArray(content, out);
      }
      if (typeof delta.refusal === "string" && delta.refusal.length > 0) this.text("refusal", delta.refusal, out);
      if (Array.isArray(delta.tool_calls)) {
        for (const tc of delta.tool_calls) if (isObject(tc)) this.toolFragment(tc, out);
      } else if (isObject(delta.function_call)) {
        this.toolFragment({ index: 0, function: delta.function_call }, out);
      }
    }
    if (typeof c.finish_reason === "string" && c.finish_reason.length > 0) {
      this.finishReason = c.finish_reason;
      this.closeAll(out);
    }
  }

  /** Mistral sends content as an array of text and thinking parts. */
  private contentArray(parts: Json[], out: EventSink): void {
    for (const p of parts) {
      if (!isObject(p)) continue;
      if (p.type === "text" && typeof p.text === "string" && p.text.length > 0) this.text("text", p.text, out);
      else if (p.type === "thinking" && Array.isArray(p.thinking)) {
        for (const t of p.thinking) {
          if (isObject(t) && typeof t.text === "string" && t.text.length > 0) this.text("reasoning", t.text, out);
        }
      }
    }
  }

  private reasoning(delta: JsonObject, out: EventSink): void {
    const plain = plainReasoning(delta);
    const details = Array.isArray(delta.reasoning_details) ? delta.reasoning_details : undefined;
    let text = plain ?? "";
    if (details) {
      for (const d of details) {
        if (!isObject(d)) continue;
        if (plain === undefined && d.type === "reasoning.text" && typeof d.text === "string") text += d.text;
        if (plain === undefined && d.type === "reasoning.summary" && typeof d.summary === "string") text += d.summary;
      }
    }
    if (text.length > 0) this.text("reasoning", text, out);
    if (plain !== undefined && this.block?.kind === "reasoning")
      this.block.field = typeof delta.reasoning_content === "string" ? "reasoning_content" : "reasoning";
    if (details && details.length > 0) {
      const b = this.block?.kind === "reasoning" ? this.block : undefined;
      for (const d of details) {
        if (!isObject(d)) continue;
        const target = b ?? this.openBlock("reasoning", out);
        target.details ??= [];
        target.details.push(d);
        if (typeof d.signature === "string" && d.signature) target.signature = d.signature;
        if (d.type === "reasoning.encrypted" && typeof d.data === "string") target.encrypted = d.data;
      }
    }
  }

  private openBlock(kind: OpenBlock["kind"], out: EventSink): OpenBlock {
    if (this.block?.kind === kind) return this.block;
    this.closeBlock(out);
    this.flushCalls(out);
    const b: OpenBlock = { ir: this.nextIndex++, kind, text: "" };
    this.block = b;
    out({
      type: "block_start",
      index: b.ir,
      block: kind === "reasoning" ? { type: "reasoning", raw: true } : { type: kind },
    });
    return b;
  }

  private text(kind: OpenBlock["kind"], text: string, out: EventSink): void {
    const b = this.openBlock(kind, out);
    b.text += text;
    out({ type: "delta", index: b.ir, kind, text });
  }

  private closeBlock(out: EventSink): void {
    const b = this.block;
    if (!b) return;
    this.block = undefined;
    let part: AssistantPart;
    if (b.kind === "reasoning") {
      const r: ReasoningPart = { type: "reasoning", text: b.text, raw: true };
      if (b.field) r.field = b.field;
      if (b.signature) r.signature = b.signature;
      if (b.encrypted) r.encrypted = b.encrypted;
      if (b.details) r.extras = { dialect: D, fields: { reasoning_details: b.details } };
      part = r;
    } else if (b.kind === "refusal") part = { type: "refusal", text: b.text };
    else part = { type: "text", text: b.text };
    out({ type: "block_stop", index: b.ir, part });
  }

  private toolFragment(tc: JsonObject, out: EventSink): void {
    const fn = isObject(tc.function) ? tc.function : isObject(tc.custom) ? tc.custom : {};
    const id = typeof tc.id === "string" && tc.id.length > 0 ? tc.id : undefined;
    const index = typeof tc.index === "number" ? tc.index : undefined;
    const name = typeof fn.name === "string" ? fn.name : "";
    const args =
      typeof fn.arguments === "string"
        ? fn.arguments
        : typeof fn.input === "string"
          ? fn.input
          : isObject(fn.arguments)
            ? JSON.stringify(fn.arguments)
            : "";

    let call: Call | undefined;
    if (index !== undefined) {
      const existing = this.byIndex.get(index);
      if (existing && !(id && existing.id !== id)) call = existing;
    } else {
      const last = this.calls[this.calls.length - 1];
      if (last && !(id && last.id !== id)) call = last;
    }
    if (!call) {
      this.closeBlock(out);
      const custom = tc.type === "custom" || isObject(tc.custom);
      call = { ir: -1, id: id ?? derivedId("call_", this.id, this.calls.length), name, args: "", live: false, custom };
      const identity = identityOf(this.opts.tools, name);
      if (identity) call.identity = identity;
      this.calls.push(call);
      if (index !== undefined) this.byIndex.set(index, call);
    } else if (!call.name && name) {
      call.name = name;
      const identity = identityOf(this.opts.tools, name);
      if (identity) call.identity = identity;
    }
    if (!this.live && call.ir === -1 && call.name) this.openCall(call, out);
    if (args.length > 0) {
      call.args += args;
      if (call.live && !call.identity?.wrapped) out({ type: "delta", index: call.ir, kind: "arguments", text: args });
    }
  }

  private openCall(call: Call, out: EventSink): void {
    call.ir = this.nextIndex++;
    call.live = true;
    this.live = call;
    const id = call.identity;
    out({
      type: "block_start",
      index: call.ir,
      block: {
        type: "tool_call",
        id: call.id,
        name: id?.name ?? call.name,
        kind: id?.kind ?? (call.custom ? "custom" : "function"),
        ...(id?.namespace ? { namespace: id.namespace } : {}),
      },
    });
    if (call.args.length > 0 && !id?.wrapped)
      out({ type: "delta", index: call.ir, kind: "arguments", text: call.args });
  }

  private stopCall(call: Call, out: EventSink): void {
    call.live = false;
    const id = call.identity;
    let args = call.args;
    if (id?.wrapped) {
      args = unwrapCustomInput(args);
      if (args.length > 0) out({ type: "delta", index: call.ir, kind: "arguments", text: args });
    }
    const part: AssistantPart = {
      type: "tool_call",
      id: call.id,
      name: id?.name ?? call.name,
      arguments: args,
      kind: id?.kind ?? (call.custom ? "custom" : "function"),
    };
    if (id?.namespace) part.namespace = id.namespace;
    out({ type: "block_stop", index: call.ir, part });
  }

  /** Closes the live call and emits every held call whole, in order of appearance. */
  private flushCalls(out: EventSink): void {
    if (this.live) {
      this.stopCall(this.live, out);
      this.live = undefined;
    }
    for (const call of this.calls) {
      if (call.ir !== -1) continue;
      this.openCall(call, out);
      this.live = undefined;
      this.stopCall(call, out);
    }
  }

  /** Closes the choice: its open block, then the calls held back. */
  protected closeAll(out: EventSink): void {
    if (this.choiceDone) return;
    this.choiceDone = true;
    this.closeBlock(out);
    this.flushCalls(out);
  }

  protected endEvent(): EndEvent {
    const ev: EndEvent = { type: "end", stopReason: stopFromChat(this.finishReason, this.calls.length > 0) };
    if (this.usage) ev.usage = this.usage;
    if (this.extras) ev.extras = { dialect: D, fields: this.extras };
    return ev;
  }
}
