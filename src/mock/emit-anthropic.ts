/**
 * Anthropic Messages emitter: renders a MockScript as the SSE events (and the non-streaming Message) that
 * api.anthropic.com sends. See wire-protocols.md §3.7–3.9 and the recordings in fixtures/anthropic/.
 */
import { anthropicStreamErrorType } from "./errors.js";
import type { MockBlock, MockScript, ResolvedScript } from "./script.js";
import {
  argumentsObject,
  b62,
  b64,
  pieces,
  resolveScript,
  sseEvent,
  streamedBlocks,
  thinkingText,
  toolSuffix,
} from "./script.js";

type Reasoning = Extract<MockBlock, { type: "reasoning" }>;

const messageId = (r: ResolvedScript): string => r.id ?? `msg_01${b62(r.seed, "message", 22)}`;

function toolId(r: ResolvedScript, b: Extract<MockBlock, { type: "tool_call" }>, i: number): string {
  return b.id ?? `toolu_01${toolSuffix(r, i, 22)}`;
}

/** A deterministic, base64-looking stand-in for a thinking signature (real ones start with "E"). */
function signature(r: ResolvedScript, b: Reasoning, i: number): string {
  return b.signature ?? b64(r.seed, `signature:${i}`, [0x12], 191);
}

function stopReason(r: ResolvedScript): string {
  return r.stop === "content_filter" ? "refusal" : r.stop;
}

function stopFields(r: ResolvedScript) {
  return {
    stop_reason: stopReason(r),
    stop_sequence: r.stop === "stop_sequence" ? r.stopSequence : null,
    stop_details: r.stop === "content_filter" ? { type: "refusal", category: null, explanation: null } : null,
  };
}

function counts(r: ResolvedScript) {
  const { input, cacheRead, cacheWrite } = r.usage;
  return {
    input_tokens: Math.max(0, input - cacheRead - cacheWrite),
    cache_creation_input_tokens: cacheWrite,
    cache_read_input_tokens: cacheRead,
  };
}

function usage(r: ResolvedScript, output: number) {
  return {
    ...counts(r),
    cache_creation: { ephemeral_5m_input_tokens: r.usage.cacheWrite, ephemeral_1h_input_tokens: 0 },
    output_tokens: output,
    service_tier: "standard",
  };
}

/** Custom (free-form) tools have no Anthropic equivalent: the text travels as `{"input": text}`. */
const toolJson = (b: Extract<MockBlock, { type: "tool_call" }>): string =>
  b.custom ? JSON.stringify({ input: b.arguments }) : b.arguments;

/** The content block as it appears in the final (non-streaming) Message. */
function finalBlock(r: ResolvedScript, b: MockBlock, i: number): object {
  switch (b.type) {
    case "text":
    case "refusal":
      return { type: "text", text: b.text };
    case "reasoning":
      return { type: "thinking", thinking: thinkingText(b), signature: signature(r, b, i) };
    case "redacted_reasoning":
      return { type: "redacted_thinking", data: b.data };
    case "tool_call":
      return { type: "tool_use", id: toolId(r, b, i), name: b.name, input: argumentsObject(toolJson(b)) };
  }
}

/** content_block_start payload block. */
function startBlock(r: ResolvedScript, b: MockBlock, i: number): object {
  switch (b.type) {
    case "text":
    case "refusal":
      return { type: "text", text: "" };
    case "reasoning":
      return { type: "thinking", thinking: "", signature: "" };
    case "redacted_reasoning":
      return { type: "redacted_thinking", data: b.data };
    case "tool_call":
      return { type: "tool_use", id: toolId(r, b, i), name: b.name, input: {} };
  }
}

/** content_block_delta payload deltas. */
function deltas(r: ResolvedScript, b: MockBlock, i: number): object[] {
  const n = r.chunkChars;
  switch (b.type) {
    case "text":
    case "refusal":
      return pieces(b.text, n).map((text) => ({ type: "text_delta", text }));
    case "reasoning":
      return [
        ...pieces(thinkingText(b), n).map((thinking) => ({ type: "thinking_delta", thinking })),
        { type: "signature_delta", signature: signature(r, b, i) },
      ];
    case "redacted_reasoning":
      return [];
    case "tool_call":
      return ["", ...pieces(toolJson(b), n)].map((partial_json) => ({ type: "input_json_delta", partial_json }));
  }
}

/**
 * The SSE events of a streamed Messages response, one complete `event: …\ndata: …\n\n` string each:
 * message_start, per block start / deltas / stop (a ping after the first start), message_delta,
 * message_stop. A stream error replaces everything after the given number of completed blocks.
 */
export function anthropicStream(script: MockScript): string[] {
  const r = resolveScript(script);
  const blocks = streamedBlocks(r);
  const out: string[] = [];
  out.push(
    sseEvent("message_start", {
      type: "message_start",
      message: {
        id: messageId(r),
        type: "message",
        role: "assistant",
        model: r.model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        stop_details: null,
        usage: usage(r, 1),
      },
    }),
  );
  blocks.forEach((b, index) => {
    out.push(
      sseEvent("content_block_start", { type: "content_block_start", index, content_block: startBlock(r, b, index) }),
    );
    if (index === 0) out.push(sseEvent("ping", { type: "ping" }));
    for (const delta of deltas(r, b, index)) {
      out.push(sseEvent("content_block_delta", { type: "content_block_delta", index, delta }));
    }
    // Like the real API: a tool_use cut off by max_tokens is never closed.
    const cutOff = !r.streamError && r.stop === "max_tokens" && b.type === "tool_call" && index === blocks.length - 1;
    if (!cutOff) out.push(sseEvent("content_block_stop", { type: "content_block_stop", index }));
  });
  if (r.streamError) {
    const { kind, message } = r.streamError;
    out.push(sseEvent("error", { type: "error", error: { type: anthropicStreamErrorType(kind), message } }));
    return out;
  }
  const deltaUsage: Record<string, unknown> = { ...counts(r), output_tokens: r.usage.output };
  if (r.usage.reasoning > 0) deltaUsage.output_tokens_details = { thinking_tokens: r.usage.reasoning };
  out.push(sseEvent("message_delta", { type: "message_delta", delta: stopFields(r), usage: deltaUsage }));
  out.push(sseEvent("message_stop", { type: "message_stop" }));
  return out;
}

/**
 * The non-streaming Message. A tool_use whose arguments are not a complete JSON object (cut off by
 * max_tokens) gets `input: {}`. `streamError` is ignored: use `providerErrorBody` for HTTP errors.
 */
export function anthropicBody(script: MockScript): object {
  const r = resolveScript(script);
  return {
    id: messageId(r),
    type: "message",
    role: "assistant",
    model: r.model,
    content: r.blocks.map((b, i) => finalBlock(r, b, i)),
    ...stopFields(r),
    usage: usage(r, r.usage.output),
  };
}
