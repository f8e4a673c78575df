import { reprefix, sanitizeAnthropicToolId } from "../../ir/ids.js";
import { stopToAnthropic } from "../../ir/stop-reason.js";
import type { BlockHead, JsonObject, ReasoningPart, StreamEvent, Usage } from "../../ir/types.js";
import { sseEvent } from "../../sse/serialize.js";
import { EncoderOutput } from "../encoder-output.js";
import { encodeAnthropicError } from "./errors.js";
import { encodeAnthropicUsage } from "./usage.js";

const D = "anthropic" as const;

interface Block {
  index: number;
  head: BlockHead;
  /** Reasoning: the summary part of the last delta (parts are separated by a blank line). */
  part?: number;
}

/**
 * IR events → Anthropic Messages SSE: message_start, content_block_start/delta/stop with their own index
 * counter, message_delta with the stop reason and cumulative usage, message_stop; errors as `event: error`.
 */
export class AnthropicStreamEncoder extends EncoderOutput {
  private started = false;
  private nextIndex = 0;
  private readonly blocks = new Map<number, Block>();
  private usage: Usage | undefined;
  private sawRefusal = false;

  write(e: StreamEvent): void {
    if (this.done) return;
    switch (e.type) {
      case "start":
        if (e.usage) this.usage = e.usage;
        this.start(e.id, e.model);
        return;
      case "block_start":
        this.start("", "");
        this.blockStart(e.index, e.block);
        return;
      case "delta": {
        const b = this.blocks.get(e.index);
        if (!b) return;
        let text = e.text;
        if (e.kind === "reasoning" && e.part !== undefined) {
          if (b.part !== undefined && b.part !== e.part) text = `\n\n${text}`;
          b.part = e.part;
        }
        const json = JSON.stringify(text);
        let delta: string;
        if (e.kind === "reasoning") delta = `{"type":"thinking_delta","thinking":${json}}`;
        else if (e.kind === "arguments") {
          // A free-form (custom) tool's raw input streams as the string value of {"input": …}.
          const piece = b.head.type === "tool_call" && b.head.kind === "custom" ? json.slice(1, -1) : text;
          delta = `{"type":"input_json_delta","partial_json":${JSON.stringify(piece)}}`;
        } else delta = `{"type":"text_delta","text":${json}}`;
        this.emit("content_block_delta", `{"type":"content_block_delta","index":${b.index},"delta":${delta}}`);
        return;
      }
      case "raw_delta": {
        const b = this.blocks.get(e.index);
        if (!b || e.dialect !== D) return;
        this.emit(
          "content_block_delta",
          JSON.stringify({ type: "content_block_delta", index: b.index, delta: e.value }),
        );
        return;
      }
      case "block_stop": {
        const b = this.blocks.get(e.index);
        if (!b) return;
        this.blocks.delete(e.index);
        if (b.head.type === "tool_call" && b.head.kind === "custom") this.customInput(b.index, '"}');
        if (e.part.type === "reasoning" && e.part.redacted === undefined) {
          const signature = this.signature(e.part);
          if (signature) {
            this.emit(
              "content_block_delta",
              `{"type":"content_block_delta","index":${b.index},"delta":{"type":"signature_delta","signature":${JSON.stringify(signature)}}}`,
            );
          }
        }
        this.emit("content_block_stop", `{"type":"content_block_stop","index":${b.index}}`);
        return;
      }
      case "usage":
        this.usage = e.usage;
        return;
      case "end": {
        this.start("", "");
        this.closeAll();
        if (e.usage) this.usage = e.usage;
        const stop = e.stopReason === "end_turn" && this.sawRefusal ? "refusal" : stopToAnthropic(e.stopReason);
        const delta: JsonObject = { stop_reason: stop, stop_sequence: e.stopSequence ?? null };
        const body: JsonObject = { type: "message_delta", delta, usage: encodeAnthropicUsage(this.usage) };
        if (e.extras?.dialect === D) {
          for (const [k, v] of Object.entries(e.extras.fields)) {
            if (k === "stop_details" || k === "container") delta[k] = v;
            else body[k] = v;
          }
        }
        this.emit("message_delta", JSON.stringify(body));
        this.emit("message_stop", `{"type":"message_stop"}`);
        this.done = true;
        return;
      }
      case "error":
        this.closeAll();
        this.emit("error", JSON.stringify(encodeAnthropicError(e.error)));
        this.done = true;
        return;
    }
  }

  private signature(part: ReasoningPart): string | undefined {
    return part.signature ?? this.opts.wrapReasoning?.(part, D);
  }

  private emit(event: string, data: string): void {
    this.out += sseEvent(event, data);
  }

  private start(id: string, model: string): void {
    if (this.started) return;
    this.started = true;
    const message = {
      id: reprefix(id, "msg_"),
      type: "message",
      role: "assistant",
      model: this.opts.model ?? model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: encodeAnthropicUsage(
        !this.usage?.inputTokens && this.opts.inputTokensEstimate
          ? { inputTokens: this.opts.inputTokensEstimate, outputTokens: this.usage?.outputTokens ?? 0 }
          : this.usage,
      ),
    };
    this.emit("message_start", JSON.stringify({ type: "message_start", message }));
  }

  private blockStart(irIndex: number, head: BlockHead): void {
    let block: JsonObject;
    switch (head.type) {
      case "text":
        block = { type: "text", text: "" };
        if (head.extras?.dialect === D) Object.assign(block, head.extras.fields);
        break;
      case "refusal":
        this.sawRefusal = true;
        block = { type: "text", text: "" };
        break;
      case "reasoning":
        block =
          head.redacted !== undefined
            ? { type: "redacted_thinking", data: head.redacted }
            : { type: "thinking", thinking: "", signature: "" };
        break;
      case "tool_call":
        block = { type: "tool_use", id: sanitizeAnthropicToolId(head.id), name: head.name, input: {} };
        break;
      case "raw":
        if (head.dialect !== D) return; // other dialects' built-in items have no Anthropic form
        block = head.value;
        break;
    }
    const index = this.nextIndex++;
    this.blocks.set(irIndex, { index, head });
    this.emit("content_block_start", JSON.stringify({ type: "content_block_start", index, content_block: block }));
    if (head.type === "tool_call" && head.kind === "custom") this.customInput(index, '{"input":"');
  }

  private customInput(index: number, piece: string): void {
    this.emit(
      "content_block_delta",
      `{"type":"content_block_delta","index":${index},"delta":{"type":"input_json_delta","partial_json":${JSON.stringify(piece)}}}`,
    );
  }

  private closeAll(): void {
    for (const b of this.blocks.values()) {
      if (b.head.type === "tool_call" && b.head.kind === "custom") this.customInput(b.index, '"}');
      this.emit("content_block_stop", `{"type":"content_block_stop","index":${b.index}}`);
    }
    this.blocks.clear();
  }
}
