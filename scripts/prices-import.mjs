#!/usr/bin/env node
// Builds src/billing/prices.json, the price table llmux ships (USD per million tokens):
//
//   node scripts/prices-import.mjs [<litellm.json> "<its source>" <YYYY-MM-DD> [<mirror config.json>]]
//
// 1. Every chat model of OpenAI, Anthropic, Google (Gemini), DeepSeek and Moonshot in the price data of
//    @pydantic/genai-prices (MIT, a dev dependency: the version installed is the one imported), with the
//    source's own rules for which model names a row covers (`match`), its long-context tier and its prices
//    that change on a date or by the hour of the day (`when`). Each row names its provider's pricing page and
//    the package version as its source, and the package's publication date as its date.
// 2. Optionally, models of a LiteLLM-format list (model_prices_and_context_window.json, USD per token) that
//    no row of 1 covers, for the same families; rows that a mirror's config.json says it made itself
//    (aliases, custom rows) say so in their source.
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { findProvider } from "@pydantic/genai-prices";

const pkg = JSON.parse(
  readFileSync(new URL("../node_modules/@pydantic/genai-prices/package.json", import.meta.url), "utf8"),
);
const published = JSON.parse(
  execFileSync("npm", ["view", `${pkg.name}@${pkg.version}`, "time", "--json"], { encoding: "utf8" }),
)[pkg.version]?.slice(0, 10);
if (!/^\d{4}-\d{2}-\d{2}$/.test(published ?? "")) throw new Error(`no publication date for ${pkg.name}@${pkg.version}`);

const [litellmFile, litellmSource, litellmDate, mirrorConfig] = process.argv.slice(2);
if (litellmFile && (!litellmSource || !/^\d{4}-\d{2}-\d{2}$/.test(litellmDate ?? ""))) {
  console.error('usage: node scripts/prices-import.mjs [<litellm.json> "<source>" <YYYY-MM-DD> [<config.json>]]');
  process.exit(2);
}

/** genai-prices' price keys → llmux's. */
const KEYS = {
  input_mtok: "input",
  output_mtok: "output",
  cache_read_mtok: "cache_read",
  cache_write_mtok: "cache_write_5m",
  cache_write_1h_mtok: "cache_write_1h",
};
const round = (v) => Math.round(v * 1e6) / 1e6;

/** One genai-prices price set → llmux's fields, its tiers folded into one `long_context`. */
function priceOf(prices, model) {
  const p = {};
  let tier;
  for (const [from, to] of Object.entries(KEYS)) {
    const v = prices[from];
    if (v === undefined) continue;
    if (typeof v === "number") {
      p[to] = round(v);
      continue;
    }
    if (v.tiers.length !== 1) throw new Error(`${model}: ${from} has ${v.tiers.length} tiers (llmux keeps one)`);
    p[to] = round(v.base);
    const [{ start, price }] = v.tiers;
    tier ??= { above_tokens: start };
    if (tier.above_tokens !== start) throw new Error(`${model}: tiers start at different sizes`);
    tier[to] = round(price);
  }
  if (tier) p.long_context = tier;
  return p;
}

/**
 * A model's prices as of the import: the last set in force on that date, and the sets listed after it that
 * apply from a later date or at hours of the day (the source's order: the last that applies wins).
 */
function pricesOf(model) {
  if (!Array.isArray(model.prices)) return priceOf(model.prices, model.id);
  const sets = model.prices;
  let base = 0;
  sets.forEach((s, i) => {
    if (s.constraint?.type === "start_date" && s.constraint.start_date <= published) base = i;
  });
  const row = priceOf(sets[base].prices, model.id);
  const when = sets.slice(base + 1).map((s) => {
    const c = s.constraint;
    const at =
      c.type === "start_date"
        ? { from: c.start_date }
        : c.type === "time_of_date"
          ? { utc: [c.start_time.slice(0, 5), c.end_time.slice(0, 5)] }
          : undefined;
    if (!at) throw new Error(`${model.id}: unknown constraint ${JSON.stringify(c)}`);
    return { ...at, ...priceOf(s.prices, model.id) };
  });
  if (when.length) row.when = when;
  return row;
}

const PROVIDERS = ["openai", "anthropic", "google", "deepseek", "moonshotai"];
const rows = [];
for (const id of PROVIDERS) {
  const provider = findProvider({ providerId: id });
  if (!provider) throw new Error(`genai-prices has no provider '${id}'`);
  const url = provider.pricing_urls?.[0] ?? "";
  for (const m of provider.models) {
    // Claude on Vertex AI is priced under Google: llmux prices Claude as Anthropic sells it.
    if (id === "google" && m.id.startsWith("claude")) continue;
    const p = pricesOf(m);
    if (p.input === undefined || p.output === undefined) continue; // embeddings, audio, image-only
    rows.push({
      id: m.id,
      match: m.match,
      ...p,
      source: `genai-prices ${pkg.version} (github.com/pydantic/genai-prices, MIT), ${provider.name}: ${url}`,
      date: published,
    });
  }
}

// The same rules as genai-prices: equals / starts_with / ends_with / contains (case-insensitive), regex, and / or.
function matches(rule, name) {
  const n = name.toLowerCase();
  if ("or" in rule) return rule.or.some((r) => matches(r, name));
  if ("and" in rule) return rule.and.every((r) => matches(r, name));
  if ("equals" in rule) return n === rule.equals.toLowerCase();
  if ("starts_with" in rule) return n.startsWith(rule.starts_with.toLowerCase());
  if ("ends_with" in rule) return n.endsWith(rule.ends_with.toLowerCase());
  if ("contains" in rule) return n.includes(rule.contains.toLowerCase());
  if ("regex" in rule) return new RegExp(rule.regex).test(name);
  return false;
}

let fromLitellm = 0;
if (litellmFile) {
  const list = JSON.parse(readFileSync(litellmFile, "utf8"));
  const config = mirrorConfig ? JSON.parse(readFileSync(mirrorConfig, "utf8")) : {};
  const FAMILIES = /^(gpt-|o1|o3|o4|claude-|gemini-|deepseek-|kimi-|moonshot)/;
  const perMillion = (v) => (typeof v === "number" ? Math.round(v * 1e12) / 1e6 : undefined);
  for (const [name, row] of Object.entries(list).sort(([a], [b]) => a.localeCompare(b))) {
    if (!FAMILIES.test(name) || (row.mode !== "chat" && row.mode !== "responses")) continue;
    if (rows.some((r) => r.match && matches(r.match, name))) continue;
    const input = perMillion(row.input_cost_per_token);
    const output = perMillion(row.output_cost_per_token);
    // A row without prices, or priced 0 by a reseller, is no price.
    if (!input || !output) continue;
    const p = { id: name, input, output };
    const add = (key, v) => {
      const n = perMillion(v);
      if (n !== undefined) p[key] = n;
    };
    add("cache_read", row.cache_read_input_token_cost);
    add("cache_write_5m", row.cache_creation_input_token_cost);
    add("cache_write_1h", row.cache_creation_input_token_cost_above_1hr);
    add("reasoning", row.output_cost_per_reasoning_token);
    const made = config.aliases?.[name]
      ? `, where the mirror copies it from ${config.aliases[name].source}`
      : config.custom_models?.[name]
        ? ", a row the mirror adds itself"
        : "";
    rows.push({ ...p, source: `${litellmSource}${made}`, date: litellmDate });
    fromLitellm++;
  }
}

const out = {
  unit: "USD per million tokens",
  note: "Generated by scripts/prices-import.mjs; rows with `match` cover the model names it describes, the others their own name.",
  models: rows,
};
const target = new URL("../src/billing/prices.json", import.meta.url);
writeFileSync(target, `${JSON.stringify(out, null, 2)}\n`);
execFileSync("npx", ["biome", "format", "--write", target.pathname], { stdio: "ignore" });
console.log(
  `${rows.length} models written to src/billing/prices.json (${rows.length - fromLitellm} from genai-prices ${pkg.version}, ${fromLitellm} from the LiteLLM list)`,
);
