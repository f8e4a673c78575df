import { migration } from "./migration.js";

/**
 * The guardrails' policies set through the admin API (`guardrail_policies`: one row per scope — the gateway,
 * a team, a key, an alias — holding its policy as JSON) and their version (`guardrail_policy_version`: one row,
 * moved by every change, polled by every instance). Additive: the release before neither reads nor writes them.
 */
export const m130 = migration("130_guardrail_policies", async (s) => {
  await s.table("guardrail_policies", "scope text primary key, policy text not null, updated_at bigint not null");
  await s.table("guardrail_policy_version", "id text primary key, version bigint not null");
});
