import { backfillFrom, SUMMED } from "../rollup-sql.js";
import { intoSessionRollup, SESSION_GROUP } from "../session-rollup.js";
import { intoSpendRollup, SPEND_GROUP } from "../spend-rollup.js";
import { migration } from "./migration.js";

/**
 * The rollups the reports read instead of scanning their window's rows: `spend_rollup`, the ledger summed by
 * hour and by UTC day per key, team, user, requested model, alias, upstream model and tag set (the spend
 * report and the spend of keys, teams, users and tags: src/data/spend-rollup.ts), and `session_rollup`, the
 * request log's session rows summed by hour per session, key, key name, team, user and tool (the sessions
 * list: src/data/session-rollup.ts). Both are back-filled from the rows already there in the migration's
 * transaction. Rolling deploys: the release before does not keep them, so rows it writes after this ran are
 * missing from them (docs/deploy.md: upgrade the instances of a shared database together).
 */
export const m095 = migration("095_spend_rollup", async (s) => {
  const all = (names: readonly string[], type: string) => names.map((c) => `${c} ${type} not null`).join(", ");
  await s.table(
    "spend_rollup",
    `span_ms bigint not null, bucket bigint not null, ${all(SPEND_GROUP, "text")}, ${all(SUMMED, "bigint")}`,
    {
      key: ["span_ms", "bucket", ...SPEND_GROUP],
      clustered: true,
    },
  );
  await s.table(
    "session_rollup",
    `hour bigint not null, session_id text not null, ${all(SESSION_GROUP, "text")},
     ${all([...SUMMED, "errors", "first_at", "last_at"], "bigint")}, ended_at real not null`,
    // The sessions list sums the sessions it shows by their id (after ranking them over the window's hours).
    {
      key: ["hour", "session_id", ...SESSION_GROUP],
      clustered: true,
      indexes: { session_rollup_session: "session_id, hour" },
    },
  );
  await backfillFrom(s.db, "ledger", [intoSpendRollup()]);
  await backfillFrom(s.db, "request_log", [intoSessionRollup(s.engine)]);
});
