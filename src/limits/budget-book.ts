/**
 * Where budget windows are kept: the database (budget-leases.ts: the ledger and the leases, for one instance
 * on SQLite or many on PostgreSQL), or, when llmux runs without a data layer, this process's memory (the
 * same escrow, its spend counted here as requests settle).
 */
import {
  type BudgetState,
  type BudgetWindowRef,
  budgetState,
  claimUncovered,
  grantLease,
  type LeaseTerms,
  newLeaseHolder,
  oweLease,
  renewLeases,
  returnLease,
  settleUnledgered,
  unclaimUncovered,
} from "../data/budget-leases.js";
import type { Data } from "../data/data.js";

export type { BudgetState, BudgetWindowRef, LeaseTerms };

/** A data-layer function of budget-leases.ts with its database bound: the book's method for the same job. */
type Bound<F> = F extends (data: Data, ...rest: infer A) => infer R ? (...rest: A) => R : never;

export interface BudgetBook {
  /** A new lease holder's name (the database's book registers it, to release its leases at a clean stop). */
  newHolder(): string;
  readonly state: Bound<typeof budgetState>;
  /** Adds `n` to the holder's lease less `drop` (what a lapsed lease left unused) if it fits (grantLease). */
  readonly grant: Bound<typeof grantLease>;
  readonly giveBack: Bound<typeof returnLease>;
  /** Claims (until `until`) the window's one request in flight whose worst case is not covered; true if this holder has it. */
  readonly claim: Bound<typeof claimUncovered>;
  readonly unclaim: Bound<typeof unclaimUncovered>;
  readonly renew: Bound<typeof renewLeases>;
  /** Adds to the holder's lease without weighing the limit: an uncovered request's overshoot (oweLease). */
  readonly owe: Bound<typeof oweLease>;
  /**
   * A settled request's cost, when no ledger row carries it to the database's lease (the memory book: all of
   * them). The database's book moves it from the lease to the window's unledgered spend; should that write
   * fail (the database away), the cost stays counted in the lease until the lease lapses.
   */
  settled(w: BudgetWindowRef, holder: string, cost: number, ledgered: boolean): void;
}

export function dataBook(data: Data): BudgetBook {
  return {
    newHolder: () => newLeaseHolder(data),
    state: (...a) => budgetState(data, ...a),
    grant: (...a) => grantLease(data, ...a),
    giveBack: (...a) => returnLease(data, ...a),
    claim: (...a) => claimUncovered(data, ...a),
    unclaim: (...a) => unclaimUncovered(data, ...a),
    renew: (...a) => renewLeases(data, ...a),
    owe: (...a) => oweLease(data, ...a),
    settled: (w, holder, cost, ledgered) => {
      if (!ledgered) settleUnledgered(data, w, holder, cost).catch(() => undefined);
    },
  };
}

const wkey = (w: BudgetWindowRef) => `${w.scope}\u0000${w.subject}\u0000${w.start}`;

/** The escrow in this process's memory: one instance, its spend known only to it. */
export function memoryBook(): BudgetBook {
  const spent = new Map<string, number>();
  const leases = new Map<string, number>();
  return {
    newHolder: () => newLeaseHolder(),
    async state(w, holder) {
      const k = wkey(w);
      let leased = 0;
      for (const [lk, n] of leases) if (lk.startsWith(`${k}\u0000`)) leased += Math.max(0, n);
      return { spent: spent.get(k) ?? 0, leased, mine: Math.max(0, leases.get(`${k}\u0000${holder}`) ?? 0) };
    },
    async grant(w, holder, n, limit, _now, _terms, drop = 0) {
      const st = await this.state(w, holder, 0);
      if (st.spent + st.leased - st.mine + Math.max(0, st.mine - drop) + n > limit) return false;
      const lk = `${wkey(w)}\u0000${holder}`;
      leases.set(lk, (leases.get(lk) ?? 0) - drop + n);
      return true;
    },
    async giveBack(w, holder, n) {
      const lk = `${wkey(w)}\u0000${holder}`;
      leases.set(lk, (leases.get(lk) ?? 0) - n);
    },
    // One holder: the claim is taken while the window's spend and leases fit the limit, as the database's is.
    async claim(w, holder, _now, _until, limit, renewal = false) {
      if (renewal) return true;
      const st = await this.state(w, holder, 0);
      return st.spent + st.leased <= limit;
    },
    async unclaim() {},
    async renew(_holder, list) {
      return list.map(() => true);
    },
    async owe(w, holder, n) {
      const lk = `${wkey(w)}\u0000${holder}`;
      leases.set(lk, (leases.get(lk) ?? 0) + n);
    },
    settled(w, holder, cost) {
      const k = wkey(w);
      if (spent.size > 100_000) spent.clear();
      spent.set(k, (spent.get(k) ?? 0) + cost);
      const lk = `${k}\u0000${holder}`;
      leases.set(lk, (leases.get(lk) ?? 0) - cost);
    },
  };
}
