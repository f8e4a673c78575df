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

/** The budget, limits and allow-list the options give (absent ones left out). */
export function quotaFields(input: CommandInput, command: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const budget = optString(input, "budget");
  if (budget !== undefined) out.budget = budgetOf(budget, command);
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

/**
 * Changes a key or a team (`path`) by `body`: limits given are merged into the ones it has, so that one option
 * changes one limit. Returns the answer.
 */
export async function patchQuota<T extends { limits: object | null }>(
  c: AdminClient,
  path: string,
  body: Record<string, unknown>,
): Promise<T> {
  if (body.limits) {
    const now = (await c.call("GET", path)) as T;
    body.limits = { ...(now.limits ?? {}), ...(body.limits as object) };
  }
  return (await c.call("PATCH", path, body)) as T;
}
