/** Keys and teams as the terminal's tables show them: names, spend against budget, what is left, limits. */
import type { KeyView } from "../data/keys.js";
import type { Team } from "../data/teams.js";

/** What the list answers add to a key or a team: its spend, against its budget. */
interface SpendAnswer {
  spend_usd?: number;
  budget_remaining_usd?: number | null;
  budget_resets_at?: string | null;
}

type KeyShown = "id" | "prefix" | "name" | "user" | "team_id" | "models" | "expires_at" | "disabled" | "revoked";

/** A key as the admin API answers it (what the tables show of it). */
export interface KeyAnswer extends Pick<KeyView, KeyShown | "budget" | "limits">, SpendAnswer {
  blocked?: { reason: string; message: string; until: string | null } | null;
  last_used_at?: string | null;
  team?: { name: string } | null;
  allowed_models?: string;
}

/** A team as the admin API answers it (what the tables show of it). */
export interface TeamAnswer extends Pick<Team, "id" | "name" | "models" | "budget" | "limits">, SpendAnswer {}

/** Dollars with the digits that matter (below a cent too). */
export function dollars(usd: number): string {
  if (usd === 0) return "$0";
  if (Math.abs(usd) < 0.01) return `$${Number(usd.toPrecision(3))}`;
  return `$${usd.toFixed(2)}`;
}

/** A time as a plain UTC date and time (`2026-11-24 00:00 UTC`), or a date alone at midnight. */
export function plainTime(iso: string | null | undefined): string | null {
  if (!iso) return null;
  const t = new Date(iso);
  if (Number.isNaN(t.getTime())) return iso;
  const s = t.toISOString();
  return s.endsWith("T00:00:00.000Z") ? s.slice(0, 10) : `${s.slice(0, 10)} ${s.slice(11, 16)} UTC`;
}

export function limitsText(l: KeyAnswer["limits"]): string | null {
  if (!l) return null;
  const parts = [
    l.rpm !== undefined ? `${l.rpm} rpm` : "",
    l.tpm !== undefined ? `${l.tpm} tpm` : "",
    l.concurrency !== undefined ? `${l.concurrency} at once` : "",
  ].filter((p) => p);
  return parts.length > 0 ? parts.join(", ") : null;
}

function spendText(a: { spend_usd?: number; budget: KeyAnswer["budget"] }): string {
  const spent = dollars(a.spend_usd ?? 0);
  return a.budget ? `${spent} of ${dollars(a.budget.usd)}/${a.budget.period}` : spent;
}

/** A soft budget in words: `at 80% → gpt-low`; null: none. */
function downgradeText(a: { budget: KeyAnswer["budget"] }): string | null {
  const d = a.budget?.downgrade;
  return d ? `at ${Math.round(d.at * 100)}% → ${d.to}` : null;
}

function stateOf(k: KeyAnswer): string {
  if (k.blocked) return `blocked: ${k.blocked.reason.replace("_", " ")}`;
  return "active";
}

export const KEY_COLUMNS = [
  "name",
  "id",
  "team",
  "user",
  "state",
  "spend",
  "remaining",
  "resets",
  "limits",
  "last_used",
];

/** A key as a table row. */
export function keyRow(k: KeyAnswer): Record<string, unknown> {
  return {
    name: k.name,
    id: k.id,
    prefix: k.prefix,
    team: k.team?.name ?? k.team_id,
    user: k.user,
    state: stateOf(k),
    why: k.blocked?.message ?? null,
    models: k.allowed_models ?? (k.models ? k.models.join(", ") : "every model"),
    spend: spendText(k),
    downgrade: downgradeText(k),
    remaining:
      k.budget_remaining_usd === null || k.budget_remaining_usd === undefined ? null : dollars(k.budget_remaining_usd),
    resets: plainTime(k.budget_resets_at),
    limits: limitsText(k.limits),
    expires: plainTime(k.expires_at),
    last_used: plainTime(k.last_used_at) ?? "never",
  };
}

/** One key, every field, as `field  value` lines. */
export const KEY_FIELDS = [
  "name",
  "id",
  "prefix",
  "team",
  "user",
  "state",
  "why",
  "models",
  "spend",
  "downgrade",
  "remaining",
  "resets",
  "limits",
  "expires",
  "last_used",
];

export const TEAM_COLUMNS = ["name", "id", "models", "spend", "downgrade", "remaining", "resets", "limits"];

export function teamRow(t: TeamAnswer): Record<string, unknown> {
  return {
    name: t.name,
    id: t.id,
    models: t.models ? t.models.join(", ") : "every model",
    spend: spendText(t),
    downgrade: downgradeText(t),
    remaining:
      t.budget_remaining_usd === null || t.budget_remaining_usd === undefined ? null : dollars(t.budget_remaining_usd),
    resets: plainTime(t.budget_resets_at),
    limits: limitsText(t.limits),
  };
}
