import { nowSeconds } from "../../ir/ids.js";
import { stopToResponses } from "../../ir/stop-reason.js";
import type { AssistantPart, BlockHead, ErrorInfo, JsonObject, StreamEvent, Usage } from "../../ir/types.js";
import { Warnings } from "../../ir/warnings.js";
import { sseEvent } from "../../sse/serialize.js";
import { EncoderOutput } from "../encoder-output.js";
import { callItem, callSkeleton, itemFieldsOf, newItemId, outputText, reasoningItem } from "./items.js";
import { responseId, responseObject } from "./response.js";
import { forwardedProgress, streamErrorBody } from "./stream-events.js";

const D = "openai-responses" as const;

interface Message {
  outputIndex: number;
  id: string;
  content: JsonObject[];
  phase?: string;
}

interface Block {
  head: BlockHead;
  outputIndex: number;
  itemId: string;
  /** Content index inside the message (text and refusal blocks). */
  contentIndex?: number;
  /** Reasoning: the summary part currently open, and the text of each part. */
  summaryIndex?: number;
  summaries?: string[];
  rawText?: string;
  rawOpen?: boolean;
  args?: string;
  /** Text streamed so far (text and refusal blocks). */
  text?: string;
}

/**
 * IR events → Responses SSE. Keeps the invariants strict clients check: `response.created` first,
 * `output_item.added` at output_index = current length, parts appended at their index, `.done` items equal
 * in type/id/call_id to their `.added`, a sequence_number on every event, and a terminal
 * `response.completed` / `incomplete` / `failed` carrying the full output and usage.
 */
export class ResponsesStreamEncoder extends EncoderOutput {
  private seq = 0;
  private started = false;
  private id = "";
  private model = "";
  private created = 0;
  private readonly output: JsonObject[] = [];
  private message: Message | undefined;
  private readonly blocks = new Map<number, Block>();
  private usage: Usage | undefined;
  private readonly warnings = new Warnings();

  /** Serialises one event; `body` is the JSON of the payload without type and sequence_number. */
  private emit(type: string, body: string): void {
    const seq = this.seq++;
    this.out += sseEvent(
      type,
      `{"type":"${type}","sequence_number":${seq}${body.length > 2 ? `,${body.slice(1)}` : "}"}`,
    );
  }

  private emitObj(type: string, body: JsonObject): void {
    this.emit(type, JSON.stringify(body));
  }

  private skeleton(
    status: string,
    extra: { usage?: Usage; incompleteReason?: string; error?: ErrorInfo } = {},
  ): JsonObject {
    return responseObject({
      id: this.id,
      model: this.model,
      created: this.created,
      status,
      output: this.output,
      usage: extra.usage,
      incompleteReason: extra.incompleteReason,
      error: extra.error,
    });
  }

  private start(id: string, model: string, created: number): void {
    if (this.started) return;
    this.started = true;
    this.id = this.opts.responseId ?? responseId(id);
    this.model = this.opts.model ?? model;
    this.created = created || nowSeconds();
    const response = this.skeleton("in_progress");
    this.emitObj("response.created", { response });
    this.emitObj("response.in_progress", { response });
  }

  write(e: StreamEvent): void {
    if (this.done) return;
    if (e.type !== "start") this.start("", "", 0);
    switch (e.type) {
      case "start":
        if (e.usage) this.usage = e.usage;
        this.start(e.id, e.model, e.created);
        return;
      case "block_start":
        this.blockStart(e.index, e.block);
        return;
      case "delta":
        this.delta(e.index, e.kind, e.text, e.part);
        return;
      case "raw_delta": {
        const b = this.blocks.get(e.index);
        if (!b || e.dialect !== D) return;
        const ev = forwardedProgress(e.value, b.outputIndex, b.itemId);
        if (ev) this.emitObj(ev.type, ev.body);
        return;
      }
      case "block_stop":
        this.blockStop(e.index, e.part);
        return;
      case "usage":
        this.usage = e.usage;
        return;
      case "end": {
        this.closeAll();
        if (e.usage) this.usage = e.usage;
        const stop = stopToResponses(e.stopReason);
        const extra: { usage?: Usage; incompleteReason?: string } = {};
        if (this.usage) extra.usage = this.usage;
        if (stop.incompleteReason) extra.incompleteReason = stop.incompleteReason;
        const response = this.skeleton(stop.status, extra);
        this.emitObj(stop.status === "completed" ? "response.completed" : "response.incomplete", { response });
        this.done = true;
        return;
      }
      case "error": {
        this.closeAll();
        this.emitObj("error", streamErrorBody(e.error));
        const extra: { usage?: Usage; error: ErrorInfo } = { error: e.error };
        if (this.usage) extra.usage = this.usage;
        this.emitObj("response.failed", { response: this.skeleton("failed", extra) });
        this.done = true;
        return;
      }
    }
  }

  private openMessage(phase: string | undefined): Message {
    if (this.message) return this.message;
    const m: Message = {
      outputIndex: this.output.length,
      id: newItemId("msg", this.id, this.output.length),
      content: [],
    };
    if (phase) m.phase = phase;
    this.message = m;
    const item: JsonObject = { id: m.id, type: "message", status: "in_progress", content: [], role: "assistant" };
    if (phase) item.phase = phase;
    this.output.push(item);
    this.emitObj("response.output_item.added", { output_index: m.outputIndex, item });
    return m;
  }

  private closeMessage(): void {
    const m = this.message;
    if (!m) return;
    this.message = undefined;
    const item: JsonObject = { id: m.id, type: "message", status: "completed", content: m.content, role: "assistant" };
    if (m.phase) item.phase = m.phase;
    this.output[m.outputIndex] = item;
    this.emitObj("response.output_item.done", { output_index: m.outputIndex, item });
  }

  private blockStart(index: number, head: BlockHead): void {
    switch (head.type) {
      case "text":
      case "refusal": {
        const fields = head.type === "text" && head.extras?.dialect === D ? head.extras.fields : undefined;
        const item = fields?.item;
        const phaseField =
          fields?.phase ?? (item && typeof item === "object" && !Array.isArray(item) ? item.phase : undefined);
        const m = this.openMessage(typeof phaseField === "string" ? phaseField : undefined);
        const contentIndex = m.content.length;
        const part: JsonObject =
          head.type === "refusal"
            ? { type: "refusal", refusal: "" }
            : { type: "output_text", text: "", annotations: [], logprobs: [] };
        m.content.push(part);
        this.blocks.set(index, { head, outputIndex: m.outputIndex, itemId: m.id, contentIndex });
        this.emitObj("response.content_part.added", {
          item_id: m.id,
          output_index: m.outputIndex,
          content_index: contentIndex,
          part,
        });
        return;
      }
      case "reasoning": {
        this.closeMessage();
        const outputIndex = this.output.length;
        const itemId = head.id?.startsWith("rs_") ? head.id : newItemId("rs", this.id, outputIndex);
        const item: JsonObject = { id: itemId, type: "reasoning", summary: [] };
        this.output.push(item);
        this.blocks.set(index, { head, outputIndex, itemId, summaries: [], rawText: "" });
        this.emitObj("response.output_item.added", { output_index: outputIndex, item });
        return;
      }
      case "tool_call": {
        this.closeMessage();
        const outputIndex = this.output.length;
        const custom = head.kind === "custom";
        const itemId = head.itemId ?? newItemId(custom ? "ctc" : "fc", this.id, outputIndex);
        const item = callSkeleton(head, itemId, "in_progress", "");
        this.output.push(item);
        this.blocks.set(index, { head, outputIndex, itemId, args: "" });
        this.emitObj("response.output_item.added", { output_index: outputIndex, item });
        return;
      }
      case "raw": {
        if (head.dialect !== D) {
          this.warnings.add("unsupported_content", "output with no Responses equivalent was dropped");
          return;
        }
        this.closeMessage();
        const outputIndex = this.output.length;
        const itemId = typeof head.value.id === "string" ? head.value.id : newItemId("msg", this.id, outputIndex);
        this.output.push(head.value);
        this.blocks.set(index, { head, outputIndex, itemId });
        this.emitObj("response.output_item.added", { output_index: outputIndex, item: head.value });
        return;
      }
    }
  }

  private delta(index: number, kind: string, text: string, part: number | undefined): void {
    const b = this.blocks.get(index);
    if (!b) return;
    const json = JSON.stringify(text);
    const ids = `"item_id":${JSON.stringify(b.itemId)},"output_index":${b.outputIndex}`;
    switch (kind) {
      case "text":
        b.text = (b.text ?? "") + text;
        this.emit(
          "response.output_text.delta",
          `{${ids},"content_index":${b.contentIndex},"delta":${json},"logprobs":[]}`,
        );
        return;
      case "refusal":
        b.text = (b.text ?? "") + text;
        this.emit("response.refusal.delta", `{${ids},"content_index":${b.contentIndex},"delta":${json}}`);
        return;
      case "arguments":
        b.args = (b.args ?? "") + text;
        this.emit(
          b.head.type === "tool_call" && b.head.kind === "custom"
            ? "response.custom_tool_call_input.delta"
            : "response.function_call_arguments.delta",
          `{${ids},"delta":${json}}`,
        );
        return;
      case "reasoning": {
        const raw = b.head.type === "reasoning" && b.head.raw === true;
        if (raw) {
          if (!b.rawOpen) {
            b.rawOpen = true;
            this.emit(
              "response.content_part.added",
              `{${ids},"content_index":0,"part":{"type":"reasoning_text","text":""}}`,
            );
          }
          b.rawText = (b.rawText ?? "") + text;
          this.emit("response.reasoning_text.delta", `{${ids},"content_index":0,"delta":${json}}`);
          return;
        }
        const p = part ?? b.summaryIndex ?? 0;
        if (b.summaryIndex !== p) {
          this.closeSummary(b);
          b.summaryIndex = p;
          const at = b.summaries!.length;
          b.summaries!.push("");
          this.emit(
            "response.reasoning_summary_part.added",
            `{${ids},"summary_index":${at},"part":{"type":"summary_text","text":""}}`,
          );
        }
        const at = b.summaries!.length - 1;
        b.summaries![at] += text;
        this.emit("response.reasoning_summary_text.delta", `{${ids},"summary_index":${at},"delta":${json}}`);
        return;
      }
    }
  }

  private closeSummary(b: Block): void {
    if (b.summaryIndex === undefined || !b.summaries?.length) return;
    const at = b.summaries.length - 1;
    const text = b.summaries[at]!;
    const ids = { item_id: b.itemId, output_index: b.outputIndex, summary_index: at };
    this.emitObj("response.reasoning_summary_text.done", { ...ids, text });
    this.emitObj("response.reasoning_summary_part.done", { ...ids, part: { type: "summary_text", text } });
    b.summaryIndex = undefined;
  }

  private blockStop(index: number, part: AssistantPart): void {
    const b = this.blocks.get(index);
    if (!b) return;
    this.blocks.delete(index);
    const ids = { item_id: b.itemId, output_index: b.outputIndex };
    switch (b.head.type) {
      case "text":
      case "refusal": {
        const m = this.message;
        const text = part.type === "text" || part.type === "refusal" ? part.text : "";
        let final: JsonObject;
        if (b.head.type === "refusal") {
          final = { type: "refusal", refusal: text };
          this.emitObj("response.refusal.done", { ...ids, content_index: b.contentIndex!, refusal: text });
        } else {
          final =
            part.type === "text"
              ? { ...outputText(part), logprobs: [] }
              : { type: "output_text", text, annotations: [], logprobs: [] };
          this.emitObj("response.output_text.done", { ...ids, content_index: b.contentIndex!, text, logprobs: [] });
          if (part.type === "text" && m && !m.phase) {
            const phase = itemFieldsOf(part)?.phase;
            if (typeof phase === "string") m.phase = phase;
          }
        }
        if (m && m.id === b.itemId) m.content[b.contentIndex!] = final;
        this.emitObj("response.content_part.done", { ...ids, content_index: b.contentIndex!, part: final });
        return;
      }
      case "reasoning": {
        this.closeSummary(b);
        if (b.rawOpen) {
          const text = b.rawText ?? "";
          this.emitObj("response.reasoning_text.done", { ...ids, content_index: 0, text });
          this.emitObj("response.content_part.done", {
            ...ids,
            content_index: 0,
            part: { type: "reasoning_text", text },
          });
        }
        const r = part.type === "reasoning" ? part : { type: "reasoning" as const, text: "" };
        const item = reasoningItem(
          {
            ...r,
            summary: b.summaries && b.summaries.length > 0 ? b.summaries : (r.summary ?? []),
            raw: b.rawOpen === true,
          },
          b.itemId,
          this.opts.wrapReasoning,
        );
        item.id = b.itemId;
        this.output[b.outputIndex] = item;
        this.emitObj("response.output_item.done", { output_index: b.outputIndex, item });
        return;
      }
      case "tool_call": {
        const head = b.head;
        const args = part.type === "tool_call" ? part.arguments : (b.args ?? "");
        if (head.kind === "custom") this.emitObj("response.custom_tool_call_input.done", { ...ids, input: args });
        else this.emitObj("response.function_call_arguments.done", { ...ids, name: head.name, arguments: args });
        const call = part.type === "tool_call" ? { ...part, id: head.id, name: head.name, arguments: args } : undefined;
        const item = call ? callItem(call, b.itemId, "completed") : callSkeleton(head, b.itemId, "completed", args);
        this.output[b.outputIndex] = item;
        this.emitObj("response.output_item.done", { output_index: b.outputIndex, item });
        return;
      }
      case "raw": {
        const item = part.type === "raw" ? part.value : b.head.value;
        this.output[b.outputIndex] = item;
        this.emitObj("response.output_item.done", { output_index: b.outputIndex, item });
        return;
      }
    }
  }

  private closeAll(): void {
    for (const [index, b] of this.blocks) {
      const part =
        b.head.type === "tool_call"
          ? { type: "tool_call" as const, id: b.head.id, name: b.head.name, arguments: b.args ?? "", kind: b.head.kind }
          : { type: b.head.type === "refusal" ? ("refusal" as const) : ("text" as const), text: b.text ?? "" };
      this.blockStop(index, part);
    }
    this.closeMessage();
  }
}
