#!/usr/bin/env node
// Builds src/billing/prices.json from a LiteLLM-format price list (model_prices_and_context_window.json).
//   node scripts/prices-import.mjs <file.json> "<source description>" <YYYY-MM-DD>
// LiteLLM's list (github.com/BerriAI/litellm, MIT) gives USD per token; llmux keeps USD per million tokens,
// rounded to 6 decimals, for chat and responses models of the families coding tools use.
import { readFileSync, writeFileSync } from "node:fs";

const [file, source, date] = process.argv.slice(2);
if (!file || !source || !/^\d{4}-\d{2}-\d{2}$/.test(date ?? "")) {
  console.error('usage: node scripts/prices-import.mjs <file.json> "<source>" <YYYY-MM-DD>');
  process.exit(2);
}
const list = JSON.parse(readFileSync(file, "utf8"));
const FAMILIES = /^(gpt-|o1|o3|o4|claude-|gemini-|deepseek-|kimi-|moonshot)/;
const perMillion = (v) => (typeof v === "number" ? Math.round(v * 1e6 * 1e6) / 1e6 : undefined);
const models = {};
for (const [name, row] of Object.entries(list).sort(([a], [b]) => a.localeCompare(b))) {
  if (!FAMILIES.test(name) || (row.mode !== "chat" && row.mode !== "responses")) continue;
  const input = perMillion(row.input_cost_per_token);
  const output = perMillion(row.output_cost_per_token);
  if (input === undefined || output === undefined) continue;
  const p = { input, output };
  const add = (key, v) => {
    const n = perMillion(v);
    if (n !== undefined) p[key] = n;
  };
  add("cache_read", row.cache_read_input_token_cost);
  add("cache_write_5m", row.cache_creation_input_token_cost);
  add("cache_write_1h", row.cache_creation_input_token_cost_above_1hr);
  add("reasoning", row.output_cost_per_reasoning_token);
  if (row.input_cost_per_token_above_200k_tokens !== undefined) {
    const tier = { above_tokens: 200_000 };
    const t = (key, v) => {
      const n = perMillion(v);
      if (n !== undefined) tier[key] = n;
    };
    t("input", row.input_cost_per_token_above_200k_tokens);
    t("output", row.output_cost_per_token_above_200k_tokens);
    t("cache_read", row.cache_read_input_token_cost_above_200k_tokens);
    t("cache_write_5m", row.cache_creation_input_token_cost_above_200k_tokens);
    t("cache_write_1h", row.cache_creation_input_token_cost_above_1hr_above_200k_tokens);
    p.long_context = tier;
  }
  models[name] = p;
}
const out = { source, date, unit: "USD per million tokens", models };
writeFileSync(new URL("../src/billing/prices.json", import.meta.url), `${JSON.stringify(out, null, 1)}\n`);
console.log(`${Object.keys(models).length} models written to src/billing/prices.json`);
