/**
 * Soft budgets: a budget with `downgrade: {at: 0.8, to: ALIAS}` has its requests served by the cheaper
 * alias once `at` of it is spent. Decided right after the admission, from what it read (what is left of the
 * tightest budget that applies): the request is planned for the cheaper alias and admitted again at its
 * price and against its allow-lists (refused as that alias would be); the budget itself still refuses.
 * Said in `llmux-route`, `llmux-warnings` and the log row; the `budget_downgrade` alert fires when a caller
 * starts being downgraded in a budget window.
 */
import { nanosOf, usd } from "../billing/cost.js";
import type { Quota } from "../identity/principal.js";
import type { ErrorInfo } from "../ir/types.js";
import { allowListName, refusalFor } from "../limits/allow-list.js";
import { quotaWho } from "../limits/budget.js";
import { windowOf } from "../limits/windows.js";
import { type Admitted, isAdmitted } from "../request/admission.js";
import { isPlan } from "../request/plan.js";
import { routeWords } from "../routing/model-table.js";
import { healthAhead } from "./attempts.js";
import type { Generation } from "./generation.js";
import { plan } from "./plan.js";
import type { RoutingDeps } from "./route-rules.js";

/** The budgets that apply to a request: its key's and team's, its user's, its tags' (as the admission takes them). */
export function budgetsOf(g: Pick<Generation, "principal" | "trail">, routing: RoutingDeps): Quota[] {
  const p = g.principal;
  const out = (p.quotas ?? []).filter((q) => q.budget);
  const u = p.user !== undefined ? routing.quotas.users?.[p.user] : undefined;
  if (u?.budget) out.push({ scope: "user", id: p.user!, budget: u.budget });
  for (const t of g.trail.tags ?? []) {
    const q = routing.quotas.tags?.[t];
    if (q?.budget) out.push({ scope: "tag", id: t, budget: q.budget });
  }
  return out;
}

/**
 * The share spent of each budget, as far as the admission says: what is left of the tightest budget that
 * applies, against this budget's limit (exact with one budget; with several, a tighter one counts too).
 */
function shareOf(q: Quota, remainingNanos: number): number {
  const limit = nanosOf(q.budget!.usd);
  return limit > 0 ? Math.min(1, Math.max(0, 1 - remainingNanos / limit)) : 1;
}

/** The request downgraded by a soft budget (planned and admitted again), the admission as it was, or a refusal. */
export async function downgraded(g: Generation, admitted: Admitted): Promise<Admitted | ErrorInfo> {
  const routing = g.deps.routing;
  const remaining = admitted.budgetRemainingNanos;
  if (!routing || remaining === undefined) return admitted;
  const budgets = budgetsOf(g, routing);
  if (budgets.length === 0) return admitted;
  // What the rules' `budget:` condition reads on the caller's next request.
  routing.noteShare(g.principal.owner, Math.min(...budgets.map((q) => shareOf(q, remaining))));
  const planned = g.planned!;
  const soft = budgets.find((q) => q.budget?.downgrade && shareOf(q, remaining) >= q.budget.downgrade.at);
  const down = soft?.budget?.downgrade;
  if (!soft || !down || planned.route.alias.toLowerCase() === down.to.toLowerCase()) return admitted;
  const target = g.deps.models.resolve(down.to);
  if (!target) return admitted;
  const share = shareOf(soft, remaining);
  const b = soft.budget!;
  const before = routeWords(planned.route);
  const why = `${quotaWho(soft)} has spent ${Math.round(share * 100)}% of its ${b.period} budget of $${b.usd} (downgrade at ${Math.round(down.at * 100)}%)${before ? `; was ${before}` : ""}`;
  // Refused as the cheaper alias itself would be (its allow-lists, its providers), naming it.
  const denied = refusalFor(g.principal, { ...target, requested: down.to });
  if (denied) {
    await admitted.release?.(undefined);
    return { ...denied, message: `${denied.message} (soft budget: ${why})` };
  }
  const route = { ...target, requested: planned.route.requested, via: { kind: "downgrade" as const, why } };
  const p = plan({ ...g.input, route });
  if (!isPlan(p)) {
    await admitted.release?.(undefined);
    return p;
  }
  // Admitted again for the cheaper alias: its allow-lists, its price (what the first admission held is given back).
  await admitted.release?.(undefined);
  const again = await g.deps.admission.admit({
    principal: g.principal,
    plan: p,
    requestBytes: g.trail.requestBytes,
    tags: g.trail.tags,
  });
  if (!isAdmitted(again)) return again;
  // What the stages before said of the request (its guardrails, its tags) still holds.
  for (const w of planned.warnings.list) p.warnings.add(w.code, w.message, w.param);
  g.input.route = route;
  g.planned = p;
  g.trail.plan = p;
  g.early = healthAhead(p.route, g.deps.attempts);
  p.warnings.add(
    "budget_downgrade",
    `Served by '${down.to}' instead of '${allowListName(planned.route)}': ${quotaWho(soft)} has spent ${Math.round(share * 100)}% of its ${b.period} budget.`,
  );
  g.trail.decide(() => `downgraded to '${down.to}': ${why}`);
  started(routing, soft, share, down.to);
  return again;
}

/** The alert, once per caller and budget window, when a caller starts being downgraded. */
function started(routing: RoutingDeps, q: Quota, share: number, to: string): void {
  const b = q.budget!;
  const w = windowOf(b.period, Date.now(), routing.timezone);
  const key = `${q.scope}:${q.id}`;
  if (routing.downgraded.get(key) === String(w.start)) return;
  if (routing.downgraded.size > 10_000) routing.downgraded.clear();
  routing.downgraded.set(key, String(w.start));
  routing.alert?.({
    rule: "budget_downgrade",
    scope: q.scope,
    id: q.id,
    window: String(w.start),
    until: w.end,
    message: `${quotaWho(q)} has spent ${Math.round(share * 100)}% of its ${b.period} budget of $${b.usd}: its requests are now served by '${to}'`,
    fields: {
      spent_usd: usd(Math.round(share * nanosOf(b.usd))),
      budget_usd: b.usd,
      period: b.period,
      to,
      ...(q.name ? { name: q.name } : {}),
    },
  });
}
