import { migration } from "./migration.js";

/** The store's first tables (they predate the migrations, hence `if not exists`). */
export const m001 = migration("001_store", async (s) => {
  await s.table("meta", "key text primary key, value text not null", { ifNotExists: true });
  await s.table(
    "responses",
    `owner text not null, id text not null, previous_id text, created_at bigint not null, input text not null,
     response text not null`,
    { key: ["owner", "id"], indexes: { responses_created: "created_at" }, ifNotExists: true },
  );
  await s.table("items", "owner text not null, id text not null, response_id text not null, item text not null", {
    key: ["owner", "id"],
    indexes: { items_response: "owner, response_id" },
    ifNotExists: true,
  });
  await s.table(
    "reasoning",
    "key text primary key, value text not null, expires_at bigint not null, used_at bigint not null",
    {
      indexes: { reasoning_used: "used_at" },
      ifNotExists: true,
    },
  );
});
