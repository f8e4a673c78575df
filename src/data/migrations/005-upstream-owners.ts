import { migration } from "./migration.js";

/** Who made each response (and output item) an upstream keeps for llmux's account: the first claim wins. */
export const m005 = migration("005_upstream_owners", async (s) => {
  await s.table("upstream_owners", "id text primary key, owner text not null, created_at bigint not null", {
    indexes: { upstream_owners_created: "created_at" },
  });
});
