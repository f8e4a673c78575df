import { backfillRollup } from "../stats-rollup.js";
import { migration } from "./migration.js";

/**
 * The stats' rollup (080_request_rollup) summed again from the request log: a model call is now any of
 * generation, embeddings, fill-in-the-middle and rerank (before: generation only), so the hours summed
 * before count their embeddings, completions and rerank rows too. In the migration's transaction: emptied,
 * then back-filled as 080 did. Rolling deploys: the release before adds only generation rows to it while
 * both run (docs/deploy.md: upgrade the instances of a shared database together).
 */
export const m142 = migration("142_rollup_model_kinds", async (s) => {
  for (const t of ["request_rollup", "request_rollup_errors", "request_rollup_latency"])
    await s.db.deleteFrom(t).execute();
  await backfillRollup(s.db);
});
