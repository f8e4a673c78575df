/**
 * The claim of a budget window's one uncovered request (budget-escrow.ts): the request admitted with only its
 * hold when no slice can cover its worst, one at a time in the window across instances (the database's window
 * row keeps who has it: budget-leases.ts claimUncovered). Claims and their releases on a window run one after
 * the other, so a release never overtakes the claim after it.
 */
import type { BudgetBook } from "./budget-book.js";
import { FIRST_TRY_MS, ORPHAN_MS, type Slot } from "./escrow-slot.js";

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

  /** Claims it from `t` for a lease's time (a claim held is renewed so). */
  renew(slot: Slot, t: number): Promise<boolean> {
    return this.inTurn(slot, () => this.book.claim(slot.w, this.holder, t, t + this.leaseMs, slot.limit));
  }

  /** Whether the claim is still needed: an uncovered request in flight, or the cover it spent not restored. */
  needed(slot: Slot): boolean {
    return slot.uncovered > 0 || deficit(slot) > 0;
  }

  unclaim(slot: Slot): void {
    // Not let go of: it lapses.
    this.inTurn(slot, () => this.book.unclaim(slot.w, this.holder)).catch(() => undefined);
  }

  /**
   * The window's uncovered request settled. When it spent into the cover of the requests still in flight here,
   * letting go of the claim would let another instance admit an uncovered request against a slice granted
   * before this spend was known: a second overshoot. So the claim is kept (renewed while the deficit lasts)
   * unless the book grants the deficit now, within the limit.
   */
  settled(slot: Slot): void {
    const d = deficit(slot);
    if (d === 0) this.release(slot);
    else void this.cover(slot, d);
  }

  /** Lets go of the claim once the slice covers every request in flight here again (else keeps it). */
  release(slot: Slot): void {
    if (this.needed(slot)) {
      slot.keptClaim = true;
      return;
    }
    slot.keptClaim = false;
    this.unclaim(slot);
  }

  private async cover(slot: Slot, d: number): Promise<void> {
    const t = this.clock();
    slot.keptClaim = true;
    if (slot.validUntil <= t) return;
    try {
      const terms = { expiresAt: t + this.leaseMs, orphanUntil: t + this.leaseMs + ORPHAN_MS, held: slot.held };
      if (!(await this.book.grant(slot.w, this.holder, d, slot.limit, t, terms, 0))) return;
      // Relative: what settled here meanwhile has taken its cost off on its own.
      slot.granted += d;
    } catch {
      return;
    }
    this.release(slot);
  }

  private inTurn<T>(slot: Slot, op: () => Promise<T>): Promise<T> {
    const next = (slot.claims ?? Promise.resolve()).then(op, op);
    slot.claims = next.catch(() => undefined);
    return next;
  }
}
