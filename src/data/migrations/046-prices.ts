import { migration } from "./migration.js";

/**
 * `ledger.price`: the prices a row was costed at (JSON `{input, output, cache_read?, …, source, date}`, USD
 * per million tokens; null: unpriced, or written before), so a row's cost can be explained long after the
 * price table changed. `price_lists`: the list `llmux prices update` stored (one row, `current`), read by
 * every instance; `version` moves with each update. Additive: the release before neither reads nor writes them.
 */
export const m046 = migration("046_prices", async (s) => {
  await s.add("ledger", "price text");
  await s.table(
    "price_lists",
    `id text primary key, version bigint not null, source text not null, models integer not null,
     rows text not null, updated_at bigint not null`,
  );
});
