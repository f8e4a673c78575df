/** `llmux teams caps TEAM …`: what a team's members may mint for themselves (/admin/v1/me/keys, `llmux login`). */
import { ADMIN_OPTIONS, outputFields } from "./admin-client.js";
import { type Command, type CommandInput, UsageError } from "./command.js";
import { refCommand } from "./refs.js";
import { optFlag, optString } from "./values.js";

const CAP_OPTIONS = {
  ...ADMIN_OPTIONS,
  "budget-usd": { type: "string" as const, value: "USD", description: "The most budget one member key may carry." },
  "total-budget-usd": {
    type: "string" as const,
    value: "USD",
    description: "The most a member's live keys' budgets may add up to.",
  },
  period: { type: "string" as const, value: "P", description: "day, week, month (default) or total." },
  models: { type: "string" as const, value: "GLOBS", description: "Models a member key may use (within the team's)." },
  "max-expiry-days": { type: "string" as const, value: "N", description: "A member key expires within N days." },
  "max-keys": { type: "string" as const, value: "N", description: "How many live keys a member may hold." },
  members: {
    type: "string" as const,
    value: "LIST",
    description: "Web UI sign-ins that are members: emails, @domain, group:NAME (comma-separated).",
  },
  clear: { type: "boolean" as const, description: "Remove the caps: members mint no more keys." },
};

const FIELDS = ["team", "budget_usd", "total_budget_usd", "period", "models", "max_expiry_days", "max_keys", "members"];

function number(input: CommandInput, name: string, integer: boolean): number | undefined {
  const v = optString(input, name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === "" || !Number.isFinite(n) || n < 0 || (integer && !Number.isInteger(n)))
    throw new UsageError(`--${name} must be ${integer ? "a whole number" : "a number"} ≥ 0, got '${v}'`, "teams caps");
  return n;
}

const list = (input: CommandInput, name: string) =>
  optString(input, name)
    ?.split(",")
    .map((s) => s.trim())
    .filter(Boolean);

/** The caps the options give (undefined: none given, the caps are shown). */
function capsOf(input: CommandInput): Record<string, unknown> | undefined {
  const caps: Record<string, unknown> = {
    budget_usd: number(input, "budget-usd", false),
    total_budget_usd: number(input, "total-budget-usd", false),
    period: optString(input, "period"),
    models: list(input, "models"),
    max_expiry_days: number(input, "max-expiry-days", true),
    max_keys: number(input, "max-keys", true),
    members: list(input, "members"),
  };
  for (const k of Object.keys(caps)) if (caps[k] === undefined) delete caps[k];
  return Object.keys(caps).length > 0 ? caps : undefined;
}

interface CapsAnswer {
  team: string;
  caps: Record<string, unknown> | null;
}

export const teamCapsCommand: Command = refCommand(
  "team",
  "caps",
  "Show or change what the team's members may mint for themselves (budget, models, expiry, number of keys).",
  [{ name: "team", description: "The team's name or id (team_…)." }],
  async (c, id, input) => {
    const path = `/admin/v1/teams/${encodeURIComponent(id)}/member-caps`;
    const caps = capsOf(input);
    if (caps && optFlag(input, "clear")) throw new UsageError("--clear takes no caps with it", "teams caps");
    let out: CapsAnswer;
    if (optFlag(input, "clear")) out = (await c.call("DELETE", path)) as CapsAnswer;
    else {
      out = (await c.call("GET", path)) as CapsAnswer;
      // The caps given change those set; the others stay.
      if (caps) out = (await c.call("POST", path, { ...(out.caps ?? {}), ...caps })) as CapsAnswer;
    }
    const row = { team: out.team, ...(out.caps ?? { members: "(no caps: members mint no keys of their own)" }) };
    outputFields(input, out, row, FIELDS);
  },
  {
    options: CAP_OPTIONS,
    examples: [
      "llmux teams caps platform --budget-usd 20 --total-budget-usd 60 --models 'claude-*' --max-expiry-days 90 --max-keys 3",
      "llmux teams caps platform --members '@example.com'",
      "llmux teams caps platform --clear",
    ],
  },
);
