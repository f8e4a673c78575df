import shipped from "./prices.json" with { type: "json" };

/** USD per million tokens for one model; `long_context` applies when a request's input exceeds its size. */
export interface Price {
  input: number;
  output: number;
  cache_read?: number | undefined;
  /** Anthropic cache writes with the default 5-minute TTL (OpenAI-style caches have no write price). */
  cache_write_5m?: number | undefined;
  cache_write_1h?: number | undefined;
  /** Where reasoning tokens are priced apart from output. */
  reasoning?: number | undefined;
  long_context?: (Partial<Omit<Price, "long_context">> & { above_tokens: number }) | undefined;
}

export interface PriceRow extends Price {
  /** Where the row comes from (the shipped list's source, or `config`), and as of when. */
  source: string;
  date: string;
}

const DATE_SUFFIX = /-(\d{8}|\d{4}-\d{2}-\d{2})(-v\d+:\d+)?$/;

/**
 * The price table: the list llmux ships (src/billing/prices.json, imported from LiteLLM's public list by
 * scripts/prices-import.mjs), extended and overridden by the configuration's `prices:`. A model is found by
 * its exact name, then without a `provider/` prefix, then without a date suffix (`-20250929`).
 */
export class PriceTable {
  private readonly rows = new Map<string, PriceRow>();
  /** Models asked about that have no price (reported, and warned about once each). */
  readonly missing = new Set<string>();

  constructor(
    configured: Record<string, Price> = {},
    private readonly onMissing?: (model: string) => void,
  ) {
    for (const [name, p] of Object.entries(shipped.models as Record<string, Price>))
      this.rows.set(name.toLowerCase(), { ...p, source: shipped.source, date: shipped.date });
    for (const [name, p] of Object.entries(configured))
      this.rows.set(name.toLowerCase(), { ...p, source: "config", date: "" });
  }

  /** The shipped list's provenance. */
  static get source(): { source: string; date: string; models: number } {
    return { source: shipped.source, date: shipped.date, models: Object.keys(shipped.models).length };
  }

  find(model: string): PriceRow | undefined {
    const m = model.toLowerCase();
    const slash = m.lastIndexOf("/");
    const bare = slash >= 0 ? m.slice(slash + 1) : m;
    const row = this.rows.get(m) ?? this.rows.get(bare) ?? this.rows.get(bare.replace(DATE_SUFFIX, ""));
    if (!row && !this.missing.has(model)) {
      this.missing.add(model);
      this.onMissing?.(model);
    }
    return row;
  }
}
