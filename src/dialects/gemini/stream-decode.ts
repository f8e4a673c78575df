import { derivedId } from "../../ir/ids.js";
import { isObject } from "../../ir/input-error.js";
import { checkToolInput, toolInputText } from "../../ir/json-depth.js";
import type { AssistantPart, Json, JsonObject, StopReason, Usage } from "../../ir/types.js";
import type { SseEvent } from "../../sse/parser.js";
import { DecoderLifecycle, type EndEvent, toolCallHead, toolCallPart } from "../decoder-lifecycle.js";
import { identityOf, unwrapCustomInput } from "../tool-identity.js";
import type { EventSink, ToolIdentity } from "../types.js";
import { decodeGeminiError } from "./errors.js";
import { stopFromGemini } from "./finish-reason.js";
import { setPath } from "./partial-args.js";
import { D, field } from "./parts.js";
import { decodeGeminiUsage } from "./usage.js";

interface Open {
  ir: number;
  kind: "text" | "reasoning" | "tool";
  text: string;
  signature?: string;
  /** tool: id, upstream name, identity, arguments built from streamed partialArgs. */
  id?: string;
  name?: string;
  identity?: ToolIdentity;
  args?: JsonObject;
}

/**
 * Gemini streamGenerateContent (alt=sse) → IR events. Every chunk is a whole GenerateContentResponse:
 * consecutive text (or thought) parts join into one block; a thoughtSignature becomes reasoning of its own
 * (before the function call it came with, after the text it came with); function calls arrive whole, or,
 * on Vertex with streamed arguments, as `willContinue` pieces whose `partialArgs` are set by JSONPath.
 */
export class GeminiStreamDecoder extends DecoderLifecycle {
  protected readonly awaited = "a finishReason";
  private open: Open | undefined;
  private nextIndex = 0;
  private calls = 0;
  private responseId = "";
  private usage: Usage | undefined;
  private finishReason: string | undefined;
  private blocked = false;
  /** The upstream's promptFeedback when it blocked the prompt: a Gemini client gets it back as it came. */
  private feedback: JsonObject | undefined;

  protected read(data: Json, _ev: SseEvent, out: EventSink): void {
    // A JSON-array stream (no alt=sse) may arrive as one event holding every chunk.
    const chunks = Array.isArray(data) ? data : [data];
    for (const chunk of chunks) if (isObject(chunk)) this.chunk(chunk, out);
  }

  /** Reads one GenerateContentResponse (also used for a whole non-streamed body). */
  chunk(data: JsonObject, out: EventSink): void {
    if (this.finished) return;
    if (isObject(data.error)) {
      this.error(out, decodeGeminiError(200, data));
      return;
    }
    this.startFrom(data, out);
    const usage = decodeGeminiUsage(field(data, "usageMetadata"));
    if (usage) this.usage = usage;
    const feedback = field(data, "promptFeedback");
    if (isObject(feedback) && typeof field(feedback, "blockReason") === "string") {
      this.blocked = true;
      this.feedback = feedback;
    }
    const candidate = Array.isArray(data.candidates) && isObject(data.candidates[0]) ? data.candidates[0] : undefined;
    if (!candidate) return;
    const content = candidate.content;
    if (isObject(content) && Array.isArray(content.parts)) {
      for (const part of content.parts) if (isObject(part)) this.part(part, out);
    }
    const reason = field(candidate, "finishReason");
    if (typeof reason === "string") this.finishReason = reason;
  }

  protected stopped(): boolean {
    return this.finishReason !== undefined || this.blocked;
  }

  private startFrom(data: JsonObject, out: EventSink): void {
    if (this.started) return;
    const id = field(data, "responseId");
    const model = field(data, "modelVersion");
    this.responseId = typeof id === "string" ? id : "";
    this.ensureStarted(out, this.responseId, typeof model === "string" ? model : "");
  }

  private begin(kind: Open["kind"], out: EventSink, head?: Partial<Open>): Open {
    this.closeAll(out);
    const st: Open = { ir: this.nextIndex++, kind, text: "", ...head };
    this.open = st;
    if (kind === "tool")
      out({ type: "block_start", index: st.ir, block: toolCallHead(st.id ?? "", st.name ?? "", st.identity) });
    else out({ type: "block_start", index: st.ir, block: kind === "text" ? { type: "text" } : { type: "reasoning" } });
    return st;
  }

  /** A standalone thought signature (one that came with a call, a text or code part). */
  private signature(sig: string, out: EventSink): void {
    this.closeAll(out);
    const ir = this.nextIndex++;
    out({ type: "block_start", index: ir, block: { type: "reasoning" } });
    out({ type: "block_stop", index: ir, part: { type: "reasoning", text: "", thoughtSignature: sig } });
  }

  private part(part: JsonObject, out: EventSink): void {
    const s = field(part, "thoughtSignature");
    const sig = typeof s === "string" && s.length > 0 ? s : undefined;
    if (typeof part.text === "string") {
      const thought = field(part, "thought") === true;
      const kind = thought ? "reasoning" : "text";
      if (part.text.length > 0 || (thought && sig)) {
        const st = this.open?.kind === kind && this.open.signature === undefined ? this.open : this.begin(kind, out);
        if (part.text.length > 0) {
          st.text += part.text;
          out({ type: "delta", index: st.ir, kind, text: part.text });
        }
        if (thought && sig) st.signature = sig;
      }
      if (sig && !thought) this.signature(sig, out);
      return;
    }
    const call = field(part, "functionCall");
    if (isObject(call)) {
      this.functionCall(call, sig, out);
      return;
    }
    if (sig) this.signature(sig, out);
    const { thoughtSignature: _t, thought_signature: _u, ...rest } = part;
    if (Object.keys(rest).length === 0) return;
    // executableCode, codeExecutionResult, inlineData output…: Gemini's own blocks.
    this.closeAll(out);
    const ir = this.nextIndex++;
    out({ type: "block_start", index: ir, block: { type: "raw", dialect: D, value: rest } });
    out({ type: "block_stop", index: ir, part: { type: "raw", dialect: D, value: rest } });
  }

  private functionCall(call: JsonObject, sig: string | undefined, out: EventSink): void {
    const name = typeof call.name === "string" ? call.name : undefined;
    const more = field(call, "willContinue") === true;
    const partial = field(call, "partialArgs");
    const open = this.open?.kind === "tool" ? this.open : undefined;
    if (name === undefined) {
      // A continuation (partialArgs) or the empty functionCall that closes a streamed call.
      if (!open) return;
      if (Array.isArray(partial)) for (const p of partial) if (isObject(p)) applyPartial(open, p);
      if (!more) this.closeAll(out);
      return;
    }
    if (sig) this.signature(sig, out);
    const id = typeof call.id === "string" && call.id ? call.id : derivedId("call_", this.responseId, this.calls, 24);
    this.calls++;
    const identity = identityOf(this.opts.tools, name);
    // Bounded where it enters, before it is copied (json-bounds.ts); checked again once partial args are merged.
    checkToolInput(call.args ?? {}, identity?.name ?? name);
    const st = this.begin("tool", out, {
      id,
      name,
      args: isObject(call.args) ? { ...call.args } : {},
      ...(identity ? { identity } : {}),
    });
    if (Array.isArray(partial)) for (const p of partial) if (isObject(p)) applyPartial(st, p);
    if (!more) this.closeAll(out);
  }

  /** Closes the open block (Gemini has at most one). */
  protected closeAll(out: EventSink): void {
    const st = this.open;
    if (!st) return;
    this.open = undefined;
    let part: AssistantPart;
    if (st.kind === "text") part = { type: "text", text: st.text };
    else if (st.kind === "reasoning") {
      part = { type: "reasoning", text: st.text };
      if (st.signature) part.thoughtSignature = st.signature;
    } else {
      let args = toolInputText(st.args ?? {}, st.identity?.name ?? st.name ?? "");
      if (st.identity?.wrapped) args = unwrapCustomInput(args);
      if (args.length > 0) out({ type: "delta", index: st.ir, kind: "arguments", text: args });
      part = toolCallPart(st.id ?? "", st.name ?? "", args, st.identity);
    }
    out({ type: "block_stop", index: st.ir, part });
  }

  protected endEvent(): EndEvent {
    const stopReason: StopReason =
      this.blocked && this.nextIndex === 0 ? "content_filter" : stopFromGemini(this.finishReason, this.calls > 0);
    const ev: EndEvent = { type: "end", stopReason, stopSequence: null };
    if (this.usage) ev.usage = this.usage;
    // A blocked prompt (no candidate at all): its reason, for a Gemini client.
    if (this.feedback && this.nextIndex === 0) ev.extras = { dialect: D, fields: { promptFeedback: this.feedback } };
    return ev;
  }
}

/** One streamed argument piece: strings are appended (they arrive in pieces), other values are set. */
function applyPartial(st: Open, p: JsonObject): void {
  const path = field(p, "jsonPath");
  if (typeof path !== "string") return;
  st.args ??= {};
  let value: Json | undefined;
  let append = false;
  if (typeof field(p, "stringValue") === "string") {
    value = field(p, "stringValue") as string;
    append = true;
  } else if (field(p, "numberValue") !== undefined) value = field(p, "numberValue") as Json;
  else if (field(p, "boolValue") !== undefined) value = field(p, "boolValue") as Json;
  else if (field(p, "nullValue") !== undefined) value = null;
  if (value === undefined) return;
  setPath(st.args, path, value, append);
}
