import { readFile } from "node:fs/promises";
import type { Config } from "../config/schema.js";
import type { Logger } from "../log/logger.js";
import type { Price, PriceTable } from "./prices.js";

/** What a price list is: `{"models": {"<model>": {"input": 3, "output": 15, "cache_read": 0.3, …}}}` (USD per million tokens). */
export function parsePriceList(text: string): Record<string, Price> {
  const json = JSON.parse(text) as { models?: unknown };
  if (!json || typeof json.models !== "object" || json.models === null || Array.isArray(json.models))
    throw new Error('a price list is {"models": {"<model>": {"input": …, "output": …}}}');
  const out: Record<string, Price> = {};
  for (const [name, p] of Object.entries(json.models as Record<string, Partial<Price>>)) {
    if (typeof p?.input !== "number" || typeof p?.output !== "number" || p.input < 0 || p.output < 0)
      throw new Error(`models.${name}: input and output must be numbers (USD per million tokens)`);
    out[name] = p as Price;
  }
  return out;
}

async function readSource(source: string): Promise<string> {
  if (/^https?:\/\//.test(source)) {
    const r = await fetch(source, { signal: AbortSignal.timeout(30_000) });
    if (!r.ok) throw new Error(`${r.status} from the price list's URL`);
    return r.text();
  }
  return readFile(source, "utf8");
}

/** Reads the price list once into the table; a list that cannot be read leaves the prices as they were. */
export async function refreshPrices(table: PriceTable, source: string, logger: Logger): Promise<boolean> {
  try {
    const models = parsePriceList(await readSource(source));
    table.setListed(models, "price_list", new Date().toISOString().slice(0, 10));
    logger.info({ models: Object.keys(models).length }, "price list read");
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
