/**
 * The rollups kept by the data layer's batched writes: every insert into the ledger or the request log (the
 * settled writes, a journal or spool replayed, a late row) sums the rows it added, and only those, into the
 * rollups of its table in the same transaction, whoever wrote it. So a rollup always equals the rows it
 * summarises, and a row written twice (keyed by id: the second insert adds nothing) is counted once. A ledger
 * row also takes its cost off the budget lease it was admitted under (budget-leases.ts).
 */
import type { Kysely } from "kysely";
import type { WriteOp } from "./batch-write.js";
import type { EngineName } from "./engine.js";
import { leasesOfAdded } from "./lease-settle.js";
import type { Database } from "./schema.js";
import { sessionRollupOfAdded } from "./session-rollup.js";
import { spendRollupOfAdded } from "./spend-rollup.js";
import { rollupOfAdded } from "./stats-rollup.js";

/** `ops` with each ledger and request-log insert followed by the statements that roll up what it added. */
export function withRollups(db: Kysely<Database>, engine: EngineName, ops: readonly WriteOp[]): WriteOp[] {
  return ops.map((op) => {
    if (!("insert" in op)) return op;
    const rollups =
      op.insert === "ledger"
        ? [...spendRollupOfAdded(db, engine), ...leasesOfAdded(db, engine)]
        : op.insert === "request_log"
          ? [...rollupOfAdded(db, engine), ...sessionRollupOfAdded(db, engine)]
          : [];
    return rollups.length === 0 ? op : { ...op, took: [...(op.took ?? []), ...rollups] };
  });
}
