import { migration } from "./migration.js";

/**
 * What kind of call a request-log row is (`generate`, `count_tokens`, `models`, …: model calls are
 * counted apart from the rest), and the model a ledger row's caller asked for (spend by model shows it
 * beside the alias or pattern that matched and the upstream model). Rows written before are null.
 */
export const m050 = migration("050_call_kind", async (s) => {
  await s.add("request_log", "kind text");
  await s.add("ledger", "requested_model text");
});
