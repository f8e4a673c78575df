import { spentSince } from "../data/spend-queries.js";
import type { Quota } from "../identity/principal.js";
import { hotKeys } from "../state/keys.js";
import type { LimitsDeps } from "./deps.js";

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
