import { nowSeconds } from "../../ir/ids.js";
import { isObject, leftovers } from "../../ir/input-error.js";
import { toolInputText } from "../../ir/json-depth.js";
import { stopFromAnthropic } from "../../ir/stop-reason.js";
import type { AssistantPart, Json, JsonObject, StopReason, Usage } from "../../ir/types.js";
import type { SseEvent } from "../../sse/parser.js";
import { DecoderLifecycle, type EndEvent, toolCallHead, toolCallPart } from "../decoder-lifecycle.js";
import { identityOf, unwrapCustomInput } from "../tool-identity.js";
import type { EventSink, ToolIdentity } from "../types.js";
import { decodeAnthropicError } from "./errors.js";
import { decodeAnthropicUsage } from "./usage.js";

const D = "anthropic" as const;

interface Open {
  ir: number;
  kind: "text" | "reasoning" | "tool" | "raw";
  text: string;
  signature?: string;
  redacted?: string;
  head?: JsonObject;
  /** tool_use: id, upstream name, identity; input given whole in content_block_start. */
  id?: string;
  name?: string;
  identity?: ToolIdentity;
  startInput?: string;
  annotations?: Json[];
  extras?: JsonObject;
}

const MESSAGE_DELTA_KNOWN = new Set(["type", "delta", "usage"]);

/**
 * Anthropic Messages SSE → IR events. Handles pings, interleaved unknown events, blocks whose
 * content_block_stop never comes (max_tokens inside a tool call), pre-populated message_start content, and
 * streams cut off before message_stop.
 */
export class AnthropicStreamDecoder extends DecoderLifecycle {
  protected readonly awaited = "message_stop";
  private readonly open = new Map<number, Open>();
  private nextIndex = 0;
  private usage: Usage | undefined;
  private stopReason: StopReason | undefined;
  private stopSequence: string | null = null;
  private extras: JsonObject | undefined;

  protected read(data: Json, ev: SseEvent, out: EventSink): void {
    if (!isObject(data)) return;
    const type = typeof data.type === "string" ? data.type : ev.event;
    switch (type) {
      case "message_start":
        this.messageStart(data, out);
        break;
      case "content_block_start":
        this.ensureStarted(out);
        this.blockStart(data, out);
        break;
      case "content_block_delta":
        this.blockDelta(data, out);
        break;
      case "content_block_stop":
        if (typeof data.index === "number") this.blockStop(data.index, out);
        break;
      case "message_delta":
        this.messageDelta(data);
        break;
      case "message_stop":
        this.finish(out);
        break;
      case "error":
        this.error(out, decodeAnthropicError(200, data));
        break;
      default:
        break; // ping and event types added after this was written
    }
  }

  protected stopped(): boolean {
    return this.stopReason !== undefined;
  }

  private messageStart(data: JsonObject, out: EventSink): void {
    const msg = isObject(data.message) ? data.message : {};
    if (isObject(msg.usage)) this.usage = decodeAnthropicUsage(msg.usage);
    if (!this.started) {
      this.started = true;
      const ev: { type: "start"; id: string; model: string; created: number; usage?: Usage } = {
        type: "start",
        id: typeof msg.id === "string" ? msg.id : "",
        model: typeof msg.model === "string" ? msg.model : "",
        created: nowSeconds(),
      };
      if (this.usage) ev.usage = this.usage;
      out(ev);
    }
    // Some responses arrive with their content already in message_start (programmatic tool calling).
    if (Array.isArray(msg.content)) {
      for (const block of msg.content) {
        if (!isObject(block)) continue;
        const index = -1 - this.nextIndex;
        this.blockStart({ index, content_block: block }, out);
        this.blockStop(index, out);
      }
    }
    if (typeof msg.stop_reason === "string") this.stopReason = stopFromAnthropic(msg.stop_reason);
  }

  private blockStart(data: JsonObject, out: EventSink): void {
    const wireIndex = typeof data.index === "number" ? data.index : this.nextIndex;
    const block = isObject(data.content_block) ? data.content_block : {};
    if (this.open.has(wireIndex)) this.blockStop(wireIndex, out);
    const ir = this.nextIndex++;
    switch (block.type) {
      case "text": {
        const st: Open = { ir, kind: "text", text: "" };
        const ex = leftovers(block, new Set(["type", "text", "citations"]));
        if (ex) st.extras = ex;
        this.open.set(wireIndex, st);
        out(
          ex
            ? { type: "block_start", index: ir, block: { type: "text", extras: { dialect: D, fields: ex } } }
            : { type: "block_start", index: ir, block: { type: "text" } },
        );
        if (typeof block.text === "string" && block.text.length > 0) this.text(st, block.text, out);
        break;
      }
      case "thinking": {
        const st: Open = { ir, kind: "reasoning", text: "" };
        if (typeof block.signature === "string" && block.signature) st.signature = block.signature;
        this.open.set(wireIndex, st);
        out({ type: "block_start", index: ir, block: { type: "reasoning" } });
        if (typeof block.thinking === "string" && block.thinking.length > 0) {
          st.text += block.thinking;
          out({ type: "delta", index: ir, kind: "reasoning", text: block.thinking });
        }
        break;
      }
      case "redacted_thinking": {
        const data = typeof block.data === "string" ? block.data : "";
        this.open.set(wireIndex, { ir, kind: "reasoning", text: "", redacted: data });
        out({ type: "block_start", index: ir, block: { type: "reasoning", redacted: data } });
        break;
      }
      case "tool_use": {
        const name = typeof block.name === "string" ? block.name : "";
        const id = typeof block.id === "string" ? block.id : "";
        const identity = identityOf(this.opts.tools, name);
        const st: Open = { ir, kind: "tool", text: "", id, name };
        if (identity) st.identity = identity;
        if (isObject(block.input) && Object.keys(block.input).length > 0)
          st.startInput = toolInputText(block.input, name);
        const ex = leftovers(block, new Set(["type", "id", "name", "input"]));
        if (ex) st.extras = ex;
        this.open.set(wireIndex, st);
        out({ type: "block_start", index: ir, block: toolCallHead(id, name, identity) });
        break;
      }
      default: {
        this.open.set(wireIndex, { ir, kind: "raw", text: "", head: block });
        out({ type: "block_start", index: ir, block: { type: "raw", dialect: D, value: block } });
      }
    }
  }

  private text(st: Open, text: string, out: EventSink): void {
    st.text += text;
    out({ type: "delta", index: st.ir, kind: "text", text });
  }

  private blockDelta(data: JsonObject, out: EventSink): void {
    const st = typeof data.index === "number" ? this.open.get(data.index) : undefined;
    const delta = isObject(data.delta) ? data.delta : undefined;
    if (!st || !delta) return;
    switch (delta.type) {
      case "text_delta":
        if (typeof delta.text === "string" && delta.text.length > 0) this.text(st, delta.text, out);
        return;
      case "thinking_delta":
        if (typeof delta.thinking === "string" && delta.thinking.length > 0) {
          st.text += delta.thinking;
          out({ type: "delta", index: st.ir, kind: "reasoning", text: delta.thinking });
        }
        return;
      case "signature_delta":
        if (typeof delta.signature === "string") st.signature = (st.signature ?? "") + delta.signature;
        return;
      case "input_json_delta": {
        const chunk = typeof delta.partial_json === "string" ? delta.partial_json : "";
        if (st.kind === "raw") {
          st.text += chunk;
          out({ type: "raw_delta", index: st.ir, dialect: D, value: delta });
          return;
        }
        if (chunk.length === 0) return;
        st.text += chunk;
        // An emulated custom tool streams `{"input": "..."}`: hold it and unwrap at the end.
        if (!st.identity?.wrapped) out({ type: "delta", index: st.ir, kind: "arguments", text: chunk });
        return;
      }
      case "citations_delta":
        if (delta.citation !== undefined) {
          st.annotations ??= [];
          st.annotations.push(delta.citation);
        }
        out({ type: "raw_delta", index: st.ir, dialect: D, value: delta });
        return;
      default:
        out({ type: "raw_delta", index: st.ir, dialect: D, value: delta });
    }
  }

  private blockStop(wireIndex: number, out: EventSink): void {
    const st = this.open.get(wireIndex);
    if (!st) return;
    this.open.delete(wireIndex);
    let part: AssistantPart;
    switch (st.kind) {
      case "text":
        part = { type: "text", text: st.text };
        if (st.annotations) part.annotations = st.annotations;
        if (st.extras) part.extras = { dialect: D, fields: st.extras };
        break;
      case "reasoning":
        part = { type: "reasoning", text: st.text };
        if (st.signature) part.signature = st.signature;
        if (st.redacted !== undefined) part.redacted = st.redacted;
        break;
      case "tool": {
        let args = st.text;
        // A call without input (Anthropic sends `input: {}` and no input_json_delta) still has JSON
        // arguments: `{}`, never "" (which Chat and Responses clients cannot parse).
        if (args.length === 0 && !st.identity?.wrapped) {
          args = st.startInput ?? "{}";
          out({ type: "delta", index: st.ir, kind: "arguments", text: args });
        }
        if (st.identity?.wrapped) {
          args = unwrapCustomInput(args);
          if (args.length > 0) out({ type: "delta", index: st.ir, kind: "arguments", text: args });
        }
        part = toolCallPart(st.id ?? "", st.name ?? "", args, st.identity);
        if (st.extras) part.extras = { dialect: D, fields: st.extras };
        break;
      }
      case "raw": {
        const value: JsonObject = { ...(st.head ?? {}) };
        if (st.text.length > 0) {
          try {
            value.input = JSON.parse(st.text) as Json;
          } catch {
            value.input = st.text;
          }
        }
        part = { type: "raw", dialect: D, value };
        break;
      }
    }
    out({ type: "block_stop", index: st.ir, part });
  }

  protected closeAll(out: EventSink): void {
    const indexes = [...this.open.keys()].sort((a, b) => a - b);
    for (const i of indexes) this.blockStop(i, out);
  }

  private messageDelta(data: JsonObject): void {
    const delta = isObject(data.delta) ? data.delta : {};
    if (typeof delta.stop_reason === "string") this.stopReason = stopFromAnthropic(delta.stop_reason);
    if (typeof delta.stop_sequence === "string") this.stopSequence = delta.stop_sequence;
    if (isObject(data.usage)) this.usage = decodeAnthropicUsage(data.usage, this.usage);
    const rest = leftovers(delta, new Set(["stop_reason", "stop_sequence"]));
    const top = leftovers(data, MESSAGE_DELTA_KNOWN);
    if (rest || top) this.extras = { ...this.extras, ...rest, ...top };
  }

  protected endEvent(): EndEvent {
    const ev: EndEvent = { type: "end", stopReason: this.stopReason ?? "end_turn", stopSequence: this.stopSequence };
    if (this.usage) ev.usage = this.usage;
    if (this.extras) ev.extras = { dialect: D, fields: this.extras };
    return ev;
  }
}
