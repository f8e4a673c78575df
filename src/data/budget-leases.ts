/**
 * Budgets kept by the database, by escrow (090_budget_leases): a budget window's spend is its ledger rows
 * (read through the spend rollup, spend-source.ts), and each instance holds a lease, a slice of what is left,
 * that it admits requests against without asking again. A grant takes the window's lock row and adds to a
 * lease only when the ledger's spend plus every live lease plus the slice fit the limit, in one transaction:
 * two grants in a window are decided one after the other, on either engine. Each ledger row names the lease
 * it was admitted under (`lease_holder`, `lease_at`); its insert takes its cost off that lease in the same
 * transaction, so a settled request's cost moves from the lease to the ledger and is counted once, and a row
 * replayed from a journal (already there) takes nothing off twice.
 *
 * A lease counts whole while it is renewed (`expires_at`); past that, what its requests in flight held at its
 * last renewal still counts until `orphan_until` (a dead instance's requests, billed when its journal is
 * replayed), then nothing.
 */
import { type Compilable, type Kysely, type RawBuilder, sql } from "kysely";
import type { Data } from "./data.js";
import type { Database } from "./schema.js";
import type { SpendScope } from "./spend-queries.js";
import { OPEN_END, spendSource } from "./spend-source.js";

/** One budget window: whose (a key, team, user label or tag) and from when to when (Unix ms). */
export interface BudgetWindowRef {
  readonly scope: SpendScope;
  readonly subject: string;
  readonly start: number;
  /** The window's end (a `total` budget never ends: stored as the largest time). */
  readonly end: number;
}

/** Where a window's state stands: its ledger spend, what every live lease counts, and this holder's lease. */
export interface BudgetState {
  spent: number;
  leased: number;
  mine: number;
}

const endOf = (w: BudgetWindowRef) => (Number.isFinite(w.end) ? w.end : OPEN_END);

function whereOf(w: BudgetWindowRef): RawBuilder<boolean> {
  if (w.scope === "tag") return sql<boolean>`tags like ${`%,${w.subject},%`}`;
  const column = { key: "key_id", team: "team_id", user: "user_label" }[w.scope];
  return sql<boolean>`${sql.ref(column)} = ${w.subject}`;
}

/** The window's ledger spend, in nano-dollars (the rollup's whole hours, the rows at its part hours). */
function spentExpr(w: BudgetWindowRef): RawBuilder<number> {
  return sql<number>`((select coalesce(sum(cost_nanos), 0) from (${spendSource(w.start, OPEN_END, [whereOf(w)])}) as u)
  + (select coalesce(max(unledgered), 0) from budget_windows where ${inWindow(w)}))`;
}

/** What a lease counts at `now`: whole while renewed, what was in flight while orphaned, else nothing. */
const counted = (now: number) =>
  sql`case when expires_at > ${now} then nanos when orphan_until > ${now} then (case when nanos < held then nanos else held end) else 0 end`;

const inWindow = (w: BudgetWindowRef) =>
  sql<boolean>`scope = ${w.scope} and subject = ${w.subject} and window_start = ${w.start}`;

/** What every lease of the window counts at `now` (never below nothing each). */
function leasedExpr(w: BudgetWindowRef, now: number): RawBuilder<number> {
  return sql<number>`(select coalesce(sum(case when c > 0 then c else 0 end), 0) from (select ${counted(now)} as c
from budget_leases where ${inWindow(w)}) as l)`;
}

/** The window's spend, its live leases and this holder's lease (as it counts now), in one read. */
export async function budgetState(data: Data, w: BudgetWindowRef, holder: string, now: number): Promise<BudgetState> {
  const db = await data.db();
  const { rows } = await sql<{ spent: unknown; leased: unknown; mine: unknown }>`select ${spentExpr(w)} as spent,
  ${leasedExpr(w, now)} as leased,
  (select coalesce(sum(${counted(now)}), 0) from budget_leases where ${inWindow(w)} and holder = ${holder}) as mine`.execute(
    db,
  );
  const r = rows[0];
  return { spent: Number(r?.spent ?? 0), leased: Number(r?.leased ?? 0), mine: Number(r?.mine ?? 0) };
}

export interface LeaseTerms {
  /** Until when (Unix ms) the lease stands unless renewed. */
  expiresAt: number;
  /** Until when, past that, what its requests in flight hold still counts. */
  orphanUntil: number;
  /** What this holder's requests in flight hold now. */
  held: number;
}

const bound = (db: Kysely<Database>, q: RawBuilder<unknown>): Compilable => ({ compile: () => q.compile(db) });

/**
 * Adds `n` nano-dollars to `holder`'s lease on the window if the ledger's spend, every live lease and `n` fit
 * within `limit`, in one transaction under the window's lock; true when granted. A lease of this holder that
 * has lapsed counts, and is kept, as what it had in flight.
 */
export async function grantLease(
  data: Data,
  w: BudgetWindowRef,
  holder: string,
  n: number,
  limit: number,
  now: number,
  terms: LeaseTerms,
): Promise<boolean> {
  const db = await data.db();
  const changes = await data.write([
    {
      query: bound(
        db,
        sql`insert into budget_windows (scope, subject, window_start, touched) values (${w.scope}, ${w.subject}, ${w.start}, ${now})
on conflict (scope, subject, window_start) do update set touched = excluded.touched`,
      ),
    },
    {
      query: bound(
        db,
        sql`delete from budget_leases where ${inWindow(w)} and orphan_until < ${now} and holder <> ${holder}`,
      ),
    },
    {
      query: bound(
        db,
        sql`insert into budget_leases (scope, subject, window_start, window_end, holder, nanos, held, expires_at, orphan_until)
select ${w.scope}, ${w.subject}, ${w.start}, ${endOf(w)}, ${holder}, ${n}, ${terms.held}, ${terms.expiresAt}, ${terms.orphanUntil}
where ${spentExpr(w)} + ${leasedExpr(w, now)} + ${n} <= ${limit}
on conflict (scope, subject, window_start, holder) do update set
  nanos = (case when budget_leases.expires_at > ${now} then budget_leases.nanos
    when budget_leases.orphan_until > ${now} then (case when budget_leases.nanos < budget_leases.held then budget_leases.nanos else budget_leases.held end)
    else 0 end) + excluded.nanos,
  held = excluded.held, expires_at = excluded.expires_at, orphan_until = excluded.orphan_until`,
      ),
    },
  ]);
  return changes[2] === 1;
}

/**
 * Claims the window's one request in flight whose worst case its lease does not cover (so what a budget
 * spends stays within its limit but for one request's overshoot, across instances), until `until`; true
 * when this holder has it (it may already).
 */
export async function claimUncovered(
  data: Data,
  w: BudgetWindowRef,
  holder: string,
  now: number,
  until: number,
): Promise<boolean> {
  const db = await data.db();
  const changes = await data.write([
    {
      query: bound(
        db,
        sql`insert into budget_windows (scope, subject, window_start, touched, uncovered_holder, uncovered_until)
values (${w.scope}, ${w.subject}, ${w.start}, ${now}, ${holder}, ${until})
on conflict (scope, subject, window_start) do update set uncovered_holder = excluded.uncovered_holder,
  uncovered_until = excluded.uncovered_until
where budget_windows.uncovered_holder is null or budget_windows.uncovered_holder = excluded.uncovered_holder
  or budget_windows.uncovered_until < ${now}`,
      ),
    },
  ]);
  return changes[0] === 1;
}

/** Lets go of the window's uncovered request (its request settled). */
export async function unclaimUncovered(data: Data, w: BudgetWindowRef, holder: string): Promise<void> {
  const db = await data.db();
  await data.write([
    {
      query: bound(
        db,
        sql`update budget_windows set uncovered_holder = null, uncovered_until = 0 where ${inWindow(w)} and uncovered_holder = ${holder}`,
      ),
    },
  ]);
}

/**
 * Gives `n` nano-dollars of the holder's lease back (what it leased and will not use), and says what its
 * requests in flight hold now (`held`: a lease that lapsed counts that much until it is orphaned no more).
 */
export async function returnLease(
  data: Data,
  w: BudgetWindowRef,
  holder: string,
  n: number,
  held: number,
): Promise<void> {
  if (n <= 0) return;
  const db = await data.db();
  await data.write([
    {
      query: bound(
        db,
        sql`update budget_leases set nanos = nanos - ${n}, held = ${held} where ${inWindow(w)} and holder = ${holder}`,
      ),
    },
  ]);
}

/**
 * Renews the holder's leases (those still standing: one that lapsed is granted again, never renewed), with
 * what each one's requests in flight hold; which of them stood. Leases orphaned for long are deleted.
 */
export async function renewLeases(
  data: Data,
  holder: string,
  leases: readonly { w: BudgetWindowRef; held: number }[],
  now: number,
  terms: Omit<LeaseTerms, "held">,
): Promise<boolean[]> {
  const db = await data.db();
  const changes = await data.write([
    ...leases.map((l) => ({
      query: bound(
        db,
        sql`update budget_leases set expires_at = ${terms.expiresAt}, orphan_until = ${terms.orphanUntil}, held = ${l.held}
where ${inWindow(l.w)} and holder = ${holder} and expires_at > ${now}`,
      ),
    })),
    { query: bound(db, sql`delete from budget_leases where orphan_until < ${now - 86_400_000}`) },
  ]);
  return leases.map((_, i) => changes[i] === 1);
}

/**
 * A settled request's cost that no ledger row carries (a configuration file's key under a user or tag
 * budget): it leaves the holder's lease for the window's `unledgered` spend, in one transaction.
 */
export async function settleUnledgered(data: Data, w: BudgetWindowRef, holder: string, cost: number): Promise<void> {
  if (cost <= 0) return;
  const db = await data.db();
  await data.write([
    {
      query: bound(
        db,
        sql`update budget_leases set nanos = nanos - ${cost} where ${inWindow(w)} and holder = ${holder}`,
      ),
    },
    {
      query: bound(db, sql`update budget_windows set unledgered = unledgered + ${cost} where ${inWindow(w)}`),
    },
  ]);
}
