/** The budget escrow's tables (090_budget_leases, 091_budget_unledgered): src/data/budget-leases.ts. */
import type { Generated } from "kysely";

/** A budget window's lock row (090): a lease grant takes it, so grants in one window are decided in turn. */
export interface BudgetWindowsTable {
  scope: string;
  subject: string;
  window_start: number;
  touched: number;
  /** The instance whose one request in flight has its worst case uncovered, and until when (090). */
  uncovered_holder: string | null;
  uncovered_until: number;
  /** Settled spend no ledger row carries: a configuration file's key under a user or tag budget (091). */
  unledgered: Generated<number>;
}

/**
 * A slice of a budget window held by one instance (090, src/data/budget-leases.ts): what it may still
 * admit against (`nanos`, lowered by each ledger row it admitted), what its requests in flight hold
 * (`held`, as of its last renewal), until when it holds the slice, and until when, past that, what was
 * in flight still counts (a dead instance's requests, billed when its journal is replayed).
 */
export interface BudgetLeasesTable {
  scope: string;
  subject: string;
  window_start: number;
  window_end: number;
  holder: string;
  nanos: number;
  held: number;
  expires_at: number;
  orphan_until: number;
}
