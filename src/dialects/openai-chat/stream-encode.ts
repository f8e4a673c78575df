import { nowSeconds, reprefix } from "../../ir/ids.js";
import { stopToChat } from "../../ir/stop-reason.js";
import type { StreamEvent, Usage } from "../../ir/types.js";
import { SSE_DONE, sseData } from "../../sse/serialize.js";
import { EncoderOutput } from "../encoder-output.js";
import { encodeOpenAIError } from "../openai-errors.js";
import type { ChatReasoningMode, ResponseOptions } from "../types.js";
import { encodeChatUsage } from "./usage.js";

/**
 * IR events → Chat Completions chunks: role on the first delta, tool calls numbered 0..N-1 per choice,
 * a finish chunk with the mapped finish_reason, the usage chunk when asked for, then [DONE]. Chunk JSON is
 * assembled from a fixed prefix so a delta costs one JSON.stringify of its text.
 */
export class ChatStreamEncoder extends EncoderOutput {
  private prefix = "";
  /** IR block → [tool-call index, whether it is written as a custom call]. */
  private readonly tools = new Map<number, [number, boolean]>();
  private nextTool = 0;
  /** Reasoning block → summary part of its last delta (parts are separated by a blank line). */
  private readonly reasoningParts = new Map<number, number>();
  private thinkOpen = false;
  /** Whether the open <think> block has received text. */
  private thinkText = false;
  private usage: Usage | undefined;
  private readonly mode: ChatReasoningMode;

  constructor(opts: ResponseOptions = {}) {
    super(opts);
    this.mode = opts.reasoningMode ?? "reasoning_content";
  }

  private chunk(delta: string, finish = "null"): void {
    this.out += sseData(
      `${this.prefix},"choices":[{"index":0,"delta":${delta},"logprobs":null,"finish_reason":${finish}}]}`,
    );
  }

  private begin(id: string, model: string, created: number): void {
    if (this.prefix) return;
    const chunkId = reprefix(id, "chatcmpl-");
    this.prefix = `{"id":${JSON.stringify(chunkId)},"object":"chat.completion.chunk","created":${created || nowSeconds()},"model":${JSON.stringify(this.opts.model ?? model)}`;
    this.chunk(`{"role":"assistant","content":""}`);
  }
  private closeThink(): void {
    if (!this.thinkOpen) return;
    this.thinkOpen = false;
    this.chunk(this.thinkText ? `{"content":"\\n\\n</think>\\n\\n"}` : `{"content":"</think>\\n\\n"}`);
  }

  write(e: StreamEvent): void {
    if (this.done) return;
    if (e.type !== "start" && e.type !== "error") this.begin("", "", 0);
    switch (e.type) {
      case "start":
        if (e.usage) this.usage = e.usage;
        this.begin(e.id, e.model, e.created);
        return;
      case "block_start":
        switch (e.block.type) {
          case "reasoning":
            if (this.mode === "think-tags" && !this.thinkOpen) {
              this.thinkOpen = true;
              this.thinkText = false;
              this.chunk(`{"content":"<think>\\n\\n"}`);
            }
            return;
          case "tool_call": {
            this.closeThink();
            const k = this.nextTool++;
            const custom = e.block.kind === "custom" && this.opts.customToolCalls !== "function";
            this.tools.set(e.index, [k, custom]);
            const id = JSON.stringify(e.block.id);
            const name = JSON.stringify(e.block.name);
            this.chunk(
              custom
                ? `{"tool_calls":[{"index":${k},"id":${id},"type":"custom","custom":{"name":${name},"input":""}}]}`
                : `{"tool_calls":[{"index":${k},"id":${id},"type":"function","function":{"name":${name},"arguments":""}}]}`,
            );
            return;
          }
          default:
            this.closeThink();
            return;
        }
      case "delta": {
        let text = e.text;
        if (e.kind === "reasoning" && e.part !== undefined) {
          const last = this.reasoningParts.get(e.index);
          if (last !== undefined && last !== e.part) text = `\n\n${text}`;
          this.reasoningParts.set(e.index, e.part);
        }
        const json = JSON.stringify(text);
        switch (e.kind) {
          case "text":
            this.chunk(`{"content":${json}}`);
            return;
          case "refusal":
            this.chunk(`{"refusal":${json}}`);
            return;
          case "reasoning":
            if (this.mode === "reasoning_content") this.chunk(`{"reasoning_content":${json}}`);
            else if (this.mode === "think-tags") {
              this.thinkText ||= text.length > 0;
              this.chunk(`{"content":${json}}`);
            }
            return;
          case "arguments": {
            const t = this.tools.get(e.index);
            if (t === undefined) return;
            this.chunk(
              t[1]
                ? `{"tool_calls":[{"index":${t[0]},"custom":{"input":${json}}}]}`
                : `{"tool_calls":[{"index":${t[0]},"function":{"arguments":${json}}}]}`,
            );
            return;
          }
        }
        return;
      }
      case "block_stop":
      case "raw_delta":
        return;
      case "usage":
        this.usage = e.usage;
        return;
      case "end": {
        this.closeThink();
        if (e.usage) this.usage = e.usage;
        this.chunk("{}", JSON.stringify(stopToChat(e.stopReason)));
        if (this.opts.includeUsage && this.usage) {
          this.out += sseData(`${this.prefix},"choices":[],"usage":${JSON.stringify(encodeChatUsage(this.usage))}}`);
        }
        this.out += SSE_DONE;
        this.done = true;
        return;
      }
      case "error":
        this.closeThink();
        if (this.opts.errorsAsText && this.prefix) {
          const what = e.error.code ? `${e.error.kind}, ${e.error.code}` : e.error.kind;
          this.chunk(
            `{"content":${JSON.stringify(`\n\n**llmux: the upstream failed (${what}):** ${e.error.message}\n`)}}`,
          );
          this.chunk("{}", '"stop"');
          this.out += SSE_DONE;
        } else this.out += sseData(JSON.stringify(encodeOpenAIError(e.error)));
        this.done = true;
        return;
    }
  }
}
