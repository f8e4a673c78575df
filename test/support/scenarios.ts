import type { ToolMapping } from "../../src/dialects/types.js";
import type { Dialect } from "../../src/ir/types.js";
import {
  anthropicBody,
  anthropicStream,
  type ChatFlavour,
  chatBody,
  chatStream,
  geminiBody,
  geminiStream,
  type MockScript,
  responsesBody,
  responsesStream,
} from "../../src/mock/index.js";

/** What the client must end up with, derived from the script alone (never from llmux's output). */
export interface Expected {
  text: string;
  reasoning: string;
  toolCalls: { name: string; arguments: unknown }[];
  stop: string;
  usage?: { input: number; output: number; cacheRead: number };
  /** The client's SDK must throw an error containing this. */
  error?: string;
}

export interface Scenario {
  name: string;
  script: MockScript;
  /** Chat-upstream flavour used for this scenario (interleaving, Azure, reasoning field…). */
  chat?: ChatFlavour;
  /** Tool names the (hypothetical) client declared as custom tools. */
  customTools?: string[];
}

const SIG = "EqQBCkgIAhABGAIiQL1n1e2Hbm6qYyF6Zq1a9xE+Fakesignature/A2b3c4d5e6f7g8h9i0==";
const ENC = "gAAAAABo_fake_encrypted_reasoning_state_0123456789abcdefghijklmnopqrstuvwxyz==";

export const SCENARIOS: Scenario[] = [
  {
    name: "plain text",
    script: { id: "s-text", blocks: [{ type: "text", text: "Hello, wörld! Multibyte ✓ — and 🌍 emoji." }] },
  },
  {
    name: "reasoning with summary and opaque state, then text",
    script: {
      id: "s-reason",
      blocks: [
        {
          type: "reasoning",
          text: "First I consider the question.",
          summary: ["Considering the question.", "Choosing an answer."],
          signature: SIG,
          encrypted: ENC,
        },
        { type: "text", text: "The answer is 42." },
      ],
    },
    chat: { reasoningField: "reasoning_content" },
  },
  {
    name: "single tool call",
    script: {
      id: "s-tool",
      blocks: [
        { type: "text", text: "Let me check." },
        { type: "tool_call", id: "call_w1", name: "get_weather", arguments: '{"city":"Paris","unit":"c"}' },
      ],
    },
  },
  {
    name: "three parallel tool calls with interleaved argument fragments",
    script: {
      id: "s-parallel",
      chunkChars: 5,
      blocks: [
        { type: "tool_call", id: "call_a", name: "read_file", arguments: '{"path":"src/a.ts"}' },
        { type: "tool_call", id: "call_b", name: "read_file", arguments: '{"path":"src/b.ts","lines":[1,2,3]}' },
        { type: "tool_call", id: "call_c", name: "grep", arguments: '{"pattern":"\\"quoted\\" é","dir":"."}' },
      ],
    },
    chat: { interleaveToolCalls: true },
  },
  {
    name: "tool calls delivered whole",
    script: {
      id: "s-whole",
      blocks: [
        { type: "tool_call", id: "call_x", name: "list", arguments: '{"dir":"/"}' },
        { type: "tool_call", id: "call_y", name: "list", arguments: '{"dir":"/tmp"}' },
      ],
    },
    chat: { wholeToolCalls: true },
  },
  {
    name: "custom (free-form) tool call",
    script: {
      id: "s-custom",
      blocks: [
        {
          type: "tool_call",
          id: "call_p",
          name: "apply_patch",
          arguments: "*** Begin Patch\n*** Add File: a.txt\n+hi\n*** End Patch",
          custom: true,
        },
      ],
    },
    customTools: ["apply_patch"],
  },
  {
    name: "max tokens in text",
    script: { id: "s-len", blocks: [{ type: "text", text: "This answer is cut off in the mid" }], stop: "max_tokens" },
  },
  {
    name: "max tokens inside tool arguments",
    script: {
      id: "s-len-tool",
      blocks: [
        { type: "text", text: "Writing." },
        { type: "tool_call", id: "call_t", name: "write", arguments: '{"path":"a.txt","content":"unfinis' },
      ],
      stop: "max_tokens",
    },
  },
  {
    name: "refusal / content filter",
    script: { id: "s-refusal", blocks: [{ type: "refusal", text: "I can't help with that." }], stop: "content_filter" },
  },
  {
    name: "error after the stream started",
    script: {
      id: "s-error",
      blocks: [
        { type: "text", text: "Partial answer" },
        { type: "text", text: "never sent" },
      ],
      streamError: { afterBlocks: 1, message: "Overloaded right now", kind: "overloaded" },
    },
  },
  {
    name: "usage with cache and reasoning tokens",
    script: {
      id: "s-usage",
      blocks: [
        { type: "reasoning", text: "Short thought.", signature: SIG, encrypted: ENC },
        { type: "text", text: "Cached answer." },
      ],
      usage: { input: 1200, output: 300, cacheRead: 1000, cacheWrite: 100, reasoning: 120 },
    },
    chat: { reasoningField: "reasoning_content", usageInFinishChunk: true },
  },
  {
    name: "azure chat: empty first chunk and filter results",
    script: { id: "s-azure", blocks: [{ type: "text", text: "Filtered but fine." }] },
    chat: { azure: true },
  },
];

/** The upstream's wire stream for a scenario, as the emitters render it. */
export function upstreamStream(s: Scenario, upstream: Dialect): string {
  if (upstream === "anthropic") return anthropicStream(s.script).join("");
  if (upstream === "openai-responses") return responsesStream(s.script).join("");
  if (upstream === "gemini") return geminiStream(s.script).join("");
  return chatStream(s.script, s.chat ?? {}).join("");
}

export function upstreamBody(s: Scenario, upstream: Dialect): object {
  if (upstream === "anthropic") return anthropicBody(s.script);
  if (upstream === "openai-responses") return responsesBody(s.script);
  if (upstream === "gemini") return geminiBody(s.script);
  return chatBody(s.script, s.chat ?? {});
}

/** Tool mapping a gateway would hold for the scenario when the upstream cannot express custom tools. */
export function toolsFor(s: Scenario, upstream: Dialect): ToolMapping | undefined {
  if (!s.customTools || (upstream !== "anthropic" && upstream !== "gemini")) return undefined;
  return new Map(s.customTools.map((name) => [name, { name, kind: "custom" as const, wrapped: true }]));
}

function parse(args: string): unknown {
  try {
    return JSON.parse(args);
  } catch {
    return args;
  }
}

/** What the client should see, from the script, the upstream and the client dialect. */
export function expected(
  s: Scenario,
  upstream: Dialect,
  client: Dialect,
  mode: "stream" | "body" = "stream",
): Expected {
  const blocks = s.script.streamError ? s.script.blocks.slice(0, s.script.streamError.afterBlocks) : s.script.blocks;
  // Anthropic has no refusal block: a refusal is text (plus stop_reason refusal) on either side.
  const textOnly = (d: Dialect) => d === "anthropic" || d === "gemini";
  const refusalIsText = textOnly(client) || textOnly(upstream);
  const text = blocks.map((b) => (b.type === "text" || (b.type === "refusal" && refusalIsText) ? b.text : "")).join("");
  const reasoningBlocks = blocks.filter((b) => b.type === "reasoning");
  let reasoning = "";
  if (upstream === "anthropic" || upstream === "gemini") reasoning = reasoningBlocks.map((b) => b.text).join("");
  else if (upstream === "openai-responses") {
    reasoning = reasoningBlocks
      .map((b) => (b.summary ?? [b.text]).join(client === "openai-responses" ? "" : "\n\n"))
      .join("");
  } else if (s.chat?.reasoningField) reasoning = reasoningBlocks.map((b) => b.text).join("");
  const calls = blocks.filter((b) => b.type === "tool_call");
  const toolCalls = calls.map((b) => {
    if (b.custom) return { name: b.name, arguments: textOnly(client) ? { input: b.arguments } : b.arguments };
    const args = parse(b.arguments);
    // Gemini carries arguments as an object: cut-off JSON cannot cross it (its args are then {}), and a
    // Gemini client gets arguments that are not JSON as {"_raw": text}.
    if (upstream === "gemini" && typeof args === "string") return { name: b.name, arguments: {} };
    // A non-streamed Anthropic body cannot carry cut-off JSON: its tool input is then {}.
    if (upstream === "anthropic" && mode === "body" && typeof args === "string") return { name: b.name, arguments: {} };
    if (client === "gemini" && typeof args === "string") return { name: b.name, arguments: { _raw: args } };
    return { name: b.name, arguments: args };
  });
  const stopOf: Record<string, string> = {
    end_turn: "stop",
    max_tokens: "length",
    tool_use: "tool_calls",
    content_filter: "content_filter",
    stop_sequence: "stop",
  };
  const stop = stopOf[s.script.stop ?? (calls.length > 0 ? "tool_use" : "end_turn")]!;
  const out: Expected = { text, reasoning, toolCalls, stop };
  if (s.script.usage)
    out.usage = {
      input: s.script.usage.input,
      output: s.script.usage.output,
      cacheRead: s.script.usage.cacheRead ?? 0,
    };
  if (s.script.streamError) out.error = s.script.streamError.message;
  return out;
}
