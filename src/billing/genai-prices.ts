/**
 * The price data of @pydantic/genai-prices (github.com/pydantic/genai-prices, MIT: its `data.json`, or the
 * providers its package bundles) as llmux's price rows: the same providers and rules as the list llmux ships
 * (scripts/prices-import.mjs): each model's `match`, its long-context tier, its prices that change on a date
 * or by the hour of the day. Mapping only: reading the data is the caller's.
 */
import type { MatchRule } from "./price-match.js";
import type { Price, PriceChange, PriceRow } from "./prices.js";

/** The providers llmux prices (Claude on Vertex AI is priced under Google there: llmux prices it as Anthropic). */
export const GENAI_PROVIDERS = ["openai", "anthropic", "google", "deepseek", "moonshotai"] as const;

type Tiered = { base: number; tiers: { start: number; price: number }[] };
type PriceSet = Record<string, number | Tiered | undefined>;
type Constraint =
  | { type: "start_date"; start_date: string }
  | { type: "time_of_date"; start_time: string; end_time: string };

export interface GenaiModel {
  id: string;
  match?: MatchRule;
  prices: PriceSet | { constraint?: Constraint; prices: PriceSet }[];
}

export interface GenaiProvider {
  id: string;
  name?: string;
  pricing_urls?: string[];
  models: GenaiModel[];
}

/** genai-prices' price keys → llmux's. */
const KEYS: Record<string, keyof Price> = {
  input_mtok: "input",
  output_mtok: "output",
  cache_read_mtok: "cache_read",
  cache_write_mtok: "cache_write_5m",
  cache_write_1h_mtok: "cache_write_1h",
};
const round = (v: number) => Math.round(v * 1e6) / 1e6;

/** One price set → llmux's fields; a tiered price keeps its first tier as `long_context`. */
function priceOf(prices: PriceSet): Partial<Price> {
  const p: Record<string, unknown> = {};
  let tier: Record<string, number> | undefined;
  for (const [from, to] of Object.entries(KEYS)) {
    const v = prices[from];
    if (v === undefined) continue;
    if (typeof v === "number") {
      p[to] = round(v);
      continue;
    }
    p[to] = round(v.base);
    const first = v.tiers[0];
    if (!first) continue;
    tier ??= { above_tokens: first.start };
    if (tier.above_tokens === first.start) tier[to] = round(first.price);
  }
  if (tier) p.long_context = tier;
  return p as Partial<Price>;
}

/** A model's prices as of `today`: the last set in force, and the sets after it as changes (`when`). */
function pricesOf(model: GenaiModel, today: string): Partial<Price> & { when?: PriceChange[] } {
  if (!Array.isArray(model.prices)) return priceOf(model.prices);
  const sets = model.prices;
  let base = 0;
  sets.forEach((s, i) => {
    if (s.constraint?.type === "start_date" && s.constraint.start_date <= today) base = i;
  });
  const row: Partial<Price> & { when?: PriceChange[] } = priceOf(sets[base]!.prices);
  const when: PriceChange[] = [];
  for (const s of sets.slice(base + 1)) {
    const c = s.constraint;
    const at =
      c?.type === "start_date"
        ? { from: c.start_date }
        : c?.type === "time_of_date"
          ? { utc: [c.start_time.slice(0, 5), c.end_time.slice(0, 5)] as const }
          : undefined;
    if (at) when.push({ ...(priceOf(s.prices) as Price), ...at });
  }
  if (when.length > 0) row.when = when;
  return row;
}

/** The rows of genai-prices' providers llmux prices; `source` names where the data came from. */
export function genaiRows(providers: readonly GenaiProvider[], source: string, today: string): PriceRow[] {
  const rows: PriceRow[] = [];
  for (const id of GENAI_PROVIDERS) {
    const provider = providers.find((p) => p.id === id);
    if (!provider) continue;
    const url = provider.pricing_urls?.[0] ?? "";
    for (const m of provider.models) {
      if (id === "google" && m.id.startsWith("claude")) continue;
      const p = pricesOf(m, today);
      if (p.input === undefined || p.output === undefined) continue; // embeddings, audio, image-only
      rows.push({
        ...(p as Price),
        id: m.id,
        ...(m.match ? { match: m.match } : {}),
        source: `${source}, ${provider.name ?? id}${url ? `: ${url}` : ""}`,
        date: today,
      });
    }
  }
  return rows;
}

/** Whether parsed JSON is genai-prices' data (an array of providers, or `{providers: […]}`). */
export function genaiProvidersOf(json: unknown): GenaiProvider[] | undefined {
  const list = Array.isArray(json)
    ? json
    : json && typeof json === "object" && Array.isArray((json as { providers?: unknown }).providers)
      ? (json as { providers: unknown[] }).providers
      : undefined;
  if (!list || list.length === 0) return undefined;
  const ok = list.every(
    (p) =>
      p &&
      typeof p === "object" &&
      typeof (p as GenaiProvider).id === "string" &&
      Array.isArray((p as GenaiProvider).models),
  );
  return ok ? (list as GenaiProvider[]) : undefined;
}
