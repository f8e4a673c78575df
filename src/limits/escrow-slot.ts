/**
 * What the budget escrow (budget-escrow.ts) keeps per window and hands out per request, and its timings.
 */
import type { BudgetWindowRef } from "./budget-book.js";

/** How long a lease stands unrenewed (ms); it is renewed every RENEW_MS, used up to MARGIN_MS before. */
export const LEASE_MS = 30_000;
export const RENEW_MS = 5_000;
export const MARGIN_MS = 5_000;
/**
 * How long past its lapse a lease still counts whole when neither its holder gives it back nor anyone replays
 * its journal (an outage of the database this long, or a dead instance whose journal no process reads).
 */
export const ORPHAN_MS = 60 * 60_000;
/** A slice without a request for this long is given back. */
export const IDLE_MS = 1_000;
export const TICK_MS = 1_000;
/** How long the first try at a slice may take, whatever the request's wait (the book hung: refused after it). */
export const FIRST_TRY_MS = 2000;
/** A waiting request asks the book again this often (a settlement here wakes it at once). */
export const RETRY_MS = 250;

export interface Slot {
  readonly w: BudgetWindowRef;
  limit: number;
  /** What this instance's lease holds, as far as it knows (the book's lease less the costs settled here). */
  granted: number;
  /** What its requests in flight hold. */
  held: number;
  /** What its requests in flight may cost beyond what they hold, at worst. */
  exposure: number;
  /** Requests in flight admitted without their worst case covered (at most one). */
  uncovered: number;
  inflight: number;
  /** Until when (local ms) the lease may be admitted against. */
  validUntil: number;
  lastUse: number;
  /** The window's spend as last known here (the ledger's, and what settled here since). */
  spent: number;
  /** Whether `spent` was ever read from the book (else it counts only what settled here). */
  spentKnown?: boolean;
  wake: Set<() => void>;
  leasing?: Promise<void> | undefined;
  /** A give-back that failed (the book away) is tried again from then on (local ms). */
  giveBackAt?: number;
  /**
   * The window's claim of its one uncovered request is kept after that request settled: it spent into the cover
   * of the requests still in flight here, and the book has not been told yet (escrow-claims.ts `settled`).
   */
  keptClaim?: boolean;
  /** That shortfall is being written to the book. */
  owing?: boolean;
  /** A release of the claim was sent and has not been answered yet, or failed (tried again at the next renewal). */
  releasing?: boolean;
  /** A claim of the window's one uncovered request is being asked for. */
  claiming?: boolean;
  /** Claims and their releases, one after the other (a release never overtakes the claim after it). */
  claims?: Promise<unknown> | undefined;
}

/** A request's hold in a window: what it holds, what it may cost at worst, whether that was covered. */
export interface Held {
  readonly slot: Slot;
  nanos: number;
  readonly worst: number;
  readonly uncovered: boolean;
}

/** A refusal's `spent` is the book's figure, undefined when the book was never read here (it did not answer). */
export type Taken =
  | { ok: true; held: Held; left: number }
  | { ok: false; spent: number | undefined; held: number; limit: number };

export interface EscrowOptions {
  /** How long a request that does not fit for others' holds waits for them (ms). */
  waitMs: number;
  /** How long a lease stands unrenewed (ms; LEASE_MS). */
  leaseMs?: number | undefined;
  now?: () => number;
}
