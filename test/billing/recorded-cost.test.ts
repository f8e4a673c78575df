/**
 * Cost from recorded usage, each dialect: the real provider streams of ../shared/fixtures/upstream-streams
 * (Anthropic, OpenAI Responses and Chat, Azure, DeepSeek, Gemini) go through llmux's own usage paths (the
 * passthrough tap and the translating decoder), and the cost llmux computes is checked against two oracles
 * nobody here wrote: @pydantic/genai-prices (its own usage extraction and price calculation, over the same
 * price data llmux imports) and, where a provider reported what it charged (OpenRouter's `usage.cost`), that.
 */
import { calcPrice, extractUsage, findProvider } from "@pydantic/genai-prices";
import { describe, expect, it } from "vitest";
import { costOf } from "../../src/billing/cost.js";
import { PriceTable } from "../../src/billing/prices.js";
import { decodeAnthropicUsage } from "../../src/dialects/anthropic/usage.js";
import { decodeGeminiUsage } from "../../src/dialects/gemini/usage.js";
import { decodeChatUsage } from "../../src/dialects/openai-chat/usage.js";
import { decodeResponsesUsage } from "../../src/dialects/openai-responses/usage.js";
import type { Dialect, JsonObject, StreamEvent, Usage } from "../../src/ir/types.js";
import { StreamTranslator } from "../../src/translate/stream-translator.js";
import { StreamInspector } from "../../src/upstream/inspect.js";
import { loadUpstreamFixtures } from "../support/upstream-fixtures.js";

const table = new PriceTable();
const DIRS = ["anthropic", "openai-responses", "openai-chat", "azure", "deepseek", "gemini"];

type Json = Record<string, unknown>;

function events(sse: string): Json[] {
  const out: Json[] = [];
  for (const line of sse.split(/\r?\n/)) {
    if (!line.startsWith("data:")) continue;
    try {
      out.push(JSON.parse(line.slice(5).trim()) as Json);
    } catch {
      // [DONE], comments
    }
  }
  return out;
}

/** The raw usage object of a recorded body as the provider sent it (Anthropic: message_start's, updated by each message_delta), and its model. */
function recorded(dialect: Dialect, sse: string): { usage: Json; model: string } | undefined {
  let usage: Json | undefined;
  let model: string | undefined;
  for (const e of events(sse)) {
    if (dialect === "anthropic") {
      const msg = e.message as Json | undefined;
      if (e.type === "message_start" && msg) {
        model = msg.model as string;
        usage = { ...(msg.usage as Json) };
      } else if (e.type === "message_delta" && e.usage) usage = { ...usage, ...(e.usage as Json) };
    } else if (dialect === "openai-responses") {
      const r = e.response as Json | undefined;
      if (r && typeof e.type === "string" && /^response\.(completed|incomplete|failed)$/.test(e.type) && r.usage) {
        usage = r.usage as Json;
        model = r.model as string;
      }
    } else if (dialect === "gemini") {
      if (e.usageMetadata) usage = e.usageMetadata as Json;
      if (typeof e.modelVersion === "string") model = e.modelVersion;
    } else if (e.usage && typeof e.usage === "object") {
      usage = e.usage as Json;
      model = e.model as string;
    }
  }
  return usage && model ? { usage, model } : undefined;
}

/** What llmux keeps of a recorded stream's usage: through the translating decoder, and the passthrough tap. */
function llmuxUsage(dialect: Dialect, sse: string): { translated?: Usage; tapped?: Usage } {
  let translated: Usage | undefined;
  const tap = (e: StreamEvent) => {
    if ((e.type === "end" || e.type === "start") && e.usage) translated = e.usage;
  };
  const client: Dialect = dialect === "openai-chat" ? "anthropic" : "openai-chat";
  const tr = new StreamTranslator(dialect, client, { tap });
  tr.push(sse);
  tr.end();
  if (dialect === "gemini") return { translated };
  const t = new StreamInspector(dialect, { tap: true });
  t.push(new TextEncoder().encode(sse));
  t.end();
  return { translated, tapped: t.tap!.usage };
}

const PROVIDER: [RegExp, string][] = [
  [/claude/, "anthropic"],
  [/gemini/, "google"],
  [/deepseek/, "deepseek"],
  [/kimi|moonshot/, "moonshotai"],
  [/./, "openai"],
];
/** Whose usage extraction reads each dialect's usage object. */
const EXTRACTOR: Record<string, [string, string]> = {
  anthropic: ["anthropic", "default"],
  "openai-responses": ["openai", "responses"],
  "openai-chat": ["openai", "chat"],
  gemini: ["google", "default"],
};

/** genai-prices' cost of the same usage, in nano-dollars: token prices only (server-tool fees are not billed by llmux). */
function oracle(dialect: Dialect, raw: Json, model: string, at: Date): number {
  const providerId = PROVIDER.find(([re]) => re.test(model))![1];
  const [extractor, flavor] = EXTRACTOR[dialect]!;
  const body = dialect === "gemini" ? { usageMetadata: raw } : { usage: raw };
  const { usage } = extractUsage(findProvider({ providerId: extractor })!, body, flavor);
  delete (usage as Json).web_searches;
  const price = calcPrice(usage, model, { providerId, timestamp: at });
  if (!price) throw new Error(`genai-prices has no price for ${model}`);
  return Math.round(price.total_price * 1e9);
}

const fixtures = loadUpstreamFixtures().filter((f) => DIRS.includes(f.file.split("/")[0]!));
const cases = fixtures.flatMap((f) =>
  f.bodies.flatMap((body, i) => {
    const r = recorded(f.dialect, body);
    return r ? [{ name: `${f.file}${f.bodies.length > 1 ? ` #${i + 1}` : ""}`, dialect: f.dialect, body, ...r }] : [];
  }),
);

describe("cost of recorded provider streams", () => {
  it("covers every dialect, with cache reads, reasoning and a long-context request among them", () => {
    expect(new Set(cases.map((c) => c.dialect))).toEqual(
      new Set(["anthropic", "openai-responses", "openai-chat", "gemini"]),
    );
    expect(cases.length).toBeGreaterThanOrEqual(40);
    const usages = cases.map((c) => JSON.stringify(c.usage));
    expect(usages.some((u) => /"cached_tokens":[1-9]/.test(u))).toBe(true);
    expect(usages.some((u) => /"reasoning_tokens":[1-9]/.test(u))).toBe(true);
    expect(usages.some((u) => /"thoughtsTokenCount":\s*[1-9]/.test(u))).toBe(true);
    expect(usages.some((u) => /"input_tokens":4\d{5}/.test(u))).toBe(true);
  });

  // Noon and 02:00 UTC: DeepSeek prices its peak hours apart.
  for (const at of [new Date("2026-11-20T12:00:00Z"), new Date("2026-11-20T02:00:00Z")]) {
    it.each(cases)(`$name at ${at.toISOString().slice(11, 16)} UTC: llmux's cost equals genai-prices'`, (c) => {
      const { translated, tapped } = llmuxUsage(c.dialect, c.body);
      expect(translated, "the translating decoder kept no usage").toBeDefined();
      const row = table.find(c.model);
      expect(row, `no price for ${c.model}`).toBeDefined();
      const ours = costOf(translated!, row, at.getTime()).nanos;
      if (/":\s*[1-9]/.test(JSON.stringify(c.usage))) expect(ours).toBeGreaterThan(0);
      const theirs = oracle(c.dialect, c.usage, c.model, at);
      expect(Math.abs(ours - theirs), `llmux ${ours} vs genai-prices ${theirs} nano-dollars`).toBeLessThanOrEqual(1);
      if (tapped) expect(costOf(tapped, row, at.getTime()).nanos).toBe(ours);
    });
  }

  it("DeepSeek's peak hours cost what its price list says, not the off-peak price", () => {
    const c = cases.find((x) => x.model === "deepseek-v4-flash")!;
    const u = llmuxUsage(c.dialect, c.body).translated!;
    const row = table.find(c.model);
    const peak = costOf(u, row, Date.parse("2026-11-20T02:00:00Z")).nanos;
    const offPeak = costOf(u, row, Date.parse("2026-11-20T12:00:00Z")).nanos;
    expect(peak).toBe(2 * offPeak);
  });
});

describe("cost of usages with every kind of token", () => {
  const at = new Date("2026-11-20T12:00:00Z");
  const USAGES: { name: string; dialect: Dialect; model: string; usage: Json; decode: (u: JsonObject) => Usage }[] = [
    {
      name: "Anthropic cache writes by TTL (Claude Code's 1-hour cache) and reads",
      dialect: "anthropic",
      model: "claude-sonnet-4-5-20250929",
      usage: {
        input_tokens: 12,
        cache_creation_input_tokens: 3000,
        cache_read_input_tokens: 20000,
        cache_creation: { ephemeral_5m_input_tokens: 1000, ephemeral_1h_input_tokens: 2000 },
        output_tokens: 450,
      },
      decode: (u) => decodeAnthropicUsage(u),
    },
    {
      name: "Anthropic 1-hour writes on Claude 3 Haiku",
      dialect: "anthropic",
      model: "claude-3-haiku-20240307",
      usage: {
        input_tokens: 5,
        cache_creation_input_tokens: 4000,
        cache_read_input_tokens: 0,
        cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 4000 },
        output_tokens: 20,
      },
      decode: (u) => decodeAnthropicUsage(u),
    },
    {
      name: "Chat: cached and reasoning tokens",
      dialect: "openai-chat",
      model: "gpt-5",
      usage: {
        prompt_tokens: 10_000,
        completion_tokens: 2_000,
        prompt_tokens_details: { cached_tokens: 8_000 },
        completion_tokens_details: { reasoning_tokens: 1_500 },
      },
      decode: decodeChatUsage,
    },
    {
      name: "Responses: cache writes and reads (GPT-5.6), reasoning, past the long-context size",
      dialect: "openai-responses",
      model: "gpt-5.6-sol",
      usage: {
        input_tokens: 300_000,
        input_tokens_details: { cached_tokens: 200_000, cache_write_tokens: 50_000 },
        output_tokens: 4_000,
        output_tokens_details: { reasoning_tokens: 3_000 },
      },
      decode: decodeResponsesUsage,
    },
    {
      name: "Gemini: cached content, thoughts, tool-use prompt",
      dialect: "gemini",
      model: "gemini-2.5-flash",
      usage: {
        promptTokenCount: 12_000,
        cachedContentTokenCount: 9_000,
        candidatesTokenCount: 300,
        thoughtsTokenCount: 1_200,
        toolUsePromptTokenCount: 40,
      },
      decode: (u) => decodeGeminiUsage(u)!,
    },
    {
      name: "Gemini past 200k tokens",
      dialect: "gemini",
      model: "gemini-2.5-pro",
      usage: {
        promptTokenCount: 250_000,
        cachedContentTokenCount: 100_000,
        candidatesTokenCount: 900,
        thoughtsTokenCount: 2_000,
      },
      decode: (u) => decodeGeminiUsage(u)!,
    },
  ];

  it.each(USAGES)("$name: llmux's cost equals genai-prices'", (c) => {
    const ours = costOf(c.decode(c.usage as JsonObject), table.find(c.model), at.getTime()).nanos;
    expect(ours).toBeGreaterThan(0);
    expect(Math.abs(ours - oracle(c.dialect, c.usage, c.model, at))).toBeLessThanOrEqual(1);
  });
});

describe("cost against what the provider charged (OpenRouter's usage.cost)", () => {
  const routed = loadUpstreamFixtures().filter((f) => f.file.startsWith("openrouter/chat-"));
  const charged = routed.flatMap((f) => {
    const e = events(f.bodies.join("")).filter((x) => x.usage && typeof (x.usage as Json).cost === "number");
    const last = e.at(-1);
    return last ? [{ file: f.file, model: last.model as string, usage: last.usage as JsonObject }] : [];
  });

  it.each(charged.filter((c) => /^(openai|anthropic)\//.test(c.model)))(
    "$file ($model): exactly what was charged",
    (c) => {
      const ours = costOf(decodeChatUsage(c.usage), table.find(c.model)).nanos;
      expect(ours).toBe(Math.round((c.usage.cost as number) * 1e9));
    },
  );
});
