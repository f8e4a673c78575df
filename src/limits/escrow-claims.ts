/**
 * The claim of a budget window's one uncovered request (budget-escrow.ts): the request admitted with only its
 * hold when no slice can cover its worst, one at a time in the window across instances (the database's window
 * row keeps who has it: budget-leases.ts claimUncovered, which lets another holder take it over only while the
 * window's spend and leases fit its limit). Claims and their releases on a window run one after the other, so a
 * release never overtakes the claim after it.
 */
import type { BudgetBook } from "./budget-book.js";
import { FIRST_TRY_MS, type Slot } from "./escrow-slot.js";

/** `p`'s value, or undefined at `deadline` (on `clock`); a rejection passes through. */
export function withDeadline<T>(p: Promise<T>, deadline: number, clock: () => number): Promise<T | undefined> {
  const ms = deadline - clock();
  if (ms <= 0) {
    p.catch(() => undefined);
    return Promise.resolve(undefined);
  }
  return new Promise<T | undefined>((resolve, reject) => {
    const t = setTimeout(() => resolve(undefined), ms);
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e) => {
        clearTimeout(t);
        reject(e);
      },
    );
  });
}

/**
 * What the requests in flight on a slice may still cost beyond what it has left for them: an uncovered
 * request that spent past its hold took it from their cover (0: the slice covers their worst).
 */
export function deficit(slot: Slot): number {
  return Math.max(0, slot.exposure - (slot.granted - slot.held));
}

export class UncoveredClaims {
  constructor(
    private readonly book: BudgetBook,
    private readonly holder: string,
    private readonly leaseMs: number,
    private readonly clock: () => number,
  ) {}

  /** Claims (or keeps) the window's one request in flight whose worst is not covered, across instances. */
  async claim(slot: Slot, deadline: number): Promise<boolean> {
    slot.claiming = true;
    try {
      const t = this.clock();
      const p = this.renew(slot, t);
      return (await withDeadline(p, Math.max(deadline, t + FIRST_TRY_MS), this.clock)) === true;
    } catch {
      return false;
    } finally {
      slot.claiming = false;
    }
  }

  /**
   * Claims it from `t` for a lease's time, for a new uncovered request (only while the window's spend and leases
   * fit its limit) or, `renewal`, for the one in flight or a shortfall not yet owed (kept whatever the spend).
   */
  renew(slot: Slot, t: number, renewal = false): Promise<boolean> {
    return this.inTurn(slot, () => this.book.claim(slot.w, this.holder, t, t + this.leaseMs, slot.limit, renewal));
  }

  /**
   * Lets go of the claim, unless by the time it is this one's turn an uncovered request holds it again (or is
   * being admitted under it): a release queued before must not drop a claim taken after.
   */
  unclaim(slot: Slot): void {
    this.inTurn(slot, async () => {
      if (slot.uncovered > 0 || slot.claiming || slot.keptClaim) return;
      slot.releasing = true;
      await this.book.unclaim(slot.w, this.holder);
      slot.releasing = false;
    }).catch(() => {
      // Not let go of (the database away): tried again at the next renewal (`maintain`). A claim that lapsed is
      // not taken over while its holder's lease counts, so waiting for it to lapse would hold others off.
    });
  }

  /**
   * A request on the slice settled (`uncovered`: the window's uncovered one). An uncovered request that spent
   * past its hold took that from the cover of the requests still in flight here: the slice falls short of their
   * worst by at most its overshoot. That shortfall is owed to the book (added to this lease beyond the limit),
   * so every later grant and claim, on any instance, counts it; then the claim is let go. Until the book has
   * it (the database away), the claim is kept and renewed, so no other uncovered request is admitted against a
   * slice granted before this spend was known.
   */
  settled(slot: Slot, uncovered: boolean): void {
    if (slot.uncovered > 0 || (!uncovered && !slot.keptClaim)) return;
    const d = deficit(slot);
    if (d === 0) {
      slot.keptClaim = false;
      this.unclaim(slot);
    } else {
      slot.keptClaim = true;
      void this.owe(slot, d);
    }
  }

  /**
   * At a renewal: renews the claim of an uncovered request in flight, tries again to owe a kept one's shortfall,
   * or to let go of a claim whose release failed.
   */
  async maintain(slot: Slot, t: number): Promise<void> {
    if (slot.uncovered > 0) {
      await this.renew(slot, t, true).catch(() => false);
      return;
    }
    if (slot.releasing && !slot.keptClaim) {
      this.unclaim(slot);
      return;
    }
    if (!slot.keptClaim) return;
    const d = deficit(slot);
    if (d === 0) {
      slot.keptClaim = false;
      this.unclaim(slot);
      return;
    }
    if (!(await this.owe(slot, d))) await this.renew(slot, t, true).catch(() => false);
  }

  private async owe(slot: Slot, d: number): Promise<boolean> {
    if (slot.owing) return false;
    slot.owing = true;
    try {
      await this.book.owe(slot.w, this.holder, d);
    } catch {
      return false;
    } finally {
      slot.owing = false;
    }
    // Relative: what settled here meanwhile has taken its cost off on its own.
    slot.granted += d;
    if (slot.uncovered === 0 && deficit(slot) === 0) {
      slot.keptClaim = false;
      this.unclaim(slot);
    }
    return true;
  }

  private inTurn<T>(slot: Slot, op: () => Promise<T>): Promise<T> {
    const next = (slot.claims ?? Promise.resolve()).then(op, op);
    slot.claims = next.catch(() => undefined);
    return next;
  }
}
