import { type ColumnDefinitionBuilder, type CreateTableBuilder, sql } from "kysely";
import { backfillFrom, SUMMED } from "../rollup-sql.js";
import { intoSessionRollup, SESSION_GROUP } from "../session-rollup.js";
import { intoSpendRollup, SPEND_GROUP } from "../spend-rollup.js";
import type { Migration } from "./migration.js";

const required = (c: ColumnDefinitionBuilder) => c.notNull();

export const m095: Migration = {
  id: "095_spend_rollup",
  /**
   * The rollups the reports read instead of scanning their window's rows: `spend_rollup`, the ledger summed by
   * hour and by UTC day per key, team, user, requested model, alias, upstream model and tag set (the spend
   * report and the spend of keys, teams, users and tags: src/data/spend-rollup.ts), and `session_rollup`, the
   * request log's session rows summed by hour per session, key, key name, team, user and tool (the sessions
   * list: src/data/session-rollup.ts). Both are back-filled from the rows already there in the migration's
   * transaction. Rolling deploys: the release before does not keep them, so rows it writes after this ran are
   * missing from them (docs/deploy.md: upgrade the instances of a shared database together).
   */
  async up(db, engine) {
    let spend: CreateTableBuilder<"spend_rollup", string> = db.schema
      .createTable("spend_rollup")
      .addColumn("span_ms", "bigint", required)
      .addColumn("bucket", "bigint", required);
    for (const c of SPEND_GROUP) spend = spend.addColumn(c, "text", required);
    for (const c of SUMMED) spend = spend.addColumn(c, "bigint", required);
    // SQLite: the rows kept in their key's order (a window's buckets are read in one run, not row by row).
    const clustered = <T extends { modifyEnd(s: ReturnType<typeof sql>): T }>(t: T) =>
      engine === "sqlite" ? t.modifyEnd(sql`without rowid`) : t;
    await clustered(spend.addPrimaryKeyConstraint("spend_rollup_pk", ["span_ms", "bucket", ...SPEND_GROUP])).execute();

    let sessions: CreateTableBuilder<"session_rollup", string> = db.schema
      .createTable("session_rollup")
      .addColumn("hour", "bigint", required)
      .addColumn("session_id", "text", required);
    for (const c of SESSION_GROUP) sessions = sessions.addColumn(c, "text", required);
    for (const c of [...SUMMED, "errors", "first_at", "last_at"]) sessions = sessions.addColumn(c, "bigint", required);
    await clustered(
      sessions
        .addColumn("ended_at", engine === "postgres" ? "double precision" : "real", required)
        .addPrimaryKeyConstraint("session_rollup_pk", ["hour", "session_id", ...SESSION_GROUP]),
    ).execute();

    // The sessions list sums the sessions it shows by their id (after ranking them over the window's hours).
    await db.schema
      .createIndex("session_rollup_session")
      .on("session_rollup")
      .columns(["session_id", "hour"])
      .execute();

    await backfillFrom(db, "ledger", [intoSpendRollup()]);
    await backfillFrom(db, "request_log", [intoSessionRollup(engine)]);
  },
};
