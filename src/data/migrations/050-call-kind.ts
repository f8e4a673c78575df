import type { Migration } from "./migration.js";

export const m050: Migration = {
  id: "050_call_kind",
  /**
   * What kind of call a request-log row is (`generate`, `count_tokens`, `models`, …: model calls are
   * counted apart from the rest), and the model a ledger row's caller asked for (spend by model shows it
   * beside the alias or pattern that matched and the upstream model). Rows written before are null.
   */
  async up(db) {
    await db.schema.alterTable("request_log").addColumn("kind", "text").execute();
    await db.schema.alterTable("ledger").addColumn("requested_model", "text").execute();
  },
};
