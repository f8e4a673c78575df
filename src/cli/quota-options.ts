/**
 * The options that set what the admin API takes for a key or a team: budget, limits, allow-list, expiry. Each
 * value is checked here and a mistake names the option; what is not given is left out of the body.
 */

import { TAG_PATTERN } from "../text/tag.js";
import type { AdminClient } from "./admin-client.js";
import type { CommandInput, OptionSpec } from "./command.js";
import { stringOption, UsageError } from "./command.js";
import { optList, optString } from "./values.js";

export const QUOTA_OPTIONS: Record<string, OptionSpec> = {
  budget: stringOption("USD/PERIOD", "A budget: 100/month, 5/day, 20/week, 50/total; none removes it."),
  "downgrade-at": stringOption(
    "SHARE",
    "A soft budget: past this share of the budget (0.8 or 80%), requests go to --downgrade-to; none removes it.",
  ),
  "downgrade-to": stringOption("ALIAS", "The cheaper model alias that serves a soft budget's requests."),
  rpm: stringOption("N", "Requests per minute (none removes every limit)."),
  tpm: stringOption("N", "Tokens per minute."),
  concurrency: stringOption("N", "Requests in flight at once."),
  models: {
    type: "string",
    value: "GLOBS",
    multiple: true,
    description: "Allowed models, comma-separated globs ('claude-*,gpt-low'); all removes the allow-list.",
  },
  model: { type: "string", value: "GLOB", multiple: true, description: "One allowed model (repeat for more)." },
  tag: {
    type: "string",
    value: "KEY=VALUE",
    multiple: true,
    description: "A default tag of every request (repeat for more; replaces the tags set before); none removes them.",
  },
};

/** `--tag project=checkout --tag cost-center=42` as the admin API's tags object; `none` clears them. */
export function tagsOption(input: CommandInput, command: string): Record<string, string> | null | undefined {
  const given = optList(input, "tag");
  if (!given) return undefined;
  if (given.length === 1 && given[0] === "none") return null;
  const out: Record<string, string> = {};
  for (const t of given.flatMap((g) => g.split(",")).map((g) => g.trim())) {
    if (!TAG_PATTERN.test(t))
      throw new UsageError(
        `--tag must be KEY=VALUE (letters, digits, _ . : / -), e.g. project=checkout; got '${t}'`,
        command,
      );
    const at = t.indexOf("=");
    out[t.slice(0, at)] = t.slice(at + 1);
  }
  return out;
}

const PERIODS = ["day", "week", "month", "total"] as const;

function budgetOf(v: string, command: string): { usd: number; period: (typeof PERIODS)[number] } | null {
  if (v === "none") return null;
  const m = /^\$?([0-9]+(?:\.[0-9]+)?)\/(day|week|month|total)$/.exec(v.trim());
  if (!m) throw new UsageError(`--budget must be USD/PERIOD (100/month, 5/day, 50/total) or none, got '${v}'`, command);
  return { usd: Number(m[1]), period: m[2] as (typeof PERIODS)[number] };
}

function countOf(input: CommandInput, name: string, command: string): number | undefined {
  const v = optString(input, name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1)
    throw new UsageError(`--${name} must be a whole number from 1, got '${v}'`, command);
  return n;
}

/** A plain date (2027-01-01: its start, UTC) or an ISO time; `never` clears it. */
export function expiryOf(v: string | undefined, command: string): string | null | undefined {
  if (v === undefined) return undefined;
  if (v === "never" || v === "none") return null;
  const t = /^\d{4}-\d{2}-\d{2}$/.test(v) ? Date.parse(`${v}T00:00:00Z`) : Date.parse(v);
  if (Number.isNaN(t) || !/^\d{4}-\d{2}-\d{2}/.test(v))
    throw new UsageError(`--expires must be a date (2027-01-01) or an ISO time, or never; got '${v}'`, command);
  return new Date(t).toISOString();
}

/** What --downgrade-at/--downgrade-to ask: a downgrade, none (removed), or nothing said. */
export type DowngradeAsked = { at: number; to: string } | null | undefined;

function downgradeOf(input: CommandInput, command: string): DowngradeAsked {
  const at = optString(input, "downgrade-at");
  const to = optString(input, "downgrade-to");
  if (at === undefined && to === undefined) return undefined;
  if (at === "none") return null;
  if (at === undefined || to === undefined)
    throw new UsageError("--downgrade-at and --downgrade-to go together (or --downgrade-at none)", command);
  const m = /^([0-9]*\.?[0-9]+)(%?)$/.exec(at.trim());
  const share = m ? Number(m[1]) / (m[2] ? 100 : 1) : Number.NaN;
  if (!(share > 0 && share < 1))
    throw new UsageError(
      `--downgrade-at must be a share between 0 and 1 (0.8) or a percentage (80%), got '${at}'`,
      command,
    );
  if (!to.trim() || to.includes("*"))
    throw new UsageError(`--downgrade-to must name a model alias, got '${to}'`, command);
  return { at: share, to: to.trim() };
}

/** The budget, limits and allow-list the options give (absent ones left out). */
export function quotaFields(input: CommandInput, command: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const budget = optString(input, "budget");
  if (budget !== undefined) out.budget = budgetOf(budget, command);
  const downgrade = downgradeOf(input, command);
  if (downgrade !== undefined) {
    if (out.budget === null && downgrade !== null)
      throw new UsageError("--downgrade-at needs a budget; --budget none removes it", command);
    if (out.budget) out.budget = { ...(out.budget as object), ...(downgrade ? { downgrade } : {}) };
    // Not an admin API field: what --downgrade-* asked, taken out by createQuota or patchQuota.
    out.downgrade = downgrade;
  }
  if (optString(input, "rpm") === "none") out.limits = null;
  else {
    const limits = {
      rpm: countOf(input, "rpm", command),
      tpm: countOf(input, "tpm", command),
      concurrency: countOf(input, "concurrency", command),
    };
    const given = Object.fromEntries(Object.entries(limits).filter(([, v]) => v !== undefined));
    if (Object.keys(given).length > 0) out.limits = given;
  }
  const globs = [...(optList(input, "models") ?? []), ...(optList(input, "model") ?? [])]
    .flatMap((g) => g.split(","))
    .map((g) => g.trim())
    .filter((g) => g.length > 0);
  if (globs.length === 1 && globs[0] === "all") out.models = null;
  else if (globs.length > 0) out.models = globs;
  const tags = tagsOption(input, command);
  if (tags !== undefined) out.tags = tags;
  return out;
}

/** A create's body: a soft budget asked without --budget is a usage error (a new key or team has none). */
export function createQuota(body: Record<string, unknown>, command: string): Record<string, unknown> {
  const { downgrade, ...rest } = body;
  if (downgrade && !rest.budget) throw new UsageError("--downgrade-at needs a budget (--budget 100/month)", command);
  return rest;
}

interface Budgeted {
  limits: object | null;
  budget: { usd: number; period: string; downgrade?: { at: number; to: string } } | null;
}

/**
 * Changes a key or a team (`path`) by `body`: limits given are merged into the ones it has, so that one option
 * changes one limit; a new budget keeps the soft downgrade it had, and --downgrade-* alone changes only that.
 * Returns the answer.
 */
export async function patchQuota<T extends Budgeted>(
  c: AdminClient,
  path: string,
  body: Record<string, unknown>,
  command: string,
): Promise<T> {
  const asked = body.downgrade as DowngradeAsked;
  delete body.downgrade;
  const budget = body.budget as Budgeted["budget"] | undefined;
  const keepDowngrade = budget && asked === undefined;
  if (body.limits || asked !== undefined || keepDowngrade) {
    const now = (await c.call("GET", path)) as T;
    if (body.limits) body.limits = { ...(now.limits ?? {}), ...(body.limits as object) };
    if (keepDowngrade && now.budget?.downgrade) body.budget = { ...budget, downgrade: now.budget.downgrade };
    if (asked !== undefined && budget === undefined) {
      if (!now.budget) {
        if (asked !== null) throw new UsageError("--downgrade-at needs a budget (--budget 100/month)", command);
      } else {
        const { downgrade: _, ...kept } = now.budget;
        body.budget = asked ? { ...kept, downgrade: asked } : kept;
      }
    }
  }
  return (await c.call("PATCH", path, body)) as T;
}
