import { z } from "zod";
import { priceRowsOf, sourceName } from "../billing/price-list.js";
import type { Data } from "../data/data.js";
import { storedPriceList, storePriceList } from "../data/price-lists.js";
import type { Given } from "./context.js";
import { AdminError, type AdminModule, type AdminRoute } from "./route.js";

export const PriceListBody = z
  .object({
    source: z.string().min(1).max(2000).describe("Where the list came from (a URL, a file, the genai-prices version)."),
    models: z
      .array(
        z.looseObject({ id: z.string().min(1), input: z.number().nonnegative(), output: z.number().nonnegative() }),
      )
      .min(1)
      .max(20_000)
      .describe(
        "Price rows (USD per million tokens): {id, match?, input, output, cache_read?, cache_write_5m?, cache_write_1h?, reasoning?, long_context?, when?}.",
      ),
  })
  .strict();

export const StoredPriceListAnswer = z
  .object({
    version: z.number().int().describe("Moves with each update; 0: none stored."),
    source: z.string().nullable(),
    models: z.number().int().describe("Rows in the stored list."),
    updated_at: z.string().nullable().describe("When it was stored (ISO time)."),
  })
  .meta({ id: "StoredPriceList" });

const answerOf = (s: { version: number; source: string; models: number; updated_at: number } | undefined) =>
  s
    ? { version: s.version, source: s.source, models: s.models, updated_at: new Date(s.updated_at).toISOString() }
    : { version: 0, source: null, models: 0, updated_at: null };

/**
 * `POST /admin/v1/prices` stores a price list (what `llmux prices update` sends) in the database, where every
 * instance reads it without a restart: between `price_list:` and the prices llmux ships. `GET` says which list
 * is stored. Rows already written keep the prices they were costed at (the ledger's `price`).
 */
export function priceRoutes(data: Data, changed?: () => Promise<void> | undefined): AdminRoute[] {
  return [
    {
      method: "GET",
      path: "/admin/v1/prices",
      summary: "The price list stored by llmux prices update (its source, size and version)",
      status: 200,
      answer: StoredPriceListAnswer,
      run: async () => answerOf(await storedPriceList(data)),
    },
    {
      method: "POST",
      path: "/admin/v1/prices",
      summary: "Store a price list: every instance prices by it without a restart",
      audit: {
        action: "price_list.update",
        target: "price_list",
        read: async () => answerOf(await storedPriceList(data)),
      },
      body: PriceListBody,
      status: 201,
      answer: StoredPriceListAnswer,
      run: async ({ body }) => {
        const b = body as z.infer<typeof PriceListBody>;
        // A URL's token (a presigned link) is never kept, shown or copied into the ledger's rows.
        const source = sourceName(b.source);
        const today = new Date().toISOString().slice(0, 10);
        let rows: ReturnType<typeof priceRowsOf>;
        try {
          rows = priceRowsOf(JSON.stringify({ models: b.models }), source, today).map((r) =>
            r.source ? { ...r, source: sourceName(r.source) } : r,
          );
        } catch (err) {
          throw new AdminError(400, (err as Error).message, "models");
        }
        await storePriceList(data, { source, models: rows.length, rows: JSON.stringify(rows) });
        await changed?.();
        return answerOf(await storedPriceList(data));
      },
    },
  ];
}

/** The stored price list. */
export const admin: AdminModule<Given<"data">> = {
  needs: ["data"],
  routes: (c) => priceRoutes(c.data, c.pricesChanged),
};
