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

/**
 * The price table: the list llmux ships (src/billing/prices.json, built by scripts/prices-import.mjs from
 * public price lists, each row with its source and date), extended and overridden by the configuration's
 * `prices:`. A model is looked up as given, without a `provider/` prefix and without a date suffix: first in
 * `prices:`, then in the shipped rows by the names each covers.
 */
export class PriceTable {
  private readonly configured = new Map<string, PriceRow>();
  /** The maintained price list (`price_list:`), replaced whole each time it is read. */
  private listed = new Map<string, PriceRow>();
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
  setListed(models: Record<string, Price>, source: string, date: string): void {
    const next = new Map<string, PriceRow>();
    for (const [name, p] of Object.entries(models)) next.set(name.toLowerCase(), { ...p, id: name, source, date });
    this.listed = next;
    this.found.clear();
    this.missing.clear();
  }

  find(model: string): PriceRow | undefined {
    let row = this.found.get(model);
    if (row === undefined) {
      row = lookup(this.configured, model, this.listed) ?? null;
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

function lookup(
  configured: Map<string, PriceRow>,
  model: string,
  listed: Map<string, PriceRow> = new Map(),
): PriceRow | undefined {
  const forms = nameForms(model);
  for (const f of forms) {
    const c = configured.get(f);
    if (c) return c;
  }
  for (const f of forms) {
    const l = listed.get(f);
    if (l) return l;
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
