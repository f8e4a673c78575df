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
 * A lease counts whole (`nanos`: what was granted less the costs of the rows written under it) until
 * `orphan_until`, whether or not it was renewed: past its lapse (`expires_at`) its holder admits no more, but
 * what it settled and has not written yet (rows in its journal or spool while the database was away) and
 * what its requests in flight hold are still in it. Only its holder, which knows what part is unused, gives
 * that part back (`returnLease`, or a grant that drops it), or the process that replays a dead holder's
 * journal releases it once its rows are written (`releaseLeasesOf`); failing both, it counts nothing after
 * `orphan_until`. So the spend nobody has written yet is never granted again, whatever order the holder's
 * spool and its next grant reach the database in: both take relative amounts off the lease.
 */
import { randomUUID } from "node:crypto";
import type { Data } from "./data.js";
import { type Compilable, type Kysely, type RawBuilder, sql } from "./kysely.js";
import type { Database } from "./schema.js";
import type { SpendScope } from "./spend-queries.js";
import { OPEN_END, spendSource } from "./spend-source.js";
import { PROCESS_OWNER } from "./spooled-writer.js";

/** The lease holders made in this process for each data layer (released when its writer closes clean). */
const holdersOf = new WeakMap<Data, Set<string>>();

/**
 * A new lease holder's name: this process as its journal files name it, so that whoever replays the journal
 * of a process that is gone can release its leases (`releaseLeasesOf`), and one escrow in it.
 */
export function newLeaseHolder(data?: Data): string {
  const holder = `${PROCESS_OWNER}~${randomUUID()}`;
  if (data) {
    const set = holdersOf.get(data) ?? new Set<string>();
    holdersOf.set(data, set.add(holder));
  }
  return holder;
}

/**
 * This process's leases on `data`, released when it stops with every row of its written (its writer closed
 * with nothing left in its journal or spool): what is left in them is what it never used. A process that
 * stops otherwise leaves them to whoever replays its journal.
 */
export async function releaseOwnLeases(data: Data): Promise<void> {
  const set = holdersOf.get(data);
  if (!set || set.size === 0) return;
  await releaseLeasesOf(data, [...set]);
  set.clear();
}

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

const DAY_MS = 86_400_000;

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

/** What a lease counts at `now`: whole until it is orphaned no more (lapsed or not), then nothing. */
const counted = (now: number) => sql`case when orphan_until > ${now} then nanos else 0 end`;

const inWindow = (w: BudgetWindowRef) =>
  sql<boolean>`scope = ${w.scope} and subject = ${w.subject} and window_start = ${w.start}`;

/**
 * What every lease of the window counts at `now` (never below nothing each), `holder`'s own whole (however
 * long it lapsed: it is that holder's to give back, and its rows not written yet are in it).
 */
function leasedExpr(w: BudgetWindowRef, now: number, holder: string, others = false): RawBuilder<number> {
  const mine = others ? sql`0` : sql`nanos`;
  return sql<number>`(select coalesce(sum(case when c > 0 then c else 0 end), 0) from (select
(case when holder = ${holder} then ${mine} else ${counted(now)} end) as c from budget_leases where ${inWindow(w)}) as l)`;
}

/** What `holder`'s lease on the window holds (granted, less the costs of the rows written under it). */
const mineExpr = (w: BudgetWindowRef, holder: string) =>
  sql<number>`(select coalesce(sum(nanos), 0) from budget_leases where ${inWindow(w)} and holder = ${holder})`;

/** The window's spend, what its leases count and this holder's lease (whole), in one read. */
export async function budgetState(data: Data, w: BudgetWindowRef, holder: string, now: number): Promise<BudgetState> {
  const db = await data.db();
  const { rows } = await sql<{ spent: unknown; leased: unknown; mine: unknown }>`select ${spentExpr(w)} as spent,
  ${leasedExpr(w, now, holder)} as leased, ${mineExpr(w, holder)} as mine`.execute(db);
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
 * Adds `n` nano-dollars to `holder`'s lease on the window, less `drop` (the part of a lapsed lease its holder
 * left unused and gives back), if the ledger's spend, what the other leases count and this lease after it fit
 * within `limit`, in one transaction under the window's lock; true when granted. Both are relative: costs of
 * rows written meanwhile (its spool) leave the lease on their own, before or after.
 */
export async function grantLease(
  data: Data,
  w: BudgetWindowRef,
  holder: string,
  n: number,
  limit: number,
  now: number,
  terms: LeaseTerms,
  drop = 0,
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
        sql`delete from budget_leases where ${inWindow(w)} and orphan_until < ${now - DAY_MS} and holder <> ${holder}`,
      ),
    },
    {
      query: bound(
        db,
        sql`insert into budget_leases (scope, subject, window_start, window_end, holder, nanos, held, expires_at, orphan_until)
select ${w.scope}, ${w.subject}, ${w.start}, ${endOf(w)}, ${holder}, ${n}, ${terms.held}, ${terms.expiresAt}, ${terms.orphanUntil}
where ${spentExpr(w)} + ${leasedExpr(w, now, holder, true)}
  + (case when ${mineExpr(w, holder)} - ${drop} > 0 then ${mineExpr(w, holder)} - ${drop} else 0 end) + ${n} <= ${limit}
on conflict (scope, subject, window_start, holder) do update set nanos = budget_leases.nanos - ${drop} + excluded.nanos,
  held = excluded.held, expires_at = excluded.expires_at, orphan_until = excluded.orphan_until`,
      ),
    },
  ]);
  return changes[2] === 1;
}

/**
 * Claims the window's one request in flight whose worst case its lease does not cover (so what a budget
 * spends stays within its limit but for one request's overshoot, across instances), until `until`; true
 * when this holder has it. A new uncovered request is claimed for only while the ledger's spend and what every
 * lease counts (each at least nothing) fit `limit`: an uncovered request that spent past what its lease had
 * left has used the window's one overshoot (its holder owes it to its lease: `oweLease`), and none is admitted
 * on it. A claim that lapsed is taken over only once its holder has no lease counting in the window (it may be
 * cut from the database with what it owes unwritten; its journal's replay releases it: `releaseLeasesOf`).
 * `renewal`: the holder keeps the claim it has (its uncovered request still in flight), whatever the spend.
 */
export async function claimUncovered(
  data: Data,
  w: BudgetWindowRef,
  holder: string,
  now: number,
  until: number,
  limit: number,
  renewal = false,
): Promise<boolean> {
  const db = await data.db();
  const fits = sql`${spentExpr(w)} + ${leasedExpr(w, now, holder)} <= ${limit}`;
  const kept = renewal ? sql`budget_windows.uncovered_holder = excluded.uncovered_holder` : sql`1 = 0`;
  const changes = await data.write([
    {
      query: bound(
        db,
        sql`insert into budget_windows (scope, subject, window_start, touched, uncovered_holder, uncovered_until)
select ${w.scope}, ${w.subject}, ${w.start}, ${now}, ${holder}, ${until} where ${renewal ? sql`1 = 1` : fits}
on conflict (scope, subject, window_start) do update set uncovered_holder = excluded.uncovered_holder,
  uncovered_until = excluded.uncovered_until
where ${kept}
  or ((budget_windows.uncovered_holder is null or budget_windows.uncovered_holder = excluded.uncovered_holder
      or (budget_windows.uncovered_until < ${now} and not exists (select 1 from budget_leases l
        where l.scope = budget_windows.scope and l.subject = budget_windows.subject
          and l.window_start = budget_windows.window_start and l.holder = budget_windows.uncovered_holder
          and l.orphan_until > ${now})))
    and ${fits})`,
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
 * requests in flight hold now (`held`, for the record).
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
 * Adds `n` nano-dollars to the holder's lease without weighing the limit: what the window's uncovered request
 * spent past its hold came out of the cover of the requests in flight beside it, and is owed to them. The window
 * may then count more than its limit (by at most that one request's overshoot): no slice is granted and no other
 * uncovered request claimed until its requests settle and the lease's unused part is given back.
 */
export async function oweLease(data: Data, w: BudgetWindowRef, holder: string, n: number): Promise<void> {
  if (n <= 0) return;
  const db = await data.db();
  const changes = await data.write([
    {
      query: bound(db, sql`update budget_leases set nanos = nanos + ${n} where ${inWindow(w)} and holder = ${holder}`),
    },
  ]);
  // No lease of this holder's to owe it to (released as a dead holder's): not written, said so.
  if (changes[0] !== 1) throw new Error(`no lease of ${holder} in the window to owe ${n} to`);
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
    { query: bound(db, sql`delete from budget_leases where orphan_until < ${now - DAY_MS}`) },
  ]);
  return leases.map((_, i) => changes[i] === 1);
}

/**
 * A settled request's cost that no ledger row carries (a configuration file's key under a user or tag
 * budget): it leaves the holder's lease for the window's `unledgered` spend, in one transaction. The window's
 * row is locked first, as `grantLease` does: the other way round, a grant at the same moment on PostgreSQL
 * was a deadlock, and the settle it aborted left the cost out of the window's spend.
 */
export async function settleUnledgered(data: Data, w: BudgetWindowRef, holder: string, cost: number): Promise<void> {
  if (cost <= 0) return;
  const db = await data.db();
  await data.write([
    {
      query: bound(db, sql`update budget_windows set unledgered = unledgered + ${cost} where ${inWindow(w)}`),
    },
    {
      query: bound(
        db,
        sql`update budget_leases set nanos = nanos - ${cost} where ${inWindow(w)} and holder = ${holder}`,
      ),
    },
  ]);
}

/**
 * The leases of holders whose process is gone and whose journal and spool were written (a sibling or a
 * restarted process replayed them: their rows took their costs off these leases): what is left in them is
 * what they never used, given back, and a request of theirs that the window let go uncovered is let go.
 * `owners` are processes as journal files name them (`pid-nonce`), whose escrows' holders are `owner~…`, or
 * holders themselves.
 */
export async function releaseLeasesOf(data: Data, owners: readonly string[]): Promise<void> {
  if (owners.length === 0) return;
  const db = await data.db();
  await data.write(
    owners.flatMap((o) => [
      { query: bound(db, sql`delete from budget_leases where holder = ${o} or holder like ${`${o}~%`}`) },
      {
        query: bound(
          db,
          sql`update budget_windows set uncovered_holder = null, uncovered_until = 0
where uncovered_holder = ${o} or uncovered_holder like ${`${o}~%`}`,
        ),
      },
    ]),
  );
}
