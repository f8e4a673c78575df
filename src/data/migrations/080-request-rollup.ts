import type { ColumnDefinitionBuilder } from "kysely";
import { SUMMED } from "../rollup-sql.js";
import { backfillRollup } from "../stats-rollup.js";
import type { Migration } from "./migration.js";

const required = (c: ColumnDefinitionBuilder) => c.notNull();

export const m080: Migration = {
  id: "080_request_rollup",
  /**
   * The request log's model calls summed by hour, for the stats (src/data/stats-rollup.ts): `request_rollup`
   * (requests, refusals, tokens, cost per hour, key, team and model), `request_rollup_errors` (failed and
   * refused calls per hour, key and error class) and `request_rollup_latency` (latency and TTFT histogram
   * bins per hour, for every caller and per key), back-filled from the rows already there in the migration's
   * transaction. Rolling deploys: the release before does not keep them, so rows it writes after this ran
   * are missing from them (docs/deploy.md: upgrade the instances of a shared database together).
   */
  async up(db) {
    let rollup = db.schema
      .createTable("request_rollup")
      .addColumn("hour", "bigint", required)
      .addColumn("key_id", "text", required)
      .addColumn("key_name", "text", required)
      .addColumn("team_id", "text", required)
      .addColumn("model", "text", required);
    for (const c of SUMMED) rollup = rollup.addColumn(c, "bigint", required);
    await rollup
      .addPrimaryKeyConstraint("request_rollup_pk", ["hour", "key_id", "key_name", "team_id", "model"])
      .execute();
    await db.schema.createIndex("request_rollup_key").on("request_rollup").columns(["key_id", "hour"]).execute();
    await db.schema
      .createTable("request_rollup_errors")
      .addColumn("hour", "bigint", required)
      .addColumn("key_id", "text", required)
      .addColumn("error_class", "text", required)
      .addColumn("n", "bigint", required)
      .addPrimaryKeyConstraint("request_rollup_errors_pk", ["hour", "key_id", "error_class"])
      .execute();
    await db.schema
      .createTable("request_rollup_latency")
      .addColumn("scope", "text", required)
      .addColumn("hour", "bigint", required)
      .addColumn("bin", "integer", required)
      .addColumn("latency", "bigint", required)
      .addColumn("ttft", "bigint", required)
      .addPrimaryKeyConstraint("request_rollup_latency_pk", ["scope", "hour", "bin"])
      .execute();
    // Pruning looks for emptied bins by hour, whatever the scope.
    await db.schema.createIndex("request_rollup_latency_hour").on("request_rollup_latency").columns(["hour"]).execute();
    await backfillRollup(db);
  },
};
