/**
 * The budget escrow of one instance: for each budget window it holds a lease (a slice of what is left, granted
 * by the book in one transaction: budget-book.ts) and admits requests against it without a round trip. Each
 * request holds the most it may cost; its settlement gives back what it did not spend (its real cost leaves
 * the lease for the ledger, with its row). When a request does not fit, the escrow asks for a slice again:
 * large far from the limit, shrinking near it down to the request's own hold, so the last dollars are
 * granted one request at a time by the database. A request that does not fit only because of holds of
 * requests in flight (here or on other instances) waits for them, up to `waitMs`; one the ledger's spend
 * alone leaves no room for is refused at once.
 *
 * Leases are renewed every few seconds and lapse when not; a slice idle for a second is given back. While
 * the book does not answer, requests are admitted within the slice already held, until the lease would
 * lapse, and refused beyond it.
 */
import type { BudgetBook, BudgetState, BudgetWindowRef } from "./budget-book.js";
import { UncoveredClaims, withDeadline } from "./escrow-claims.js";
import {
  type EscrowOptions,
  FIRST_TRY_MS,
  type Held,
  IDLE_MS,
  LEASE_MS,
  MARGIN_MS,
  ORPHAN_MS,
  RENEW_MS,
  RETRY_MS,
  type Slot,
  type Taken,
  TICK_MS,
} from "./escrow-slot.js";

export { type EscrowOptions, type Held, LEASE_MS, ORPHAN_MS, type Taken } from "./escrow-slot.js";

export class Escrow {
  readonly holder: string;
  /** Budget-share alerts already pushed from here (the hot state keeps them once across instances). */
  readonly alerted = new Set<string>();
  private readonly slots = new Map<string, Slot>();
  private timer: NodeJS.Timeout | undefined;
  private ticks = 0;

  private readonly leaseMs: number;
  private readonly marginMs: number;
  private readonly claims: UncoveredClaims;

  constructor(
    private readonly book: BudgetBook,
    private readonly opts: EscrowOptions,
  ) {
    this.holder = book.newHolder();
    this.leaseMs = opts.leaseMs ?? LEASE_MS;
    this.marginMs = Math.min(MARGIN_MS, this.leaseMs / 6);
    this.claims = new UncoveredClaims(book, this.holder, this.leaseMs, () => this.clock());
  }

  private readonly clock = (): number => Date.now();

  private slotOf(w: BudgetWindowRef, limit: number): Slot {
    const k = `${w.scope}\u0000${w.subject}\u0000${w.start}`;
    let s = this.slots.get(k);
    if (!s) {
      s = {
        w,
        limit,
        granted: 0,
        held: 0,
        exposure: 0,
        uncovered: 0,
        inflight: 0,
        validUntil: 0,
        lastUse: 0,
        spent: 0,
        wake: new Set(),
      };
      this.slots.set(k, s);
      this.start();
    }
    if (limit < s.limit) {
      // The budget was lowered (an admin's change): the slice granted under the old limit admits nothing more.
      // The next request asks the book again, which weighs the spend against the new limit (a key whose
      // spend is past it is refused at once, not when the slice lapses or is given back).
      s.validUntil = 0;
    }
    s.limit = limit;
    return s;
  }

  /**
   * Holds `need` nano-dollars in the window for a request that may cost `worst` at most: admitted when the
   * slice covers its hold and, with every request in flight here, their worst; or, when only its hold fits,
   * as the one request in flight whose worst is not covered (so what all of them spend stays within the
   * limit but for that one request's overshoot). Else a new slice is asked for, else it waits.
   */
  async take(w: BudgetWindowRef, limit: number, need: number, worst = need): Promise<Taken> {
    const slot = this.slotOf(w, limit);
    const deadline = this.clock() + this.opts.waitMs;
    worst = Math.max(worst, need);
    let known = { spent: 0, leased: 0, mine: 0 };
    let asked = false;
    for (;;) {
      const t = this.clock();
      const free = slot.validUntil > t ? slot.granted - slot.held : 0;
      const covered = free - need >= slot.exposure + (worst - need);
      // Uncovered, its hold only where the slice still covers the worst of every other request in flight here
      // (what it spends past its hold is then the window's one overshoot).
      const alone = !covered && asked && this.uncoveredFits(slot, need) && !slot.claiming;
      if (alone && !(await this.claims.claim(slot, deadline))) {
        // Another instance has the window's one request whose worst is not covered: wait for it.
      } else if (covered || (alone && this.uncoveredFits(slot, need))) {
        const t = this.clock();
        slot.held += need;
        slot.exposure += worst - need;
        if (!covered) slot.uncovered++;
        slot.inflight++;
        slot.lastUse = t;
        return {
          ok: true,
          held: { slot, nanos: need, worst, uncovered: !covered },
          left: Math.max(0, limit - slot.spent - (slot.held - need)),
        };
      }
      // A claim taken for this request that it could not be admitted under is let go.
      if (alone && slot.uncovered === 0) this.claims.unclaim(slot);
      if (need > limit) {
        // Refused whatever was spent; the refusal names the book's spend, which this instance may never have
        // read (restarted, or the budget lowered before this window's first lease here).
        await withDeadline(this.read(slot), this.clock() + FIRST_TRY_MS, this.clock).catch(() => undefined);
        return { ok: false, spent: slot.spentKnown ? slot.spent : undefined, held: slot.held, limit };
      }
      let verdict: "again" | "full" | "busy" = "busy";
      try {
        // The first try is given its time even when the request may not wait (waitMs 0).
        const r = await withDeadline(
          this.lease(slot, need, worst),
          asked ? deadline : Math.max(deadline, this.clock() + FIRST_TRY_MS),
          this.clock,
        );
        if (r) {
          known = r.state;
          verdict = r.verdict;
        }
      } catch {
        // The book does not answer: only the slice already held admits.
      }
      if (!asked) {
        asked = true;
        if (verdict !== "full") continue;
      }
      if (verdict === "again") continue;
      if (verdict === "full" || this.clock() >= deadline)
        return {
          ok: false,
          spent: slot.spentKnown ? slot.spent : undefined,
          // What requests in flight hold: the other holders' leases (what part of them is unused is theirs to
          // know) and this one's holds, not the part of its slice that no request here holds.
          held: Math.max(0, known.leased - known.mine + slot.held),
          limit,
        };
      await this.pause(slot, Math.min(RETRY_MS, deadline - this.clock()));
    }
  }

  /**
   * One try at a slice that covers a request's hold and the worst of every request in flight here, else at
   * least its hold (one try at a time per window: the others wait for its answer).
   */
  private async lease(
    slot: Slot,
    need: number,
    worst: number,
    growth = false,
  ): Promise<{ verdict: "again" | "full" | "busy"; state: { spent: number; leased: number; mine: number } }> {
    while (slot.leasing) await slot.leasing;
    const out: { verdict: "again" | "full" | "busy"; state: { spent: number; leased: number; mine: number } } = {
      verdict: "busy",
      state: { spent: 0, leased: 0, mine: 0 },
    };
    const work = (async () => {
      const t = this.clock();
      const lapsed = slot.validUntil <= t;
      const have = lapsed ? 0 : slot.granted - slot.held;
      if (have - need >= slot.exposure + (worst - need)) {
        out.verdict = "again";
        return;
      }
      const st = await this.read(slot, t);
      out.state = st;
      if (slot.spent + need > slot.limit) {
        out.verdict = "full";
        return;
      }
      // A lapsed lease is granted anew: its unused part (admitted against no more since it lapsed here) is
      // dropped, what its requests in flight hold and what settled here unwritten stay in it, the slice is
      // added. Relative, like the rows written meanwhile: the book's lease stays this one's plus the unwritten.
      const drop = lapsed ? Math.max(0, slot.granted - slot.held) : 0;
      const base = slot.granted - drop;
      const cover = slot.held + slot.exposure + worst - base;
      // At least the request's hold beside the worst of those in flight (to go uncovered, see `uncoveredFits`);
      // an answer's growth, only itself (it takes its own cover: `extend`).
      const fit = slot.held + (growth ? 0 : slot.exposure) + need - base;
      const free = slot.limit - st.spent - st.leased + Math.max(0, Math.min(drop, st.mine));
      const want = Math.max(cover, Math.min(Math.floor(free / 4), cover + worst * 32));
      const tries = [...new Set([want, cover, fit].filter((n) => n > 0 && n <= free))].sort((a, b) => b - a);
      const sent = this.clock();
      // What is in flight here, with the request this slice is for (a lapsed lease counts that much).
      const terms = {
        expiresAt: sent + this.leaseMs,
        orphanUntil: sent + this.leaseMs + ORPHAN_MS,
        held: slot.held + need,
      };
      for (const n of tries) {
        if (await this.book.grant(slot.w, this.holder, n, slot.limit, sent, terms, drop)) {
          // Relative: requests settled here while the book answered have taken their cost off meanwhile.
          slot.granted = slot.granted - drop + n;
          slot.validUntil = sent + this.leaseMs - this.marginMs;
          out.verdict = "again";
          return;
        }
      }
    })();
    slot.leasing = work.then(
      () => undefined,
      () => undefined,
    );
    try {
      await work;
    } finally {
      slot.leasing = undefined;
    }
    return out;
  }

  /**
   * Whether the slice, still standing, takes an uncovered request's hold beside the worst of every request in
   * flight here, none of them uncovered.
   */
  private uncoveredFits(slot: Slot, need: number): boolean {
    return slot.validUntil > this.clock() && slot.uncovered === 0 && slot.granted - slot.held - need >= slot.exposure;
  }

  /** Reads the window's spend from the book into the slot. */
  private async read(slot: Slot, t = this.clock()): Promise<BudgetState> {
    const st = await this.book.state(slot.w, this.holder, t);
    // Costs settled here whose ledger rows are not written yet are still in this lease, not in the spend.
    slot.spent = st.spent + Math.max(0, st.mine - slot.granted);
    slot.spentKnown = true;
    return st;
  }

  private pause(slot: Slot, ms: number): Promise<void> {
    if (ms <= 0) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(t);
        slot.wake.delete(done);
        resolve();
      };
      const t = setTimeout(done, ms);
      slot.wake.add(done);
    });
  }

  /** Takes `amount` more for a request already admitted (its answer grew past its hold), from the slice held. */
  extend(h: Held, amount: number): boolean {
    const s = h.slot;
    if (s.validUntil <= this.clock() || s.granted - s.held < amount) return false;
    s.held += amount;
    h.nanos += amount;
    s.exposure -= Math.min(amount, Math.max(0, h.worst - (h.nanos - amount)));
    return true;
  }

  /**
   * `extend`, asking the book for a slice when the one held cannot cover it (a streamed answer that grew
   * past its hold); false when neither can.
   */
  async grow(h: Held, amount: number): Promise<boolean> {
    if (this.extend(h, amount)) return true;
    try {
      const r = await withDeadline(
        this.lease(h.slot, amount, amount, true),
        this.clock() + this.opts.waitMs,
        this.clock,
      );
      if (r?.verdict !== "again") return false;
    } catch {
      return false;
    }
    return this.extend(h, amount);
  }

  /** Gives back `amount` an `extend` took. */
  shrink(h: Held, amount: number): void {
    h.slot.held -= amount;
    h.nanos -= amount;
    h.slot.exposure += Math.min(amount, Math.max(0, h.worst - h.nanos));
  }

  /** Settles a request's hold: its cost leaves the lease (for the ledger); what it did not spend is free again. */
  settle(h: Held, cost: number, ledgered: boolean): void {
    const s = h.slot;
    s.held -= h.nanos;
    s.exposure -= Math.max(0, h.worst - h.nanos);
    s.inflight--;
    s.granted -= cost;
    s.spent += cost;
    s.lastUse = this.clock();
    if (h.uncovered) s.uncovered--;
    this.claims.settled(s, h.uncovered);
    this.book.settled(s.w, this.holder, cost, ledgered);
    for (const wake of [...s.wake]) wake();
  }

  /** Gives a hold back whole (the request never went upstream). */
  undo(h: Held): void {
    this.settle(h, 0, false);
  }

  private start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.tick(), TICK_MS);
    this.timer.unref();
  }

  /** Gives idle slices back, renews the leases held, forgets windows that ended. */
  async tick(): Promise<void> {
    const t = this.clock();
    this.ticks++;
    for (const [k, s] of this.slots) {
      if (s.inflight > 0 || s.leasing) continue;
      if (s.granted > 0 && t - s.lastUse >= IDLE_MS && t >= (s.giveBackAt ?? 0)) {
        const n = s.granted;
        s.granted = 0;
        s.validUntil = 0;
        await this.book.giveBack(s.w, this.holder, n, s.held).catch(() => {
          // Not given back now (the book away): still this lease's, given back at a later tick (relative:
          // what settled meanwhile has left it), tried again after a renewal period rather than at each tick.
          // It admits nothing until granted again.
          s.granted += n;
          s.giveBackAt = this.clock() + RENEW_MS;
        });
      }
      if (s.granted <= 0 && s.w.end <= t) this.slots.delete(k);
    }
    if (this.ticks % Math.round(RENEW_MS / TICK_MS) !== 0) return;
    const sent = this.clock();
    // Claims of uncovered requests in flight are renewed, and one kept for an overshoot not yet owed to the book
    // is tried again (escrow-claims.ts), whether or not the slice still stands, beside the leases' renewal.
    await Promise.all([
      ...[...this.slots.values()].map((s) => this.claims.maintain(s, sent)),
      this.renewLeases(t, sent),
    ]);
  }

  private async renewLeases(t: number, sent: number): Promise<void> {
    const live = [...this.slots.values()].filter((s) => s.validUntil > t && (s.granted > 0 || s.held > 0));
    if (live.length === 0) return;
    try {
      const stood = await this.book.renew(
        this.holder,
        live.map((s) => ({ w: s.w, held: s.held })),
        sent,
        { expiresAt: sent + this.leaseMs, orphanUntil: sent + this.leaseMs + ORPHAN_MS },
      );
      live.forEach((s, i) => {
        if (stood[i]) s.validUntil = Math.max(s.validUntil, sent + this.leaseMs - this.marginMs);
        else s.validUntil = 0;
      });
    } catch {
      // Renewed at the next tick; past the margin, the slices stop admitting.
    }
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
