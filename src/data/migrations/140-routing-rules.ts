import type { Migration } from "./migration.js";

export const m140: Migration = {
  id: "140_routing_rules",
  /**
   * `routing_rules`: the routing rules the admin API stored (one row, `current`), read by every instance in
   * place of the configuration's `routing.rules`; `version` moves with each update. Additive: the release
   * before neither reads nor writes it.
   */
  async up(db) {
    await db.schema
      .createTable("routing_rules")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("version", "bigint", (c) => c.notNull())
      .addColumn("rules", "text", (c) => c.notNull())
      .addColumn("updated_at", "bigint", (c) => c.notNull())
      .execute();
  },
};
