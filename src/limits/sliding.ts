import type { HotState } from "../state/hot-state.js";

export interface Slid {
  ok: boolean;
  /** What is left in the window after this request (0 when refused). */
  remaining: number;
  /** Ms until the window has room again. */
  resetMs: number;
}

/**
 * A sliding-window counter: the current fixed window's count plus the previous window's, weighted by
 * how much of it still overlaps the last `windowMs`. Unlike fixed windows it admits no double burst at a
 * window's edge; the check-and-add on the current window is one atomic step of the hot state, so many
 * instances sharing Redis admit exactly `limit` between them.
 */
export async function slide(
  hot: HotState,
  key: string,
  amount: number,
  limit: number,
  windowMs: number,
  now: number,
): Promise<Slid> {
  const cur = Math.floor(now / windowMs);
  const into = now - cur * windowMs;
  const prev = await hot.count(`${key}:${cur - 1}`);
  const carried = Math.floor(prev * (1 - into / windowMs));
  const allowed = Math.max(0, limit - carried);
  const r = await hot.addWithin(`${key}:${cur}`, amount, allowed, windowMs * 2);
  const resetMs = r.ok ? windowMs - into : Math.max(1000, windowMs - into);
  return { ok: r.ok, remaining: Math.max(0, allowed - r.value), resetMs };
}
