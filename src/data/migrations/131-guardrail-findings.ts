import { migration } from "./migration.js";

/**
 * `request_log.guardrail_findings`: what the guardrails found on the request, as a JSON array of
 * `{rule, group, location, action, dry_run}` (never a value), read by the hit counts (GET /admin/v1/guardrails)
 * and the requests API. A new nullable column only: rows written before (and by the release before) have none,
 * and their findings are still read from their warnings.
 */
export const m131 = migration("131_guardrail_findings", async (s) => {
  await s.add("request_log", "guardrail_findings text");
});
