import { isObject } from "../../ir/input-error.js";
import type { AssistantPart, Json, JsonObject, Usage } from "../../ir/types.js";
import type { SseEvent } from "../../sse/parser.js";
import { DecoderLifecycle, type EndEvent, toolCallHead, toolCallPart } from "../decoder-lifecycle.js";
import { identityOf, unwrapCustomInput } from "../tool-identity.js";
import type { EventSink, ToolIdentity } from "../types.js";
import { decodeConverseError, exceptionName, exceptionStatus } from "./errors.js";
import { decodeConverseUsage, stopFromConverse } from "./usage.js";

interface Open {
  ir: number;
  kind: "text" | "reasoning" | "tool";
  text: string;
  signature?: string;
  redacted?: string;
  id?: string;
  name?: string;
  identity?: ToolIdentity;
}

/**
 * Bedrock ConverseStream → IR events. The AWS event stream reaches this decoder as SSE-shaped events (one
 * per event-stream message, named by its `:event-type` or `:exception-type`; see providers/aws-event-stream):
 * messageStart, contentBlockStart (tool calls only: text and reasoning blocks open with their first delta),
 * contentBlockDelta (text, toolUse.input pieces, reasoningContent text / signature / redactedContent),
 * contentBlockStop, messageStop (the stop reason), then metadata (usage, which the end carries).
 */
export class ConverseStreamDecoder extends DecoderLifecycle {
  protected readonly awaited = "messageStop";
  private readonly open = new Map<number, Open>();
  private nextIndex = 0;
  private calls = 0;
  private stopReason: string | undefined;
  private stopSequence: string | null = null;
  private usage: Usage | undefined;

  protected read(data: Json, ev: SseEvent, out: EventSink): void {
    if (!isObject(data)) return;
    this.handle(ev.event ?? "", data, out);
  }

  /** One Converse stream event, by name (also used to read a whole Converse response). */
  handle(name: string, data: JsonObject, out: EventSink): void {
    if (this.finished) return;
    switch (name) {
      case "messageStart":
        this.ensureStarted(out);
        return;
      case "contentBlockStart":
        this.ensureStarted(out);
        this.blockStart(data, out);
        return;
      case "contentBlockDelta":
        this.ensureStarted(out);
        this.blockDelta(data, out);
        return;
      case "contentBlockStop":
        if (typeof data.contentBlockIndex === "number") this.blockStop(data.contentBlockIndex, out);
        return;
      case "messageStop": {
        this.stopReason = typeof data.stopReason === "string" ? data.stopReason : "end_turn";
        const extra = isObject(data.additionalModelResponseFields) ? data.additionalModelResponseFields : {};
        // Claude's matched stop sequence: `stop_sequence`, or (as Bedrock sends it) `delta.stop_sequence`.
        const delta = isObject(extra.delta) ? extra.delta : {};
        const seq = extra.stop_sequence ?? delta.stop_sequence;
        if (typeof seq === "string") this.stopSequence = seq;
        return;
      }
      case "metadata": {
        const usage = decodeConverseUsage(data.usage);
        if (usage) this.usage = usage;
        if (this.stopReason !== undefined) this.finish(out);
        return;
      }
      default: {
        // An exception event (`throttlingException`…), or an `error` message: the stream ends with it.
        const exception = name === "error" ? undefined : exceptionName(name);
        if (name !== "error" && !exception?.endsWith("Exception")) return; // event types added after this was written
        const body: JsonObject = exception ? { ...data, __type: exception } : data;
        const type = exceptionName(typeof body.__type === "string" ? body.__type : undefined);
        this.error(out, decodeConverseError(exceptionStatus(type) ?? 500, body));
      }
    }
  }

  protected stopped(): boolean {
    return this.stopReason !== undefined;
  }

  private begin(wire: number, kind: Open["kind"], out: EventSink, head: Partial<Open> = {}): Open {
    this.blockStop(wire, out);
    const st: Open = { ir: this.nextIndex++, kind, text: "", ...head };
    this.open.set(wire, st);
    if (kind === "tool") {
      out({ type: "block_start", index: st.ir, block: toolCallHead(st.id ?? "", st.name ?? "", st.identity) });
    } else if (kind === "reasoning")
      out({
        type: "block_start",
        index: st.ir,
        block: st.redacted !== undefined ? { type: "reasoning", redacted: st.redacted } : { type: "reasoning" },
      });
    else out({ type: "block_start", index: st.ir, block: { type: "text" } });
    return st;
  }

  private blockStart(data: JsonObject, out: EventSink): void {
    const wire = typeof data.contentBlockIndex === "number" ? data.contentBlockIndex : this.nextIndex;
    const start = isObject(data.start) ? data.start : {};
    const tool = isObject(start.toolUse) ? start.toolUse : undefined;
    if (!tool) return; // other block kinds open with their first delta
    const name = typeof tool.name === "string" ? tool.name : "";
    const identity = identityOf(this.opts.tools, name);
    this.calls++;
    this.begin(wire, "tool", out, {
      id: typeof tool.toolUseId === "string" ? tool.toolUseId : "",
      name,
      ...(identity ? { identity } : {}),
    });
  }

  private blockDelta(data: JsonObject, out: EventSink): void {
    const wire = typeof data.contentBlockIndex === "number" ? data.contentBlockIndex : 0;
    const delta = isObject(data.delta) ? data.delta : {};
    let st = this.open.get(wire);
    if (typeof delta.text === "string") {
      if (st?.kind !== "text") st = this.begin(wire, "text", out);
      if (delta.text.length > 0) {
        st.text += delta.text;
        out({ type: "delta", index: st.ir, kind: "text", text: delta.text });
      }
      return;
    }
    if (isObject(delta.toolUse)) {
      const piece = typeof delta.toolUse.input === "string" ? delta.toolUse.input : "";
      if (st?.kind !== "tool" || piece.length === 0) return;
      st.text += piece;
      // An emulated custom tool streams `{"input": "..."}`: held, and unwrapped at the end.
      if (!st.identity?.wrapped) out({ type: "delta", index: st.ir, kind: "arguments", text: piece });
      return;
    }
    if (isObject(delta.reasoningContent)) {
      const r = delta.reasoningContent;
      if (typeof r.redactedContent === "string") {
        this.begin(wire, "reasoning", out, { redacted: r.redactedContent });
        return;
      }
      if (st?.kind !== "reasoning") st = this.begin(wire, "reasoning", out);
      if (typeof r.text === "string" && r.text.length > 0) {
        st.text += r.text;
        out({ type: "delta", index: st.ir, kind: "reasoning", text: r.text });
      }
      if (typeof r.signature === "string") st.signature = (st.signature ?? "") + r.signature;
    }
  }

  private blockStop(wire: number, out: EventSink): void {
    const st = this.open.get(wire);
    if (!st) return;
    this.open.delete(wire);
    let part: AssistantPart;
    if (st.kind === "text") part = { type: "text", text: st.text };
    else if (st.kind === "reasoning") {
      part = { type: "reasoning", text: st.text };
      if (st.signature) part.signature = st.signature;
      if (st.redacted !== undefined) part.redacted = st.redacted;
    } else {
      let args = st.text;
      if (st.identity?.wrapped) {
        args = unwrapCustomInput(args);
        if (args.length > 0) out({ type: "delta", index: st.ir, kind: "arguments", text: args });
      } else if (args.length === 0) {
        // A call without input still has JSON arguments: `{}`, never "" (which clients cannot parse).
        args = "{}";
        out({ type: "delta", index: st.ir, kind: "arguments", text: args });
      }
      part = toolCallPart(st.id ?? "", st.name ?? "", args, st.identity);
    }
    out({ type: "block_stop", index: st.ir, part });
  }

  protected closeAll(out: EventSink): void {
    for (const wire of [...this.open.keys()].sort((a, b) => a - b)) this.blockStop(wire, out);
  }

  protected endEvent(): EndEvent {
    const stopReason = stopFromConverse(this.stopReason, this.calls > 0);
    const ev: EndEvent = { type: "end", stopReason, stopSequence: this.stopSequence };
    if (this.usage) ev.usage = this.usage;
    return ev;
  }
}
