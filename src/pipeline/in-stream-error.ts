import type { Dialect, ErrorInfo } from "../ir/types.js";
import { codecs } from "../translate/codecs.js";

/** The in-stream error a client of `dialect` understands, for failures after the stream started. */
export function inStreamError(dialect: Dialect, error: ErrorInfo, lastSequence: number): string {
  if (dialect === "openai-responses") {
    const body = JSON.stringify({
      type: "error",
      sequence_number: lastSequence + 1,
      code: error.code ?? "server_error",
      message: error.message,
      param: null,
    });
    return `event: error\ndata: ${body}\n\n`;
  }
  const enc = codecs[dialect].createEncoder();
  enc.write({ type: "error", error });
  // The Anthropic and Chat encoders emit nothing before the error when nothing started.
  return enc.take();
}
