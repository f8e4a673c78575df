import { SUMMED } from "../rollup-sql.js";
import { backfillGenerations } from "../stats-rollup.js";
import { migration } from "./migration.js";

/**
 * The request log's model calls summed by hour, for the stats (src/data/stats-rollup.ts): `request_rollup`
 * (requests, refusals, tokens, cost per hour, key, team and model), `request_rollup_errors` (failed and
 * refused calls per hour, key and error class) and `request_rollup_latency` (latency and TTFT histogram
 * bins per hour, for every caller and per key), back-filled from the rows already there in the migration's
 * transaction. Rolling deploys: the release before does not keep them, so rows it writes after this ran
 * are missing from them (docs/deploy.md: upgrade the instances of a shared database together).
 */
export const m080 = migration("080_request_rollup", async (s) => {
  const summed = SUMMED.map((c) => `${c} bigint not null`).join(", ");
  await s.table(
    "request_rollup",
    `hour bigint not null, key_id text not null, key_name text not null, team_id text not null, model text not null,
     ${summed}`,
    { key: ["hour", "key_id", "key_name", "team_id", "model"], indexes: { request_rollup_key: "key_id, hour" } },
  );
  await s.table(
    "request_rollup_errors",
    "hour bigint not null, key_id text not null, error_class text not null, n bigint not null",
    {
      key: ["hour", "key_id", "error_class"],
    },
  );
  await s.table(
    "request_rollup_latency",
    "scope text not null, hour bigint not null, bin integer not null, latency bigint not null, ttft bigint not null",
    // Pruning looks for emptied bins by hour, whatever the scope.
    { key: ["scope", "hour", "bin"], indexes: { request_rollup_latency_hour: "hour" } },
  );
  // What it summed when released (generation rows); 142_rollup_model_kinds adds the other kinds.
  await backfillGenerations(s.db);
});
