/**
 * What a team lead must see of a key besides its settings: whether it is blocked now (revoked, disabled,
 * expired, its budget or its team's spent), why and until when; when it was last used; its team (name, budget,
 * spend) and the models it may really use (its allow-list within its team's).
 */
import type { Data } from "../data/data.js";
import { lastRefusedBy, lastUsedBy } from "../data/key-activity.js";
import type { KeyView } from "../data/keys.js";
import { nanosOf } from "../data/money.js";
import type { Team, Teams } from "../data/teams.js";
import { windowOf } from "../limits/windows.js";
import { type SpendFields, withSpendAll } from "./spend-views.js";

export type BlockedReason = "revoked" | "disabled" | "expired" | "budget" | "team_budget";

export interface KeyState {
  blocked: { reason: BlockedReason; message: string; until: string | null } | null;
  last_used_at: string | null;
  team: (Pick<Team, "id" | "name" | "models" | "budget"> & SpendFields) | null;
  /** The models the key may use, in words: its allow-list within its team's (`claude-*, gpt-low (team data)`). */
  allowed_models: string;
}

const money = (usd: number) => `$${usd < 0.01 && usd > 0 ? usd.toPrecision(2) : usd.toFixed(2)}`;
const isoOf = (ms: number) => (Number.isFinite(ms) ? new Date(ms).toISOString() : null);

/** The models a key may use, in words. */
export function allowedModels(key: string[] | null, team: { name: string; models: string[] | null } | null): string {
  const teamList = team?.models ? `${team.models.join(", ")} (team ${team.name})` : undefined;
  if (key && teamList) return `${key.join(", ")} (key), within ${teamList}`;
  if (key) return key.join(", ");
  return teamList ?? "every model";
}

interface Budgeted {
  budget: { usd: number; period: "day" | "week" | "month" | "total" } | null;
  spend_usd: number;
}

/** Whether a budget is spent: all of it, or its holder was refused by it since it was last let through. */
function spent(b: Budgeted, refusedAt: number | undefined, usedAt: number | undefined, start: number): boolean {
  if (!b.budget) return false;
  if (nanosOf(b.spend_usd) >= nanosOf(b.budget.usd)) return true;
  return refusedAt !== undefined && refusedAt >= start && (usedAt === undefined || refusedAt > usedAt);
}

/** Keys (with their spend) with their state; `teams` gives their teams (read once). */
export async function withState<K extends KeyView & SpendFields>(
  data: Data,
  teams: Teams,
  keys: K[],
  timezone: string,
  alertAt?: number,
): Promise<(K & KeyState)[]> {
  const now = Date.now();
  const ids = keys.map((k) => k.id);
  const teamIds = new Set(keys.flatMap((k) => (k.team_id ? [k.team_id] : [])));
  const teamViews =
    teamIds.size === 0
      ? []
      : await withSpendAll(
          data,
          "team",
          (await teams.list()).filter((t) => teamIds.has(t.id)),
          timezone,
          alertAt,
        );
  const teamById = new Map(teamViews.map((t) => [t.id, t]));
  const earliest = Math.min(
    ...keys.map((k) => (k.budget ? windowOf(k.budget.period, now, timezone).start : now)),
    ...teamViews.map((t) => (t.budget ? windowOf(t.budget.period, now, timezone).start : now)),
  );
  const [used, refused] = await Promise.all([lastUsedBy(data, ids), lastRefusedBy(data, ids, "budget", earliest)]);
  return keys.map((k) => {
    const t = k.team_id ? teamById.get(k.team_id) : undefined;
    const usedAt = used.get(k.id);
    const refusedAt = refused.get(k.id);
    const team = t
      ? {
          id: t.id,
          name: t.name,
          models: t.models,
          budget: t.budget,
          spend_usd: t.spend_usd,
          budget_remaining_usd: t.budget_remaining_usd,
          budget_resets_at: t.budget_resets_at,
          budget_alert: t.budget_alert,
        }
      : null;
    return {
      ...k,
      blocked: blockedOf(k, team, usedAt, refusedAt, now, timezone),
      last_used_at: usedAt === undefined ? null : new Date(usedAt).toISOString(),
      team,
      allowed_models: allowedModels(k.models, team),
    };
  });
}

const PERIOD = { day: "daily", week: "weekly", month: "monthly", total: "total" } as const;

/** A spent budget in words: all of it, or too little left for the next request; and when it resets. */
function budgetBlock(
  reason: "budget" | "team_budget",
  whose: string,
  b: Budgeted,
  now: number,
  timezone: string,
): NonNullable<KeyState["blocked"]> {
  const budget = b.budget!;
  const until = isoOf(windowOf(budget.period, now, timezone).end);
  const left = Math.max(0, budget.usd - b.spend_usd);
  const state =
    nanosOf(b.spend_usd) >= nanosOf(budget.usd)
      ? `is spent (${money(b.spend_usd)})`
      : `has ${money(left)} left, too little for the next request`;
  const resets = until ? `; it resets at ${until}` : "; raise it to unblock";
  return {
    reason,
    message: `${whose} ${PERIOD[budget.period]} budget of ${money(budget.usd)} ${state}${resets}`,
    until,
  };
}

function blockedOf(
  k: KeyView & SpendFields,
  team: KeyState["team"],
  usedAt: number | undefined,
  refusedAt: number | undefined,
  now: number,
  timezone: string,
): KeyState["blocked"] {
  if (k.revoked) return { reason: "revoked", message: "revoked", until: null };
  if (k.disabled) return { reason: "disabled", message: "disabled (llmux keys enable to restore it)", until: null };
  if (k.expires_at && Date.parse(k.expires_at) <= now)
    return { reason: "expired", message: `expired at ${k.expires_at}`, until: null };
  const teamStart = team?.budget ? windowOf(team.budget.period, now, timezone).start : Infinity;
  const keyStart = k.budget ? windowOf(k.budget.period, now, timezone).start : Infinity;
  const teamAll = team?.budget && nanosOf(team.spend_usd) >= nanosOf(team.budget.usd);
  const keyBlocked = spent(k, refusedAt, usedAt, keyStart);
  if (team?.budget && (teamAll || (!keyBlocked && spent(team, refusedAt, usedAt, teamStart))))
    return budgetBlock("team_budget", `team ${team.name}'s`, team as Budgeted & { budget: object }, now, timezone);
  if (k.budget && keyBlocked) return budgetBlock("budget", "its", k as Budgeted & { budget: object }, now, timezone);
  return null;
}

/** One key with its spend and state. */
export async function keyWithState(data: Data, teams: Teams, view: KeyView, timezone: string, alertAt?: number) {
  const spent = await withSpendAll(data, "key", [view], timezone, alertAt);
  return (await withState(data, teams, spent, timezone, alertAt))[0]!;
}
