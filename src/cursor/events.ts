import type { AssistantPart, ErrorInfo, StreamEvent, Usage } from "../ir/types.js";
import { tokenCount } from "../ir/usage.js";
import type { ErrorOut, HelperEvent, UsageOut } from "./protocol.js";

/**
 * Cursor's usage as llmux counts it: the SDK reports input without the cached part (its total is input +
 * output + cache reads + cache writes), llmux's input counts everything read; reasoning is part of output.
 */
export function usageOf(u: UsageOut): Usage {
  const read = tokenCount(u.cacheReadTokens) ?? 0;
  const write = tokenCount(u.cacheWriteTokens) ?? 0;
  const usage: Usage = {
    inputTokens: (tokenCount(u.inputTokens) ?? 0) + read + write,
    outputTokens: tokenCount(u.outputTokens) ?? 0,
  };
  if (read > 0) usage.cacheReadTokens = read;
  if (write > 0) usage.cacheWriteTokens = write;
  const reasoning = tokenCount(u.reasoningTokens);
  if (reasoning) usage.reasoningTokens = reasoning;
  return usage;
}

export function errorInfoOf(e: ErrorOut): ErrorInfo {
  return { status: e.status, kind: e.kind, message: e.message };
}

type Open = { index: number; kind: "text" | "reasoning"; text: string };

/**
 * The helper's events for one request → IR stream events: thinking and text deltas as reasoning and text
 * blocks, each tool call as a complete tool_call block, the end with its stop reason and usage.
 */
export class CursorEventMapper {
  private index = -1;
  private open: Open | undefined;
  private started = false;

  constructor(
    private readonly id: string,
    private readonly model: string,
    private readonly out: (e: StreamEvent) => void,
  ) {}

  private start(): void {
    if (this.started) return;
    this.started = true;
    this.out({ type: "start", id: this.id, model: this.model, created: Math.floor(Date.now() / 1000) });
  }

  private close(): void {
    const o = this.open;
    if (!o) return;
    this.open = undefined;
    const part: AssistantPart =
      o.kind === "text" ? { type: "text", text: o.text } : { type: "reasoning", text: o.text, raw: true };
    this.out({ type: "block_stop", index: o.index, part });
  }

  private delta(kind: "text" | "reasoning", text: string): void {
    if (this.open?.kind !== kind) {
      this.close();
      this.open = { index: ++this.index, kind, text: "" };
      this.out({
        type: "block_start",
        index: this.index,
        block: kind === "text" ? { type: "text" } : { type: "reasoning", raw: true },
      });
    }
    this.open!.text += text;
    this.out({ type: "delta", index: this.open!.index, kind, text });
  }

  /** Maps one event; true once the request is over. */
  write(e: Extract<HelperEvent, { id: string }>): boolean {
    this.start();
    switch (e.ev) {
      case "text":
        this.delta("text", e.text);
        return false;
      case "thinking":
        this.delta("reasoning", e.text);
        return false;
      case "tool_call": {
        this.close();
        const index = ++this.index;
        const args = JSON.stringify(e.args ?? {});
        this.out({
          type: "block_start",
          index,
          block: { type: "tool_call", id: e.callId, name: e.name, kind: "function" },
        });
        this.out({ type: "delta", index, kind: "arguments", text: args });
        this.out({
          type: "block_stop",
          index,
          part: { type: "tool_call", id: e.callId, name: e.name, arguments: args, kind: "function" },
        });
        return false;
      }
      case "end":
        this.close();
        this.out({ type: "end", stopReason: e.stop, ...(e.usage ? { usage: usageOf(e.usage) } : {}) });
        return true;
      case "error":
        this.close();
        this.out({ type: "error", error: errorInfoOf(e.error) });
        return true;
      default:
        return false;
    }
  }

  /** The helper's events stopped without an end (it went away): the stream ends in an error. */
  abort(error: ErrorInfo): void {
    this.start();
    this.close();
    this.out({ type: "error", error });
  }
}
