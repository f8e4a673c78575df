/**
 * What a ledger insert does to the budget leases in its transaction (src/data/budget-leases.ts): the cost of
 * the rows it added leaves the lease each was admitted under. Apart from budget-leases.ts, so the data layer's
 * writer (data.ts, rollups.ts) can use it without importing the budget reads.
 */

import type { EngineName } from "./engine.js";
import { type Compilable, type Kysely, sql } from "./kysely.js";
import { compiledOnce, idsSource } from "./rollup-sql.js";
import type { Database } from "./schema.js";

const made = new WeakMap<Kysely<Database>, Compilable[]>();

/**
 * The statement that takes the cost of the ledger rows an insert added off the leases they were admitted
 * under (a WriteOp's `took`, beside the spend rollup's): the spend moves from the lease to the ledger (a
 * lapsed lease, counted whole, counts that much less from then on), and leaves what the lease says its
 * requests in flight hold (for the record).
 */
export function leasesOfAdded(db: Kysely<Database>, engine: EngineName): Compilable[] {
  let out = made.get(db);
  if (!out) {
    const matches = sql`src.lease_holder = budget_leases.holder and src.lease_at >= budget_leases.window_start
  and src.lease_at < budget_leases.window_end and (case budget_leases.scope
    when 'key' then src.key_id = budget_leases.subject
    when 'team' then src.team_id = budget_leases.subject
    when 'user' then src.user_label = budget_leases.subject
    else src.tags like '%,' || budget_leases.subject || ',%' end)`;
    out = [
      compiledOnce(
        db,
        sql`with src as (${idsSource("ledger", engine)}) update budget_leases
set nanos = nanos - coalesce((select sum(src.cost_nanos) from src where ${matches}), 0),
  held = (case when held < coalesce((select sum(src.cost_nanos) from src where ${matches}), 0) then 0
    else held - coalesce((select sum(src.cost_nanos) from src where ${matches}), 0) end)
where holder in (select lease_holder from src where lease_holder is not null)`,
      ),
    ];
    made.set(db, out);
  }
  return out;
}
