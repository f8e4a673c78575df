import type { Migration } from "./migration.js";

export const m040: Migration = {
  id: "040_sessions",
  /**
   * The coding session and agent of every request (src/clients/session.ts) on the request log and the ledger,
   * and the ledger's tool (the request log already keeps it as `client_tool`). Nullable: rows written before,
   * and by the release before during a rolling deploy, name none. Sessions are read by id, newest first.
   */
  async up(db) {
    for (const table of ["request_log", "ledger"]) {
      await db.schema.alterTable(table).addColumn("session_id", "text").execute();
      await db.schema.alterTable(table).addColumn("agent_id", "text").execute();
      await db.schema.alterTable(table).addColumn("parent_agent_id", "text").execute();
    }
    await db.schema.alterTable("ledger").addColumn("tool", "text").execute();
    await db.schema.createIndex("request_log_session_at").on("request_log").columns(["session_id", "at"]).execute();
    await db.schema.createIndex("ledger_session_at").on("ledger").columns(["session_id", "at"]).execute();
    await db.schema.createIndex("ledger_tool_at").on("ledger").columns(["tool", "at"]).execute();
  },
};
