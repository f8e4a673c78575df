import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { GENAI_PROVIDERS, type GenaiProvider, genaiRows } from "../billing/genai-prices.js";
import { priceRowsOf, readPriceSource, sourceName } from "../billing/price-list.js";
import type { PriceRow } from "../billing/prices.js";
import { ADMIN_OPTIONS, outputFields, withClient } from "./admin-client.js";
import type { Command } from "./command.js";
import { stringOption, UsageError } from "./command.js";
import { optFlag, optString } from "./values.js";

const PACKAGE = "@pydantic/genai-prices";

/** The price data of the @pydantic/genai-prices release package.json pins (installed with llmux's development dependencies). */
async function pinnedGenaiPrices(today: string): Promise<{ rows: PriceRow[]; source: string }> {
  let mod: { findProvider(o: { providerId: string }): unknown };
  let version = "";
  try {
    mod = (await import(PACKAGE)) as typeof mod;
    const pkg = fileURLToPath(new URL("../package.json", import.meta.resolve(PACKAGE)));
    version = (JSON.parse(readFileSync(pkg, "utf8")) as { version: string }).version;
  } catch {
    throw new UsageError(
      `${PACKAGE} is not installed here (it comes with llmux's development dependencies): give --from URL|FILE, e.g. its maintained list https://raw.githubusercontent.com/pydantic/genai-prices/main/prices/data.json`,
      "prices update",
    );
  }
  const providers = GENAI_PROVIDERS.map((id) => mod.findProvider({ providerId: id })).filter(
    (p): p is GenaiProvider => !!p,
  );
  const source = `${PACKAGE} ${version} (github.com/pydantic/genai-prices, MIT)`;
  return { rows: genaiRows(providers, source, today), source };
}

export const pricesCommand: Command = {
  name: "prices",
  summary: "Update the price table every instance uses, without a restart.",
  subcommands: [
    {
      name: "update",
      summary: "Store a new price list: every instance prices by it within 30 s (at once on this one).",
      description: [
        "Reads a price list and stores it in llmux's database, where every instance reads it without a restart:",
        "it sits between price_list: (and prices:) in the configuration and the prices llmux ships. Without",
        `--from, the data of the ${PACKAGE} release llmux pins; with --from, a URL or a file in one of the`,
        "formats of docs/prices.md ({\"models\": {...}}, llmux's own prices.json, or genai-prices' data.json).",
        "Requests already made keep the prices they were costed at (stored with each ledger row).",
      ].join("\n"),
      options: {
        ...ADMIN_OPTIONS,
        from: stringOption("URL|FILE", "Where to read the list (default: the pinned genai-prices data)."),
        "dry-run": { type: "boolean", description: "Read and check the list, store nothing." },
      },
      examples: [
        "llmux prices update",
        "llmux prices update --from https://raw.githubusercontent.com/pydantic/genai-prices/main/prices/data.json",
        "llmux prices update --from ./prices.json --url https://llm.example.com",
      ],
      run: async (input) => {
        const today = new Date().toISOString().slice(0, 10);
        const from = optString(input, "from");
        let list: { rows: PriceRow[]; source: string };
        if (from) {
          try {
            const source = sourceName(from);
            list = { rows: priceRowsOf(await readPriceSource(from), source, today), source };
          } catch (err) {
            throw new UsageError(
              `the price list at ${sourceName(from)} cannot be used: ${(err as Error).message}`,
              "prices update",
            );
          }
        } else list = await pinnedGenaiPrices(today);
        if (optFlag(input, "dry-run")) {
          process.stdout.write(`${list.rows.length} prices read from ${list.source} (nothing stored: --dry-run)\n`);
          return 0;
        }
        return withClient(input, async (c) => {
          const out = (await c.call("POST", "/admin/v1/prices", { source: list.source, models: list.rows })) as Record<
            string,
            unknown
          >;
          outputFields(input, out, out, ["version", "source", "models", "updated_at"]);
        });
      },
    },
    {
      name: "show",
      summary: "Which price list is stored (source, size, when).",
      options: ADMIN_OPTIONS,
      run: (input) =>
        withClient(input, async (c) => {
          const out = (await c.call("GET", "/admin/v1/prices")) as Record<string, unknown>;
          outputFields(input, out, out, ["version", "source", "models", "updated_at"]);
        }),
    },
  ],
};
