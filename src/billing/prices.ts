import { type MatchRule, matches, nameForms } from "./price-match.js";
import shipped from "./prices.json" with { type: "json" };

/** USD per million tokens for one model; `long_context` applies when a request's input exceeds its size. */
export interface Price {
  input: number;
  output: number;
  cache_read?: number | undefined;
  /** Cache writes with the default 5-minute TTL (Anthropic; OpenAI-style caches mostly have no write price). */
  cache_write_5m?: number | undefined;
  cache_write_1h?: number | undefined;
  /** Where reasoning tokens are priced apart from output. */
  reasoning?: number | undefined;
  /** USD per search unit (Cohere rerank), apart from tokens. */
  search_unit?: number | undefined;
  long_context?: (Partial<Omit<Price, "long_context">> & { above_tokens: number }) | undefined;
}

/** Prices that replace a row's from a date (`from`, YYYY-MM-DD, UTC) or during hours of the day (`utc`). */
export interface PriceChange extends Price {
  from?: string | undefined;
  utc?: readonly [string, string] | undefined;
}

export interface PriceRow extends Price {
  /** The row's name in its list. */
  id: string;
  /** Where the row comes from (the list and the provider's pricing page, or `config`), and as of when. */
  source: string;
  date: string;
  /** The model names the row covers (by its own name when absent). */
  match?: MatchRule | undefined;
  /** Changes listed by the source; the last that applies at the request's time wins. */
  when?: readonly PriceChange[] | undefined;
}

const SHIPPED = shipped.models as unknown as PriceRow[];

/** Rows of one list: looked up by name, then by the names their `match` rules cover. */
interface Layer {
  byName: Map<string, PriceRow>;
  matched: PriceRow[];
}

const EMPTY: Layer = { byName: new Map(), matched: [] };

function layerOf(rows: readonly PriceRow[]): Layer {
  const layer: Layer = { byName: new Map(), matched: [] };
  for (const r of rows) {
    if (r.match) layer.matched.push(r);
    else layer.byName.set(r.id.toLowerCase(), r);
  }
  return layer;
}

/**
 * The price table: the list llmux ships (src/billing/prices.json, built by scripts/prices-import.mjs from
 * public price lists, each row with its source and date), extended and overridden by the list stored by
 * `llmux prices update` (shared by every instance through the database), the maintained list of
 * `price_list:`, and the configuration's `prices:`. A model is looked up as given, without a `provider/`
 * prefix and without a date suffix: first in `prices:`, then `price_list:`, then the stored list, then the
 * shipped rows, each by name and then by the names its rows cover.
 */
export class PriceTable {
  private readonly configured = new Map<string, PriceRow>();
  /** The maintained price list (`price_list:`), replaced whole each time it is read. */
  private listed: Layer = EMPTY;
  /** The list `llmux prices update` stored (every instance reads it from the database). */
  private updated: Layer = EMPTY;
  /** Where the stored list came from and when it was stored (null: none). */
  updatedFrom: { source: string; date: string; models: number } | null = null;
  private readonly found = new Map<string, PriceRow | null>();
  /** Models asked about that have no price (reported, and warned about once each). */
  readonly missing = new Set<string>();

  constructor(
    configured: Record<string, Price> = {},
    private readonly onMissing?: (model: string) => void,
  ) {
    for (const [name, p] of Object.entries(configured))
      this.configured.set(name.toLowerCase(), { ...p, id: name, source: "config", date: "" });
  }

  /** The rows llmux ships. */
  static get shipped(): readonly PriceRow[] {
    return SHIPPED;
  }

  /**
   * Replaces the maintained price list (between `prices:` and the shipped rows); models priced by it are
   * looked up again, and a model it now prices is no longer reported missing.
   */
  setListed(models: Record<string, Price> | readonly PriceRow[], source: string, date: string): void {
    const rows = Array.isArray(models)
      ? (models as readonly PriceRow[])
      : Object.entries(models as Record<string, Price>).map(([name, p]) => ({ ...p, id: name, source, date }));
    this.listed = layerOf(rows);
    this.forget();
  }

  /** Replaces the list `llmux prices update` stored (below `price_list:`, above the shipped rows). */
  setUpdated(rows: readonly PriceRow[], from: { source: string; date: string }): void {
    this.updated = layerOf(rows);
    this.updatedFrom = { ...from, models: rows.length };
    this.forget();
  }

  private forget(): void {
    this.found.clear();
    this.missing.clear();
  }

  find(model: string): PriceRow | undefined {
    let row = this.found.get(model);
    if (row === undefined) {
      row = lookup(this.configured, model, [this.listed, this.updated]) ?? null;
      if (this.found.size > 10_000) this.found.clear();
      this.found.set(model, row);
    }
    if (row === null && !this.missing.has(model)) {
      this.missing.add(model);
      this.onMissing?.(model);
    }
    return row ?? undefined;
  }
}

function lookup(configured: Map<string, PriceRow>, model: string, layers: readonly Layer[] = []): PriceRow | undefined {
  const forms = nameForms(model);
  for (const f of forms) {
    const c = configured.get(f);
    if (c) return c;
  }
  for (const layer of layers) {
    for (const f of forms) {
      const l = layer.byName.get(f) ?? layer.matched.find((r) => matches(r.match!, f));
      if (l) return l;
    }
  }
  for (const f of forms) {
    const row = SHIPPED.find((r) => (r.match ? matches(r.match, f) : r.id === f));
    if (row) return row;
  }
  return undefined;
}

/** Seconds since midnight UTC of "HH:MM". */
const secondsOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 3600 + Number(hhmm.slice(3, 5)) * 60;

function applies(c: PriceChange, at: number): boolean {
  if (c.from !== undefined) return at >= Date.parse(`${c.from}T00:00:00Z`);
  if (c.utc) {
    const s = Math.floor((at % 86_400_000) / 1000);
    const [start, end] = [secondsOf(c.utc[0]), secondsOf(c.utc[1])];
    return end < start ? s >= start || s < end : s >= start && s < end;
  }
  return false;
}

/** The prices of a row in force at a time (ms): the last of its changes that applies, else its own. */
export function priceAt(row: Price & { when?: readonly PriceChange[] | undefined }, at: number): Price {
  const when = row.when;
  if (!when) return row;
  for (let i = when.length - 1; i >= 0; i--) if (applies(when[i]!, at)) return when[i]!;
  return row;
}
