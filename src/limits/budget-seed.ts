import { spentSince } from "../data/spend-queries.js";
import type { Quota } from "../identity/principal.js";
import { hotKeys } from "../state/keys.js";
import type { LimitsDeps } from "./deps.js";

/** A window without a reservation for this long has no request in flight that is still alive. */
export const HOLD_MS = 15 * 60_000;

/**
 * Gives back reservations nobody holds any more: once no reservation was made in a window for `holdMs`
 * (its `held` mark expired), every request admitted in it has settled, or died with its process; the
 * counter should then be what the ledger holds, and anything above it was reserved by requests that never
 * settled (a crash) and is taken off (only ever lowered, by a relative step, so a reservation made
 * meanwhile is kept).
 */
export async function reconcileBudget(
  deps: Pick<LimitsDeps, "hot" | "data">,
  q: Quota,
  key: string,
  windowStart: number,
): Promise<void> {
  const held = async () => (await deps.hot.get(hotKeys.budgetHeld(key))) !== undefined;
  if (!deps.data || (await held())) return;
  if ((await deps.hot.get(unseededKey(key))) !== undefined) return;
  const counted = await deps.hot.count(key);
  const ledger = await spentSince(deps.data, q.scope, q.id, windowStart);
  // A reservation marks the window before it adds to the counter: one that `counted` includes is seen here.
  if (counted > ledger && !(await held())) await deps.hot.adjust(key, ledger - counted);
}

/** A window's counter that started without the ledger's spend (the database did not answer): since when. */
const unseededKey = hotKeys.unseeded;

/**
 * Makes sure a budget window's counter exists, starting from what the ledger already holds for the window.
 *
 * When the database does not answer (a restart of the memory state, or a Redis that lost its keys, while
 * PostgreSQL is away), the counter starts from 0 so that known keys keep working, and the moment is kept
 * beside it. Once the database answers again, the spend the ledger holds from before that moment is added
 * to the counter, once (one instance takes the repair). Requests in flight at that moment may be counted
 * twice: the counter errs toward refusing early, never toward letting a budget be overspent for a window.
 */
export async function seedBudget(
  deps: Pick<LimitsDeps, "hot" | "data">,
  q: Quota,
  key: string,
  windowStart: number,
  now: number,
  ttl: number | undefined,
): Promise<void> {
  if ((await deps.hot.get(key)) === undefined) {
    let seed = 0;
    let provisional = false;
    if (deps.data)
      try {
        seed = await spentSince(deps.data, q.scope, q.id, windowStart);
      } catch {
        provisional = true;
      }
    if ((await deps.hot.setIfAbsent(key, String(seed), ttl)) && provisional)
      await deps.hot.set(unseededKey(key), String(now), ttl);
    return;
  }
  const since = await deps.hot.get(unseededKey(key));
  if (since === undefined || !deps.data) return;
  const lock = hotKeys.reseeding(key);
  if (!(await deps.hot.setIfAbsent(lock, "1", 60_000))) return;
  try {
    const before = await spentSince(deps.data, q.scope, q.id, windowStart, Number(since));
    if (before > 0) await deps.hot.incr(key, before, ttl);
    await deps.hot.del(unseededKey(key));
  } catch {
    // Still away: asked again at a later admission.
  } finally {
    await deps.hot.del(lock);
  }
}
