/**
 * The guardrails' policies the admin API stored (130_guardrail_policies): one row per scope (`gateway`,
 * `team:<id>`, `key:<id or name>`, `alias:<name>`), each replacing the configuration file's policy for its
 * scope; a version row moved by every change, so that every instance notices it on its next poll.
 */

import type { Data } from "./data.js";
import { sql } from "./kysely.js";

export interface StoredGuardrailPolicy {
  scope: string;
  /** JSON. */
  policy: string;
  /** Unix milliseconds. */
  updated_at: number;
}

const ID = "current";

/** Stores a scope's policy (JSON), or removes it (`null`); returns the new version. */
export async function storeGuardrailPolicy(data: Data, scope: string, policy: string | null): Promise<number> {
  const db = await data.db();
  return db.transaction().execute(async (tx) => {
    if (policy === null) await tx.deleteFrom("guardrail_policies").where("scope", "=", scope).execute();
    else {
      const row = { policy, updated_at: Date.now() };
      await tx
        .insertInto("guardrail_policies")
        .values({ scope, ...row })
        .onConflict((oc) => oc.column("scope").doUpdateSet(row))
        .execute();
    }
    // One statement: two instances changing policies at once each move the version.
    await tx
      .insertInto("guardrail_policy_version")
      .values({ id: ID, version: 1 })
      .onConflict((oc) => oc.column("id").doUpdateSet({ version: sql<number>`guardrail_policy_version.version + 1` }))
      .execute();
    return guardrailPoliciesVersionIn(tx);
  });
}

async function guardrailPoliciesVersionIn(db: Awaited<ReturnType<Data["db"]>>): Promise<number> {
  const r = await db.selectFrom("guardrail_policy_version").select("version").where("id", "=", ID).executeTakeFirst();
  return Number(r?.version ?? 0);
}

/** The stored policies' version (0: none ever stored), read on every poll. */
export async function guardrailPoliciesVersion(data: Data): Promise<number> {
  return guardrailPoliciesVersionIn(await data.db());
}

/** Every stored policy, and the version they are at (read in one transaction). */
export async function storedGuardrailPolicies(
  data: Data,
): Promise<{ version: number; policies: StoredGuardrailPolicy[] }> {
  const db = await data.db();
  return db.transaction().execute(async (tx) => {
    const version = await guardrailPoliciesVersionIn(tx);
    const rows = await tx
      .selectFrom("guardrail_policies")
      .select(["scope", "policy", "updated_at"])
      .orderBy("scope")
      .execute();
    return { version, policies: rows.map((r) => ({ ...r, updated_at: Number(r.updated_at) })) };
  });
}
