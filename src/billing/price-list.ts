import { readFile } from "node:fs/promises";
import type { Config } from "../config/schema.js";
import type { Data } from "../data/data.js";
import { priceListVersion, type StoredPriceList, storedPriceList } from "../data/price-lists.js";
import { PolledLayer, VersionPoller } from "../data/version-poller.js";
import type { Logger } from "../log/logger.js";
import { genaiProvidersOf, genaiRows } from "./genai-prices.js";
import type { Price, PriceRow, PriceTable } from "./prices.js";

const FORMATS =
  'a price list is {"models": {"<model>": {"input": …, "output": …}}}, {"models": [{"id": …, "input": …, "output": …}]} (llmux\'s own prices.json) or @pydantic/genai-prices\' data.json';

const priced = (p: Partial<Price> | undefined) =>
  typeof p?.input === "number" && typeof p?.output === "number" && p.input >= 0 && p.output >= 0;

/** What a price list is: `{"models": {"<model>": {"input": 3, "output": 15, "cache_read": 0.3, …}}}` (USD per million tokens). */
export function parsePriceList(text: string): Record<string, Price> {
  const json = JSON.parse(text) as { models?: unknown };
  if (!json || typeof json.models !== "object" || json.models === null || Array.isArray(json.models))
    throw new Error('a price list is {"models": {"<model>": {"input": …, "output": …}}}');
  const out: Record<string, Price> = {};
  for (const [name, p] of Object.entries(json.models as Record<string, Partial<Price>>)) {
    if (!priced(p)) throw new Error(`models.${name}: input and output must be numbers (USD per million tokens)`);
    out[name] = p as Price;
  }
  return out;
}

/**
 * The rows of a price list in any of the formats llmux reads: its own `{"models": {name: price}}`, the rows of
 * its shipped prices.json (`{"models": [{id, match?, input, output, …}]}`), or @pydantic/genai-prices'
 * data.json (its providers and models, with their match rules). `source` and `date` are given to rows that
 * name none. A row without numeric input and output prices is named in the error.
 */
export function priceRowsOf(text: string, source: string, date: string): PriceRow[] {
  const json = JSON.parse(text) as unknown;
  const genai = genaiProvidersOf(json);
  if (genai) {
    const rows = genaiRows(genai, source, date);
    if (rows.length === 0) throw new Error("the genai-prices data names none of the providers llmux prices");
    return rows;
  }
  const models = (json as { models?: unknown } | null)?.models;
  if (Array.isArray(models)) {
    return models.map((r: Partial<PriceRow>, i) => {
      if (typeof r?.id !== "string" || !r.id) throw new Error(`models[${i}].id must be the model's name`);
      if (!priced(r))
        throw new Error(`models[${i}] (${r.id}): input and output must be numbers (USD per million tokens)`);
      return { ...(r as PriceRow), source: r.source || source, date: r.date || date };
    });
  }
  if (!models || typeof models !== "object") throw new Error(FORMATS);
  return Object.entries(parsePriceList(text)).map(([id, p]) => ({ ...p, id, source, date }));
}

/**
 * How a price list's source is named where it is kept and shown (the stored list, each ledger row's price,
 * the admin API): a URL without its user, password, query or fragment, which may carry a token (a presigned
 * or authenticated link); a file's path or a package's name as given.
 */
export function sourceName(source: string): string {
  if (!/^https?:\/\//i.test(source)) return source;
  try {
    const u = new URL(source);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return "(a URL)";
  }
}

/** Reads a price list's text from an http(s) URL or a file. */
export async function readPriceSource(source: string): Promise<string> {
  if (/^https?:\/\//.test(source)) {
    // A user and password in the URL are sent as Basic credentials (fetch refuses them inside a URL).
    const u = new URL(source);
    const headers: Record<string, string> = {};
    if (u.username || u.password) {
      const pair = `${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`;
      headers.authorization = `Basic ${Buffer.from(pair).toString("base64")}`;
      u.username = "";
      u.password = "";
    }
    const r = await fetch(u, { headers, signal: AbortSignal.timeout(30_000) });
    if (!r.ok) throw new Error(`${r.status} from the price list's URL`);
    return r.text();
  }
  return readFile(source, "utf8");
}

const today = () => new Date().toISOString().slice(0, 10);

/** Reads the price list once into the table; a list that cannot be read leaves the prices as they were. */
export async function refreshPrices(table: PriceTable, source: string, logger: Logger): Promise<boolean> {
  try {
    const rows = priceRowsOf(await readPriceSource(source), "price_list", today());
    table.setListed(rows, "price_list", today());
    logger.info({ models: rows.length }, "price list read");
    return true;
  } catch (err) {
    logger.warn({ err: (err as Error).message }, "the price list could not be read; prices stay as they were");
    return false;
  }
}

/** Reads `price_list:` now and on its interval (each instance on its own); the returned function stops it. */
export function keepPricesFresh(table: PriceTable, config: Config, logger: Logger): () => void {
  const list = config.price_list;
  if (!list) return () => undefined;
  void refreshPrices(table, list.source, logger);
  const timer = setInterval(() => void refreshPrices(table, list.source, logger), list.refresh_s * 1000);
  timer.unref();
  return () => clearInterval(timer);
}

/**
 * The list `llmux prices update` stored, read into the table at start and whenever its version moves (polled
 * every `pollMs`, and at once on `check()`: the admin API calls it on the instance that stored a list), so
 * every instance prices by it without a restart. A database that cannot be read leaves the prices as they were.
 */
export class StoredPrices extends PolledLayer<StoredPriceList> {
  protected readonly poller: VersionPoller<StoredPriceList>;

  constructor(table: PriceTable, data: Data, logger: Logger, pollMs = 30_000) {
    super();
    this.poller = new VersionPoller<StoredPriceList>(
      {
        what: "stored price list",
        version: () => priceListVersion(data),
        read: async () => {
          const stored = await storedPriceList(data);
          return stored && { version: stored.version, value: stored };
        },
        apply: (stored) => {
          const rows = JSON.parse(stored.rows) as PriceRow[];
          table.setUpdated(rows, { source: stored.source, date: new Date(stored.updated_at).toISOString() });
          logger.info({ models: rows.length, version: stored.version }, "stored price list read");
        },
      },
      logger,
      pollMs,
    );
  }
}
