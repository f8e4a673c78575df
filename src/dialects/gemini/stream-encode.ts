import type { JsonObject, StreamEvent, Usage } from "../../ir/types.js";
import { EncoderOutput } from "../encoder-output.js";
import { encodeGeminiError } from "./errors.js";
import { blockedPrompt, groundingOf, stopToGemini } from "./finish-reason.js";
import { functionCallPart, signatureOf } from "./output-parts.js";
import { D } from "./parts.js";
import { encodeGeminiUsage } from "./usage.js";

/** Google frames its SSE with CRLF. */
const frame = (json: string): string => `data: ${json}\r\n\r\n`;

/**
 * IR events → Gemini streamGenerateContent SSE (alt=sse): one GenerateContentResponse per text or thought
 * delta, a function call whole in one chunk once its arguments are complete, the finishReason and
 * usageMetadata in the last chunk; errors as a `{"error": …}` chunk (what the Gemini SDKs throw on).
 */
export class GeminiStreamEncoder extends EncoderOutput {
  private id = "";
  private model = "";
  private usage: Usage | undefined;
  /** A thought signature waiting for the part it belongs to. */
  private pending: string | undefined;
  /** Reasoning blocks: the summary part of the last delta (parts are separated by a blank line). */
  private readonly summaryPart = new Map<number, number>();

  private chunk(parts: JsonObject[], extra: JsonObject = {}): void {
    if (parts.length > 0 && this.pending !== undefined) {
      const target = parts.find((p) => p.thought !== true) ?? parts[0]!;
      target.thoughtSignature = this.pending;
      this.pending = undefined;
    }
    const candidate: JsonObject = { content: { parts, role: "model" }, index: 0, ...extra };
    const body: JsonObject = { candidates: [candidate] };
    if (extra.finishReason !== undefined) body.usageMetadata = encodeGeminiUsage(this.usage);
    body.modelVersion = this.opts.model ?? this.model;
    body.responseId = this.id;
    this.out += frame(JSON.stringify(body));
  }

  write(e: StreamEvent): void {
    if (this.done) return;
    switch (e.type) {
      case "start":
        this.id = e.id;
        this.model = e.model;
        if (e.usage) this.usage = e.usage;
        return;
      case "block_start":
        return;
      case "delta": {
        if (e.kind === "arguments" || e.text.length === 0) return;
        if (e.kind === "reasoning") {
          let text = e.text;
          if (e.part !== undefined) {
            const last = this.summaryPart.get(e.index);
            if (last !== undefined && last !== e.part) text = `\n\n${text}`;
            this.summaryPart.set(e.index, e.part);
          }
          this.chunk([{ text, thought: true }]);
        } else this.chunk([{ text: e.text }]);
        return;
      }
      case "raw_delta":
        return;
      case "block_stop": {
        this.summaryPart.delete(e.index);
        const p = e.part;
        if (p.type === "tool_call") this.chunk([functionCallPart(p)]);
        else if (p.type === "raw" && p.dialect === D) this.chunk([{ ...p.value }]);
        else if (p.type === "reasoning") {
          const sig = signatureOf(p, this.opts.wrapReasoning);
          if (sig === undefined) return;
          // Gemini's own signature on a thought summary stays on it; any other waits for the next part.
          if (p.text && p.thoughtSignature !== undefined)
            this.chunk([{ text: "", thought: true, thoughtSignature: sig }]);
          else this.pending = sig;
        }
        return;
      }
      case "usage":
        this.usage = e.usage;
        return;
      case "end": {
        if (e.usage) this.usage = e.usage;
        const feedback = blockedPrompt(e.extras);
        if (feedback) {
          // The prompt was blocked: no candidate, the reason in promptFeedback, as Gemini says it.
          const body: JsonObject = { promptFeedback: feedback, usageMetadata: encodeGeminiUsage(this.usage) };
          body.modelVersion = this.opts.model ?? this.model;
          body.responseId = this.id;
          this.out += frame(JSON.stringify(body));
          this.done = true;
          return;
        }
        const parts: JsonObject[] = [{ text: "" }];
        const grounding = groundingOf(e.extras);
        this.chunk(parts, {
          finishReason: stopToGemini(e.stopReason),
          ...(grounding ? { groundingMetadata: grounding } : {}),
        });
        this.done = true;
        return;
      }
      case "error":
        this.out += frame(JSON.stringify(encodeGeminiError(e.error)));
        this.done = true;
        return;
    }
  }
}
