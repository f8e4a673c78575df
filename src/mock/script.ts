/**
 * Scenario scripts for the mock upstream emitters, plus the small deterministic helpers the three emitters
 * share (id derivation, chunking, usage estimates, SSE framing).
 *
 * A script describes what a model "said" in dialect-neutral terms; each emitter renders it exactly as the
 * corresponding provider would put it on the wire. Nothing here depends on the gateway's translators.
 */
import { createHash } from "node:crypto";

/** One piece of model output, in the order the model produced it. */
export type MockBlock =
  /** Visible answer text. */
  | { type: "text"; text: string }
  /**
   * Reasoning. `text` is the raw thinking (Anthropic `thinking`, Chat `reasoning_content` / `reasoning`);
   * `summary` are the Responses summary parts (when absent, `text` is used as the single summary part);
   * `signature` is the Anthropic thinking signature and `encrypted` the Responses `encrypted_content`
   * (both get deterministic fakes when absent); `id` is the Responses reasoning item id.
   */
  | { type: "reasoning"; text: string; summary?: string[]; signature?: string; encrypted?: string; id?: string }
  /** Opaque reasoning: Anthropic `redacted_thinking`, Responses reasoning item with only encrypted content. */
  | { type: "redacted_reasoning"; data: string }
  /**
   * A client tool call. `arguments` is the raw JSON text (or, for `custom` tools, free-form input text);
   * `id` is used verbatim as the call id in every dialect when given.
   */
  | { type: "tool_call"; name: string; arguments: string; id?: string; custom?: boolean }
  /** A refusal (OpenAI `refusal` fields; plain text on Anthropic). */
  | { type: "refusal"; text: string };

/**
 * Token usage. `input` is the TOTAL prompt size including cached tokens (OpenAI semantics); Anthropic's
 * `input_tokens` is derived as `input - cacheRead - cacheWrite`. `output` includes `reasoning`.
 */
export interface MockUsage {
  input: number;
  output: number;
  cacheRead?: number;
  cacheWrite?: number;
  reasoning?: number;
}

/** Why generation stopped, in Anthropic's vocabulary (`content_filter` is Anthropic's `refusal`). */
export type MockStop = "end_turn" | "max_tokens" | "tool_use" | "content_filter" | "stop_sequence";

/** A complete scenario: what one upstream response contains. */
export interface MockScript {
  /** Response id; when absent one is derived deterministically from the script content. */
  id?: string;
  /** Model name echoed in the response (default "mock-model"). */
  model?: string;
  blocks: MockBlock[];
  /** Default: "tool_use" if any tool_call block, else "end_turn". */
  stop?: MockStop;
  /** The matched stop sequence when `stop` is "stop_sequence" (default "STOP"). */
  stopSequence?: string;
  /** Default: a deterministic estimate (ceil(chars/4) per block); input is `inputTokens`, else 10. */
  usage?: MockUsage;
  /** The prompt's size in tokens, for the estimated usage when `usage` is not given (default 10). */
  inputTokens?: number;
  /** An error inside the stream after N completed blocks (HTTP 200 already sent); nothing follows it. */
  streamError?: { afterBlocks: number; message: string; kind: "overloaded" | "server" | "rate_limit" };
  /** Text / reasoning / arguments are split into pieces of this many characters (default 8). */
  chunkChars?: number;
}

/** Variations of the Chat Completions wire format seen across OpenAI-compatible providers. */
export interface ChatFlavour {
  /** Where reasoning text goes (DeepSeek/Kimi vs OpenRouter/vLLM); absent = OpenAI (reasoning not sent). */
  reasoningField?: "reasoning_content" | "reasoning";
  /** Azure: first chunk has choices:[], empty id/object/model, created 0 and prompt_filter_results. */
  azure?: boolean;
  /** Usage inside the finish_reason chunk instead of a separate choices:[] chunk (DeepSeek style). */
  usageInFinishChunk?: boolean;
  /** No usage at all (the client did not ask for include_usage). */
  noUsage?: boolean;
  /** Parallel calls: all calls announced first, then argument fragments round-robin across calls. */
  interleaveToolCalls?: boolean;
  /** Each call in one chunk (id, name, full arguments). */
  wholeToolCalls?: boolean;
  /** Tool-call fragments without `index` (Gemini-compat / old Ollama). Official SDKs reject this. */
  omitToolIndex?: boolean;
}

/** Fixed `created` timestamp used by every emitter. */
export const MOCK_CREATED = 1760000000;

/** A script with every default filled in. */
export interface ResolvedScript {
  seed: string;
  id?: string;
  model: string;
  blocks: MockBlock[];
  stop: MockStop;
  stopSequence: string;
  usage: Required<MockUsage>;
  streamError?: MockScript["streamError"];
  chunkChars: number;
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

const tokens = (s: string): number => Math.ceil(s.length / 4);

/** The text a reasoning block contributes as raw thinking. */
export function thinkingText(b: Extract<MockBlock, { type: "reasoning" }>): string {
  return b.text || (b.summary ?? []).join("\n\n");
}

function estimateUsage(blocks: MockBlock[], input: number): Required<MockUsage> {
  let output = 0;
  let reasoning = 0;
  for (const b of blocks) {
    if (b.type === "reasoning") reasoning += tokens(thinkingText(b));
    else if (b.type === "redacted_reasoning") reasoning += tokens(b.data);
    else if (b.type === "tool_call") output += tokens(b.name) + tokens(b.arguments);
    else output += tokens(b.text);
  }
  return { input, output: Math.max(1, output + reasoning), cacheRead: 0, cacheWrite: 0, reasoning };
}

/** Fills in every default of a script. */
export function resolveScript(script: MockScript): ResolvedScript {
  const usage = script.usage
    ? { cacheRead: 0, cacheWrite: 0, reasoning: 0, ...script.usage }
    : estimateUsage(script.blocks, script.inputTokens ?? 10);
  const hasTool = script.blocks.some((b) => b.type === "tool_call");
  return {
    seed: createHash("sha256").update(canonical(script)).digest("hex"),
    id: script.id,
    model: script.model ?? "mock-model",
    blocks: script.blocks,
    stop: script.stop ?? (hasTool ? "tool_use" : "end_turn"),
    stopSequence: script.stopSequence ?? "STOP",
    usage,
    streamError: script.streamError,
    chunkChars: Math.max(1, Math.floor(script.chunkChars ?? 8)),
  };
}

/** Deterministic bytes for `label`, as long as needed. */
function bytes(seed: string, label: string, n: number): Buffer {
  const parts: Buffer[] = [];
  for (let i = 0; parts.length * 32 < n; i++) parts.push(createHash("sha256").update(`${seed}|${label}|${i}`).digest());
  return Buffer.concat(parts).subarray(0, n);
}

const B62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/** `len` base62 characters derived from the seed and label. */
export function b62(seed: string, label: string, len: number): string {
  return [...bytes(seed, label, len)].map((x) => B62[x % 62]).join("");
}

/** `len` lowercase hex characters derived from the seed and label. */
export function hex(seed: string, label: string, len: number): string {
  return bytes(seed, label, Math.ceil(len / 2))
    .toString("hex")
    .slice(0, len);
}

/** Base64 (standard or url-safe) of `n` bytes derived from the seed and label, after a fixed prefix. */
export function b64(seed: string, label: string, prefix: number[], n: number, url = false): string {
  return Buffer.concat([Buffer.from(prefix), bytes(seed, label, n)]).toString(url ? "base64url" : "base64");
}

/** The generated suffix of the i-th tool call id (shared across dialects so ids line up). */
export const toolSuffix = (r: ResolvedScript, i: number, len: number): string => b62(r.seed, `tool:${i}`, len);

/** Splits text into pieces of `n` code points (never splitting a surrogate pair). Empty text gives []. */
export function pieces(text: string, n: number): string[] {
  const cps = Array.from(text);
  const out: string[] = [];
  for (let i = 0; i < cps.length; i += n) out.push(cps.slice(i, i + n).join(""));
  return out;
}

/** Blocks that are emitted before a stream error (all of them when there is none). */
export function streamedBlocks(r: ResolvedScript): MockBlock[] {
  return r.streamError ? r.blocks.slice(0, Math.max(0, r.streamError.afterBlocks)) : r.blocks;
}

/** Parses tool arguments as a JSON object, or returns `{}` when they are not one (e.g. truncated). */
export function argumentsObject(args: string): Record<string, unknown> {
  try {
    const v: unknown = JSON.parse(args);
    return v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** `event: <type>\ndata: <json>\n\n`. */
export const sseEvent = (type: string, data: unknown): string => `event: ${type}\ndata: ${JSON.stringify(data)}\n\n`;

/** `data: <json>\n\n`. */
export const sseData = (data: unknown): string => `data: ${JSON.stringify(data)}\n\n`;
