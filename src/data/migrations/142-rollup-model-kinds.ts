import { backfillAddedKinds } from "../stats-rollup.js";
import { migration } from "./migration.js";

/**
 * The stats' rollup (080_request_rollup) counts every model call now — generation, embeddings,
 * fill-in-the-middle and rerank (before: generation alone): the rows of the kinds it left out are added to it
 * from the request log, in the migration's transaction (it only adds, as 080's back-fill). Rolling deploys:
 * rows of those kinds the release before writes while both run are not summed (docs/deploy.md: upgrade the
 * instances of a shared database together).
 */
export const m142 = migration("142_rollup_model_kinds", async (s) => {
  await backfillAddedKinds(s.db);
});
