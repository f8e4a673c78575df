import { describe, expect, it } from "vitest";
import { costOf, usd } from "../../src/billing/cost.js";
import { PriceTable } from "../../src/billing/prices.js";
import { decodeAnthropicUsage } from "../../src/dialects/anthropic/usage.js";
import { decodeChatUsage } from "../../src/dialects/openai-chat/usage.js";
import { decodeResponsesUsage } from "../../src/dialects/openai-responses/usage.js";
import { windowOf } from "../../src/limits/windows.js";
import { CAPABILITY_ROWS } from "../../src/models/capabilities.js";
import { CLAUDE_ROWS } from "../../src/models/claude.js";

const table = new PriceTable();

/**
 * Models llmux's capability tables describe (src/models/), by their API names, and the common models of
 * OpenAI, Anthropic, Gemini, DeepSeek and Moonshot. Every capability row must name one of them (so a new
 * row needs a priced model here), and every one of them must have a price.
 */
const MODELS = {
  openai: [
    "gpt-5",
    "gpt-5-mini",
    "gpt-5-nano",
    "gpt-5-pro",
    "gpt-5-codex",
    "gpt-5.1",
    "gpt-5.1-codex",
    "gpt-5.1-codex-max",
    "gpt-5.1-codex-mini",
    "gpt-5.2",
    "gpt-5.2-codex",
    "gpt-5.2-pro",
    "gpt-5.3-codex",
    "gpt-5.4",
    "gpt-5.4-mini",
    "gpt-5.4-pro",
    "gpt-5.5",
    "gpt-5.5-pro",
    "o1",
    "o1-mini",
    "o1-pro",
    "o3",
    "o3-mini",
    "o3-pro",
    "o4-mini",
    "gpt-4.1",
    "gpt-4.1-mini",
    "gpt-4.1-nano",
    "gpt-4o",
    "gpt-4o-mini",
    "codex-mini-latest",
  ],
  anthropic: [
    "claude-opus-5",
    "claude-sonnet-5",
    "claude-fable-5",
    "claude-mythos-5",
    "claude-opus-4-7",
    "claude-opus-4-6",
    "claude-sonnet-4-6",
    "claude-opus-4-5",
    "claude-sonnet-4-5",
    "claude-haiku-4-5",
    "claude-opus-4-1",
    "claude-opus-4-0",
    "claude-opus-4-20250514",
    "claude-sonnet-4-0",
    "claude-sonnet-4-20250514",
    "claude-3-7-sonnet-20250219",
    "claude-3-7-sonnet-latest",
    "claude-3-5-sonnet-20241022",
    "claude-3-5-haiku-20241022",
    "claude-3-opus-20240229",
    "claude-3-haiku-20240307",
  ],
  gemini: [
    "gemini-2.5-pro",
    "gemini-2.5-flash",
    "gemini-2.5-flash-lite",
    "gemini-2.0-flash",
    "gemini-3-pro-preview",
    "gemini-3.1-pro-preview",
    "gemini-3-flash-preview",
    "gemini-3.5-flash",
  ],
  deepseek: ["deepseek-chat", "deepseek-reasoner", "deepseek-v4-pro", "deepseek-v4-flash"],
  moonshot: [
    "kimi-k2.5",
    "kimi-k2.6",
    "kimi-k2-0905-preview",
    "kimi-k2-turbo-preview",
    "kimi-k2-thinking",
    "moonshot-v1-8k",
    "moonshot-v1-128k",
  ],
};
const ALL = Object.values(MODELS).flat();

describe("the shipped price table", () => {
  it("gives every row its source and date", () => {
    expect(PriceTable.shipped.length).toBeGreaterThan(150);
    for (const row of PriceTable.shipped) {
      expect(row.source, row.id).toMatch(/^(genai-prices \d+\.\d+\.\d+ .*https:\/\/|LiteLLM )/);
      expect(row.date, row.id).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(row.input, row.id).toBeGreaterThanOrEqual(0);
      expect(row.output, row.id).toBeGreaterThan(0);
    }
  });

  it("prices every model of llmux's capability tables and the common models of each vendor", () => {
    for (const [pattern] of [...CAPABILITY_ROWS, ...CLAUDE_ROWS])
      expect(
        ALL.some((m) => pattern.test(m)),
        `no model here for the capability row ${pattern}`,
      ).toBe(true);
    const unpriced = ALL.filter((m) => table.find(m) === undefined);
    expect(unpriced).toEqual([]);
  });

  it("has input, output, cache read and write (5 min and 1 h) and long-context prices where the vendor lists them", () => {
    expect(table.find("claude-sonnet-4-5")).toMatchObject({
      input: 3,
      output: 15,
      cache_read: 0.3,
      cache_write_5m: 3.75,
      cache_write_1h: 6,
      long_context: { above_tokens: 200_000, input: 6, output: 22.5, cache_read: 0.6, cache_write_5m: 7.5 },
    });
    // Claude 3: 1-hour writes at twice the input price (a list that fills them in from newer models gets these wrong).
    expect(table.find("claude-3-haiku-20240307")).toMatchObject({ cache_write_5m: 0.3, cache_write_1h: 0.5 });
    expect(table.find("claude-3-opus-20240229")).toMatchObject({ cache_write_5m: 18.75, cache_write_1h: 30 });
    expect(table.find("gpt-5.4")?.long_context).toMatchObject({ above_tokens: 271_999, input: 5, output: 22.5 });
    expect(table.find("gemini-2.5-pro")?.long_context).toMatchObject({ above_tokens: 200_000, input: 2.5 });
    expect(table.find("deepseek-chat")?.when?.[0]).toMatchObject({ utc: ["00:30", "16:30"] });
    expect(table.find("gpt-5-codex")).toMatchObject({ input: 1.25, output: 10, cache_read: 0.125 });
  });

  it("finds a model under a provider prefix, with a date suffix, or by the names its row covers; an unknown one is reported once", () => {
    expect(table.find("azure/gpt-5-codex")?.input).toBe(1.25);
    expect(table.find("claude-sonnet-4-5-20250929")?.output).toBe(15);
    expect(table.find("anthropic/claude-sonnet-4-5-20250929-v1:0")?.output).toBe(15);
    expect(table.find("o1-2024-12-17")?.id).toBe("o1");
    const missing: string[] = [];
    const t = new PriceTable({}, (m) => missing.push(m));
    expect(t.find("my-local-llama")).toBeUndefined();
    t.find("my-local-llama");
    expect(missing).toEqual(["my-local-llama"]);
    expect([...t.missing]).toEqual(["my-local-llama"]);
  });

  it("prices: in the configuration extends and overrides it, for the model's dated names too", () => {
    const t = new PriceTable({ "gpt-5-codex": { input: 1, output: 2 }, "my-model": { input: 5, output: 6 } });
    expect(t.find("gpt-5-codex")).toMatchObject({ input: 1, output: 2, source: "config" });
    expect(t.find("my-model")?.output).toBe(6);
    expect(
      new PriceTable({ "claude-sonnet-4-5": { input: 1, output: 1 } }).find("claude-sonnet-4-5-20250929"),
    ).toMatchObject({
      source: "config",
    });
    // Other models keep the shipped price.
    expect(t.find("gpt-5")?.input).toBe(1.25);
  });
});

describe("cost from recorded usage, exact", () => {
  it("Anthropic: uncached input, cache reads, cache writes split by TTL, output", () => {
    // A Claude Code turn as Anthropic reports it (message_start + message_delta).
    const u = decodeAnthropicUsage({
      input_tokens: 12,
      cache_creation_input_tokens: 3000,
      cache_read_input_tokens: 20000,
      output_tokens: 450,
      cache_creation: { ephemeral_5m_input_tokens: 1000, ephemeral_1h_input_tokens: 2000 },
    });
    const c = costOf(u, table.find("claude-sonnet-4-5"));
    // 12×3 + 20000×0.3 + 1000×3.75 + 2000×6 + 450×15 = 36 + 6000 + 3750 + 12000 + 6750 = 28536 µ$ … per million
    // USD = Σ tokens × USD per million / 1e6; nano-dollars = that × 1e9.
    expect(c.nanos).toBe(28_536_000);
    expect(usd(c.nanos)).toBeCloseTo(0.028536, 9);
    expect(c.estimated).toBe(false);
  });
  it("OpenAI Chat: cached tokens at the cache price, reasoning inside output", () => {
    const u = decodeChatUsage({
      prompt_tokens: 10_000,
      completion_tokens: 2_000,
      total_tokens: 12_000,
      prompt_tokens_details: { cached_tokens: 8_000 },
      completion_tokens_details: { reasoning_tokens: 1_500 },
    });
    // gpt-5: 2000×1.25 + 8000×0.125 + 2000×10 = 2500 + 1000 + 20000 = 23500 µ$/M → 0.0235 USD
    expect(costOf(u, table.find("gpt-5")).nanos).toBe(23_500_000);
  });
  it("Responses: input_tokens_details and output_tokens_details", () => {
    const u = decodeResponsesUsage({
      input_tokens: 1_000,
      input_tokens_details: { cached_tokens: 600 },
      output_tokens: 300,
      output_tokens_details: { reasoning_tokens: 200 },
      total_tokens: 1_300,
    });
    // gpt-5-codex: 400×1.25 + 600×0.125 + 300×10 = 500 + 75 + 3000 = 3575 → 0.003575 USD
    expect(costOf(u, table.find("gpt-5-codex")).nanos).toBe(3_575_000);
  });
  it("a long request is priced at the long-context tier", () => {
    const short = costOf({ inputTokens: 200_000, outputTokens: 0 }, table.find("claude-sonnet-4-5")).nanos;
    const long = costOf({ inputTokens: 200_001, outputTokens: 0 }, table.find("claude-sonnet-4-5")).nanos;
    expect(short).toBe(600_000_000);
    expect(long).toBe(1_200_006_000);
  });
  it("estimated usage is marked; an unknown model costs nothing", () => {
    expect(costOf({ inputTokens: 10, outputTokens: 10, estimated: true }, table.find("gpt-5")).estimated).toBe(true);
    expect(costOf({ inputTokens: 10, outputTokens: 10 }, undefined)).toEqual({
      nanos: 0,
      estimated: false,
      priced: false,
    });
  });
  it("sums are exact: a million tiny requests add up to the integer they should", () => {
    const one = costOf({ inputTokens: 7, outputTokens: 3 }, { input: 0.28, output: 0.42 }).nanos;
    // 7×0.28 + 3×0.42 = 3.22 USD per million → 3,220 nano-dollars, an integer: no rounding at all
    expect(one).toBe(3220);
    let total = 0;
    for (let i = 0; i < 1_000_000; i++) total += one;
    expect(total).toBe(3_220_000_000);
  });
});

describe("budget windows follow the calendar", () => {
  const at = (iso: string) => Date.parse(iso);
  it("day, week (Monday) and month in UTC", () => {
    expect(windowOf("day", at("2026-11-22T23:59:59Z"))).toEqual({
      start: at("2026-11-22T00:00:00Z"),
      end: at("2026-11-23T00:00:00Z"),
    });
    expect(windowOf("day", at("2026-11-23T00:00:00Z")).start).toBe(at("2026-11-23T00:00:00Z"));
    // 2026-11-22 is a Sunday: its week began on Monday the 16th.
    expect(windowOf("week", at("2026-11-22T12:00:00Z"))).toEqual({
      start: at("2026-11-16T00:00:00Z"),
      end: at("2026-11-23T00:00:00Z"),
    });
    expect(windowOf("month", at("2026-12-31T23:00:00Z"))).toEqual({
      start: at("2026-12-01T00:00:00Z"),
      end: at("2027-01-01T00:00:00Z"),
    });
    expect(windowOf("total", at("2026-11-22T00:00:00Z"))).toEqual({ start: 0, end: Number.POSITIVE_INFINITY });
  });
  it("in a configured time zone", () => {
    // 23:30 UTC on the 22nd is already the 23rd in Berlin (UTC+1 in November).
    const w = windowOf("day", at("2026-11-22T23:30:00Z"), "Europe/Berlin");
    expect(new Date(w.start).toISOString()).toBe("2026-11-22T23:00:00.000Z");
    expect(new Date(w.end).toISOString()).toBe("2026-11-23T23:00:00.000Z");
  });
  it("the remembered window is left when the clock moves either way, across a DST change too", () => {
    const berlin = (iso: string) => new Date(windowOf("day", at(iso), "Europe/Berlin").start).toISOString();
    expect(berlin("2026-10-25T12:00:00Z")).toBe("2026-10-24T22:00:00.000Z"); // the day summer time ends
    expect(berlin("2026-10-26T12:00:00Z")).toBe("2026-10-25T23:00:00.000Z");
    expect(berlin("2026-10-25T12:00:00Z")).toBe("2026-10-24T22:00:00.000Z"); // back again
    expect(new Date(windowOf("day", at("2026-10-25T12:00:00Z"), "Europe/Berlin").end).toISOString()).toBe(
      "2026-10-25T23:00:00.000Z",
    );
    expect(windowOf("day", at("2026-11-21T10:00:00Z")).start).toBe(at("2026-11-21T00:00:00Z"));
    expect(windowOf("day", at("2026-11-20T10:00:00Z")).start).toBe(at("2026-11-20T00:00:00Z"));
  });
});
