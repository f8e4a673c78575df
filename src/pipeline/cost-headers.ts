import type { Billing } from "../billing/billing.js";
import type { Answer } from "../request/answer.js";
import type { Plan } from "../request/plan.js";
import type { HotState } from "../state/hot-state.js";
import { hotKeys } from "../state/keys.js";
import { SharedReads } from "../state/shared-reads.js";

/**
 * The developer's running cost, in the answer's headers:
 *
 * - `llmux-session-cost-usd`: what the request's coding session has cost so far;
 * - `llmux-budget-remaining-usd`: what is left of the tightest budget that applies (key, team, user);
 * - `llmux-cost-usd`: this request's cost.
 *
 * Headers leave before a stream's body, and a stream's cost is known only at its end (llmux sends no
 * trailers: few clients read them). So a streamed answer carries the session's cost and the budget left
 * *before* this request, and no `llmux-cost-usd`; a whole (non-streamed) answer carries its own cost, and
 * the session's cost and the budget left *after* it. The session's cost is a hot-state counter (shared by
 * instances on Redis) that the settle stage adds each request's cost to.
 */

/** How long a session's running cost is kept after its first request. */
export const SESSION_COST_TTL_MS = 7 * 86_400_000;

const usd = (nanos: number) => (Math.max(0, nanos) / 1e9).toFixed(6);

/** What is known as the answer starts: the session's cost so far and the budget left before this request. */
export interface CostSoFar {
  sessionNanos?: number | undefined;
  budgetRemainingNanos?: number | undefined;
}

/**
 * The reads of running session costs under way, per hot state (per instance): a session's concurrent requests
 * (a coding tool's parallel calls, a team's shared session) share one round trip, and the session's own
 * settlements end the sharing (src/state/shared-reads.ts).
 */
const sessionReads = new WeakMap<HotState, SharedReads<number | undefined>>();

function readsOf(hot: HotState): SharedReads<number | undefined> {
  let r = sessionReads.get(hot);
  if (r === undefined) {
    r = new SharedReads();
    sessionReads.set(hot, r);
  }
  return r;
}

/** Reads the session's running cost (started early, read when the headers are written); never fails. */
export function sessionCostSoFar(
  hot: HotState,
  owner: string,
  session: string | undefined,
): Promise<number | undefined> {
  if (!session) return Promise.resolve(undefined);
  const key = hotKeys.sessionCost(owner, session);
  return readsOf(hot).read(key, () => hot.count(key).catch(() => undefined));
}

/** Adds a settled request's cost to its session's running cost; sent off, never fails. */
export function addSessionCost(hot: HotState, owner: string, session: string, nanos: number): void {
  const key = hotKeys.sessionCost(owner, session);
  readsOf(hot).wrote(
    key,
    hot.incr(key, nanos, SESSION_COST_TTL_MS).catch(() => undefined),
  );
}

/** The headers of an answer's start, before its cost is known (a stream). */
export function costHeadersBefore(so: CostSoFar): Record<string, string> {
  const h: Record<string, string> = {};
  if (so.sessionNanos !== undefined) h["llmux-session-cost-usd"] = usd(so.sessionNanos);
  if (so.budgetRemainingNanos !== undefined) h["llmux-budget-remaining-usd"] = usd(so.budgetRemainingNanos);
  return h;
}

/** The headers of a whole answer, its usage known: its cost, and the session's cost and the budget after it. */
export function costHeadersAfter(billing: Billing, plan: Plan, answer: Answer, so: CostSoFar): Record<string, string> {
  const nanos = billing.costOfUsage(plan.route.provider.name, plan.route.upstreamModel, answer.usage).nanos;
  const h: Record<string, string> = { "llmux-cost-usd": usd(nanos) };
  if (so.sessionNanos !== undefined) h["llmux-session-cost-usd"] = usd(so.sessionNanos + nanos);
  if (so.budgetRemainingNanos !== undefined) h["llmux-budget-remaining-usd"] = usd(so.budgetRemainingNanos - nanos);
  return h;
}
