/**
 * Gemini API emitter: renders a MockScript as streamGenerateContent?alt=sse chunks (CRLF-framed, like
 * Google's) and as a non-streaming GenerateContentResponse. See the recordings in
 * fixtures/upstream-streams/gemini/: thought summaries are `thought: true` text parts, a thought signature
 * rides on the function call that follows the thinking (or on the thought part when no call follows),
 * function calls arrive whole, and the last chunk carries finishReason and usageMetadata.
 */
import type { StreamErrorKind } from "./errors.js";
import type { MockBlock, MockScript, ResolvedScript } from "./script.js";
import { argumentsObject, b62, b64, pieces, resolveScript, streamedBlocks, thinkingText } from "./script.js";

type Part = Record<string, unknown>;

const FINISH: Record<ResolvedScript["stop"], string> = {
  end_turn: "STOP",
  stop_sequence: "STOP",
  tool_use: "STOP",
  max_tokens: "MAX_TOKENS",
  content_filter: "SAFETY",
};

const responseId = (r: ResolvedScript): string => r.id ?? b62(r.seed, "response", 23);

/** A deterministic stand-in for a thought signature (real ones are base64 protobuf, starting "C" or "E"). */
const signatureOf = (r: ResolvedScript, b: Extract<MockBlock, { type: "reasoning" }>, i: number): string =>
  b.signature ?? b64(r.seed, `thought-signature:${i}`, [0x0a, 0x8e, 0x01], 140);

function usage(r: ResolvedScript): Record<string, number> {
  const u = r.usage;
  const out: Record<string, number> = {
    promptTokenCount: u.input,
    candidatesTokenCount: Math.max(0, u.output - u.reasoning),
    totalTokenCount: u.input + u.output,
  };
  if (u.cacheRead > 0) out.cachedContentTokenCount = u.cacheRead;
  if (u.reasoning > 0) out.thoughtsTokenCount = u.reasoning;
  return out;
}

function callPart(b: Extract<MockBlock, { type: "tool_call" }>): Part {
  const args = b.custom ? { input: b.arguments } : argumentsObject(b.arguments);
  return { functionCall: { ...(b.id ? { id: b.id } : {}), name: b.name, args } };
}

/** Each block's parts, streamed pieces apart (`whole` joins text into one part, as a body does). */
function blockParts(r: ResolvedScript, blocks: MockBlock[], whole: boolean): Part[][] {
  const out: Part[][] = [];
  let pending: string | undefined;
  const sign = (parts: Part[]) => {
    if (pending !== undefined && parts[0]) parts[0].thoughtSignature = pending;
    pending = undefined;
    return parts;
  };
  blocks.forEach((b, i) => {
    const split = (text: string) => (whole ? (text ? [text] : []) : pieces(text, r.chunkChars));
    switch (b.type) {
      case "reasoning": {
        const parts: Part[] = split(thinkingText(b)).map((text) => ({ text, thought: true }));
        const sig = signatureOf(r, b, i);
        if (blocks[i + 1]?.type === "tool_call") pending = sig;
        else if (parts.length > 0) parts[parts.length - 1]!.thoughtSignature = sig;
        else parts.push({ text: "", thought: true, thoughtSignature: sig });
        out.push(parts);
        return;
      }
      case "redacted_reasoning":
        out.push([{ text: "", thought: true, thoughtSignature: b.data }]);
        return;
      case "text":
      case "refusal":
        out.push(sign(split(b.text).map((text) => ({ text }))));
        return;
      case "tool_call":
        out.push(sign([callPart(b)]));
        return;
    }
  });
  return out;
}

const GRPC: Record<StreamErrorKind, { code: number; status: string }> = {
  overloaded: { code: 503, status: "UNAVAILABLE" },
  server: { code: 500, status: "INTERNAL" },
  rate_limit: { code: 429, status: "RESOURCE_EXHAUSTED" },
};

/** The `data:` events of a streamed answer, one complete CRLF-framed event string each. */
export function geminiStream(script: MockScript): string[] {
  const r = resolveScript(script);
  const id = responseId(r);
  const frame = (body: unknown) => `data: ${JSON.stringify(body)}\r\n\r\n`;
  const chunk = (parts: Part[], extra: Record<string, unknown> = {}, withUsage = false) =>
    frame({
      candidates: [{ content: { parts, role: "model" }, ...extra, index: 0 }],
      ...(withUsage ? { usageMetadata: usage(r) } : { usageMetadata: { promptTokenCount: r.usage.input } }),
      modelVersion: r.model,
      responseId: id,
    });
  const out: string[] = [];
  for (const parts of blockParts(r, streamedBlocks(r), false)) for (const p of parts) out.push(chunk([p]));
  if (r.streamError) {
    const { kind, message } = r.streamError;
    out.push(frame({ error: { ...GRPC[kind], message } }));
    return out;
  }
  out.push(chunk([{ text: "" }], { finishReason: FINISH[r.stop] }, true));
  return out;
}

/** The non-streaming GenerateContentResponse. */
export function geminiBody(script: MockScript): object {
  const r = resolveScript(script);
  const parts = blockParts(r, r.blocks, true).flat();
  return {
    candidates: [
      {
        content: { parts: parts.length > 0 ? parts : [{ text: "" }], role: "model" },
        finishReason: FINISH[r.stop],
        index: 0,
      },
    ],
    usageMetadata: usage(r),
    modelVersion: r.model,
    responseId: responseId(r),
  };
}

/** A Gemini error body: `{error:{code, message, status}}` with the google.rpc status of the HTTP code. */
export function geminiErrorBody(status: number, message: string): object {
  const names: Record<number, string> = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    503: "UNAVAILABLE",
    504: "DEADLINE_EXCEEDED",
  };
  const name = names[status] ?? (status >= 500 ? "INTERNAL" : "INVALID_ARGUMENT");
  return { error: { code: status, message, status: name } };
}
