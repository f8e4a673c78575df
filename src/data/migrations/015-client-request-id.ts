import type { Migration } from "./migration.js";

export const m015: Migration = {
  id: "015_client_request_id",
  /**
   * Row ids are llmux's own: the client's `x-request-id` (which a client may repeat, to hide spend behind
   * one row) is kept in a column of its own in the ledger and the request log, indexed in the request log.
   */
  async up(db) {
    for (const table of ["ledger", "request_log"])
      await db.schema.alterTable(table).addColumn("client_request_id", "text").execute();
    await db.schema
      .createIndex("request_log_client_request_id")
      .on("request_log")
      .column("client_request_id")
      .execute();
  },
};
