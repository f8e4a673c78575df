/**
 * The price list `llmux prices update` stores (046_prices): one row, replaced whole, its `version` moving
 * with each update so that every instance notices it on its next poll.
 */
import type { Data } from "./data.js";
import { type OneRowValues, oneRowVersion, readOneRow, storeOneRow } from "./one-row.js";
import type { PriceListsTable } from "./schema.js";

/** The stored list: its row (`source`: a URL, a file, `@pydantic/genai-prices <version>`). */
export type StoredPriceList = Omit<PriceListsTable, "id">;

/** Stores a list (replacing the one before); returns its version. */
export const storePriceList = (data: Data, list: OneRowValues<"price_lists">) => storeOneRow(data, "price_lists", list);

/** The stored list's version (0: none), read on every poll. */
export const priceListVersion = (data: Data) => oneRowVersion(data, "price_lists");

export const storedPriceList = (data: Data) => readOneRow(data, "price_lists", ["models"]);
