import { NANOS_PER_USD, nanosOf, usd } from "../data/money.js";
import { isObject } from "../ir/input-error.js";
import type { Usage } from "../ir/types.js";
import { tokenCount } from "../ir/usage.js";
import { type Price, type PriceChange, priceAt } from "./prices.js";

/**
 * Money is integers: a price in USD per million tokens with at most 6 decimals is an integer number of
 * pico-dollars per token (1e-12 USD), so tokens × price is exact; a request's cost is kept in nano-dollars
 * (1e-9 USD), rounded once, and sums of nano-dollars are exact.
 */
export { NANOS_PER_USD, nanosOf, usd };

const pico = (usdPerMillion: number | undefined): number => Math.round((usdPerMillion ?? 0) * 1_000_000);

export interface Cost {
  /** Nano-dollars. */
  nanos: number;
  /** Usage was estimated by llmux (the upstream reported none), or the model has no price. */
  estimated: boolean;
  priced: boolean;
  /** The prices it was costed at (the tier and the change in force), kept with its ledger row. */
  price?: PriceUsed | undefined;
}

/** USD per million tokens as applied to one request, and the row's source and date. */
export type PriceUsed = Omit<Price, "long_context"> & { source?: string | undefined; date?: string | undefined };

const PRICE_FIELDS = ["input", "output", "cache_read", "cache_write_5m", "cache_write_1h", "reasoning"] as const;

function priceUsed(p: Price, row: { source?: unknown; date?: unknown }): PriceUsed {
  const out: PriceUsed = { input: p.input, output: p.output };
  for (const f of PRICE_FIELDS) if (p[f] !== undefined) out[f] = p[f];
  if (typeof row.source === "string" && row.source) out.source = row.source;
  if (typeof row.date === "string" && row.date) out.date = row.date;
  return out;
}

/** Anthropic reports cache writes by TTL (usage.cache_creation.ephemeral_5m/1h_input_tokens). */
function cacheWriteSplit(u: Usage): { w5m: number; w1h: number } {
  const total = u.cacheWriteTokens ?? 0;
  const cc = u.extras?.dialect === "anthropic" ? u.extras.fields.cache_creation : undefined;
  if (isObject(cc)) {
    const h1 = tokenCount(cc.ephemeral_1h_input_tokens) ?? 0;
    return { w5m: Math.max(0, total - h1), w1h: Math.min(total, h1) };
  }
  return { w5m: total, w1h: 0 };
}

/** The price that applies to a request of this size (a long-context tier above its threshold). */
function tierOf(row: Price, inputTokens: number): Price {
  const lc = row.long_context;
  if (!lc || inputTokens <= lc.above_tokens) return row;
  return { ...row, ...lc };
}

/**
 * The cost of one request from the usage the upstream reported (or llmux's estimate, then marked
 * `estimated`): uncached input, cache reads, cache writes by TTL, output; reasoning tokens at their own
 * price where one exists (they are part of output otherwise). `at` (ms) picks the prices in force then
 * (a row may change on a date or by the hour of the day).
 */
export function costOf(
  usage: Usage,
  row: (Price & { when?: readonly PriceChange[] | undefined }) | undefined,
  at: number = Date.now(),
): Cost {
  if (!row) return { nanos: 0, estimated: usage.estimated === true, priced: false };
  const p = tierOf(priceAt(row, at), usage.inputTokens);
  const read = usage.cacheReadTokens ?? 0;
  const { w5m, w1h } = cacheWriteSplit(usage);
  const uncached = Math.max(0, usage.inputTokens - read - w5m - w1h);
  const reasoning = p.reasoning !== undefined ? (usage.reasoningTokens ?? 0) : 0;
  const output = Math.max(0, usage.outputTokens - reasoning);
  const picos =
    uncached * pico(p.input) +
    read * pico(p.cache_read ?? p.input) +
    w5m * pico(p.cache_write_5m ?? p.input) +
    w1h * pico(p.cache_write_1h ?? p.cache_write_5m ?? p.input) +
    output * pico(p.output) +
    reasoning * pico(p.reasoning) +
    (p.search_unit !== undefined ? (usage.searchUnits ?? 0) * Math.round(p.search_unit * 1e12) : 0);
  return {
    nanos: Math.round(picos / 1000),
    estimated: usage.estimated === true,
    priced: true,
    price: priceUsed(p, row as { source?: unknown; date?: unknown }),
  };
}
