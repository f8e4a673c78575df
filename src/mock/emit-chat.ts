/**
 * OpenAI Chat Completions emitter (OpenAI, Azure and OpenAI-compatible flavours): renders a MockScript as
 * `data:` chunks and as a non-streaming chat.completion. See wire-protocols.md §1.4–1.7 and §4.2.
 */
import { openaiStreamError } from "./errors.js";
import type { ChatFlavour, MockBlock, MockScript, ResolvedScript } from "./script.js";
import {
  b62,
  hex,
  MOCK_CREATED,
  pieces,
  resolveScript,
  sseData,
  streamedBlocks,
  thinkingText,
  toolSuffix,
} from "./script.js";

type ToolBlock = Extract<MockBlock, { type: "tool_call" }>;
interface Call {
  index: number;
  id: string;
  block: ToolBlock;
}

const SAFE = { filtered: false, severity: "safe" };
const OUTPUT_FILTERS = { hate: SAFE, self_harm: SAFE, sexual: SAFE, violence: SAFE };
const FILTERED = { ...OUTPUT_FILTERS, violence: { filtered: true, severity: "high" } };
const PROMPT_FILTERS = [
  { prompt_index: 0, content_filter_results: { ...OUTPUT_FILTERS, jailbreak: { filtered: false, detected: false } } },
];

const FINISH: Record<ResolvedScript["stop"], string> = {
  end_turn: "stop",
  stop_sequence: "stop",
  max_tokens: "length",
  tool_use: "tool_calls",
  content_filter: "content_filter",
};

const completionId = (r: ResolvedScript): string => r.id ?? `chatcmpl-${b62(r.seed, "completion", 29)}`;
const callId = (r: ResolvedScript, b: ToolBlock, i: number): string => b.id ?? `call_${toolSuffix(r, i, 24)}`;

/** Chat usage: prompt_tokens includes cached tokens, completion_tokens includes reasoning tokens. */
function usageObject(r: ResolvedScript) {
  const u = r.usage;
  const promptDetails: Record<string, number> = { cached_tokens: u.cacheRead, audio_tokens: 0 };
  if (u.cacheWrite > 0) promptDetails.cache_write_tokens = u.cacheWrite;
  return {
    prompt_tokens: u.input,
    completion_tokens: u.output,
    total_tokens: u.input + u.output,
    prompt_tokens_details: promptDetails,
    completion_tokens_details: {
      reasoning_tokens: u.reasoning,
      audio_tokens: 0,
      accepted_prediction_tokens: 0,
      rejected_prediction_tokens: 0,
    },
  };
}

/** Fragment builders for one call, OpenAI style (custom tools use `custom:{name,input}`). */
function header(c: Call): Record<string, unknown> {
  const { name, custom } = c.block;
  return custom
    ? { index: c.index, id: c.id, type: "custom", custom: { name, input: "" } }
    : { index: c.index, id: c.id, type: "function", function: { name, arguments: "" } };
}
function fragment(c: Call, p: string): Record<string, unknown> {
  return c.block.custom ? { index: c.index, custom: { input: p } } : { index: c.index, function: { arguments: p } };
}
function whole(c: Call): Record<string, unknown> {
  const { name, custom, arguments: args } = c.block;
  return custom
    ? { index: c.index, id: c.id, type: "custom", custom: { name, input: args } }
    : { index: c.index, id: c.id, type: "function", function: { name, arguments: args } };
}

/** The tool-call fragments of a run of consecutive calls, one fragment per chunk. */
function callFragments(calls: Call[], f: ChatFlavour, n: number): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  if (f.wholeToolCalls) out.push(...calls.map(whole));
  else if (f.interleaveToolCalls) {
    out.push(...calls.map(header));
    const split = calls.map((c) => pieces(c.block.arguments, n));
    const rounds = Math.max(0, ...split.map((s) => s.length));
    for (let j = 0; j < rounds; j++) {
      calls.forEach((c, k) => {
        const p = split[k]![j];
        if (p !== undefined) out.push(fragment(c, p));
      });
    }
  } else {
    for (const c of calls) out.push(header(c), ...pieces(c.block.arguments, n).map((p) => fragment(c, p)));
  }
  if (f.omitToolIndex) for (const frag of out) delete frag.index;
  return out;
}

/** Turns blocks into deltas (and their Azure filter annotation), in script order. */
function blockDeltas(r: ResolvedScript, blocks: MockBlock[], f: ChatFlavour): { delta: object; filtered: boolean }[] {
  const out: { delta: object; filtered: boolean }[] = [];
  const n = r.chunkChars;
  let toolIndex = 0;
  for (let i = 0; i < blocks.length; i++) {
    const b = blocks[i]!;
    if (b.type === "tool_call") {
      const calls: Call[] = [];
      for (; i < blocks.length && blocks[i]!.type === "tool_call"; i++) {
        const block = blocks[i] as ToolBlock;
        calls.push({ index: toolIndex++, id: callId(r, block, i), block });
      }
      i--;
      for (const frag of callFragments(calls, f, n)) out.push({ delta: { tool_calls: [frag] }, filtered: false });
    } else if (b.type === "reasoning" && f.reasoningField) {
      const field = f.reasoningField;
      for (const p of pieces(thinkingText(b), n)) out.push({ delta: { [field]: p }, filtered: false });
    } else if (b.type === "text") {
      for (const p of pieces(b.text, n)) out.push({ delta: { content: p }, filtered: true });
    } else if (b.type === "refusal") {
      for (const p of pieces(b.text, n)) out.push({ delta: { refusal: p }, filtered: true });
    }
  }
  return out;
}

/**
 * The `data:` chunks of a streamed Chat Completion: role chunk, deltas in script order (reasoning only
 * with `reasoningField`; redacted reasoning is never sent), finish chunk, usage chunk, `[DONE]`.
 * A stream error is a `data: {"error":…}` chunk after the given number of blocks, with nothing after it.
 */
export function chatStream(script: MockScript, flavour: ChatFlavour = {}): string[] {
  const r = resolveScript(script);
  const f = flavour;
  const withUsage = !f.noUsage;
  const base = {
    id: completionId(r),
    object: "chat.completion.chunk",
    created: MOCK_CREATED,
    model: r.model,
    ...(f.azure ? {} : { service_tier: "default" }),
    system_fingerprint: `fp_${hex(r.seed, "fingerprint", 10)}`,
  };
  const chunk = (delta: object, finish: string | null, filters: object | undefined, usage: object | null) =>
    sseData({
      ...base,
      choices: [
        {
          index: 0,
          delta,
          logprobs: null,
          finish_reason: finish,
          ...(f.azure ? { content_filter_results: filters } : {}),
        },
      ],
      ...(withUsage ? { usage } : {}),
    });
  const out: string[] = [];
  if (f.azure) {
    out.push(
      sseData({ choices: [], created: 0, id: "", model: "", object: "", prompt_filter_results: PROMPT_FILTERS }),
    );
  }
  out.push(chunk({ role: "assistant", content: "", refusal: null }, null, {}, null));
  for (const d of blockDeltas(r, streamedBlocks(r), f)) {
    out.push(chunk(d.delta, null, d.filtered ? OUTPUT_FILTERS : {}, null));
  }
  if (r.streamError) {
    const { type, code } = openaiStreamError(r.streamError.kind);
    out.push(sseData({ error: { message: r.streamError.message, type, code, param: null } }));
    return out;
  }
  const finishFilters = r.stop === "content_filter" ? FILTERED : {};
  const usage = usageObject(r);
  out.push(chunk({}, FINISH[r.stop], finishFilters, f.usageInFinishChunk ? usage : null));
  if (withUsage && !f.usageInFinishChunk) out.push(sseData({ ...base, choices: [], usage }));
  out.push("data: [DONE]\n\n");
  return out;
}

/**
 * The non-streaming chat.completion: text joined into `message.content` (null when there is none),
 * `refusal`, `tool_calls`, the flavour's reasoning field, finish_reason and usage (always present).
 */
export function chatBody(script: MockScript, flavour: ChatFlavour = {}): object {
  const r = resolveScript(script);
  const join = (type: "text" | "refusal") => {
    const parts = r.blocks.flatMap((b) => (b.type === type ? [b.text] : []));
    return parts.length > 0 ? parts.join("") : null;
  };
  const message: Record<string, unknown> = { role: "assistant", content: join("text"), refusal: join("refusal") };
  if (flavour.reasoningField) {
    const reasoning = r.blocks.flatMap((b) => (b.type === "reasoning" ? [thinkingText(b)] : []));
    if (reasoning.length > 0) message[flavour.reasoningField] = reasoning.join("");
  }
  const calls = r.blocks.flatMap((b, i) =>
    b.type === "tool_call" ? [{ index: 0, id: callId(r, b, i), block: b }] : [],
  );
  if (calls.length > 0) {
    message.tool_calls = calls.map((c) => {
      const { index: _index, ...call } = whole(c);
      return call;
    });
  }
  message.annotations = [];
  const choice: Record<string, unknown> = { index: 0, message, logprobs: null, finish_reason: FINISH[r.stop] };
  if (flavour.azure) {
    const filters = r.stop === "content_filter" ? FILTERED : OUTPUT_FILTERS;
    choice.content_filter_results = {
      ...filters,
      protected_material_code: { filtered: false, detected: false },
      protected_material_text: { filtered: false, detected: false },
    };
  }
  return {
    id: completionId(r),
    object: "chat.completion",
    created: MOCK_CREATED,
    model: r.model,
    choices: [choice],
    usage: usageObject(r),
    ...(flavour.azure ? { prompt_filter_results: PROMPT_FILTERS } : { service_tier: "default" }),
    system_fingerprint: `fp_${hex(r.seed, "fingerprint", 10)}`,
  };
}
