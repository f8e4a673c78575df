/**
 * Self-service keys: what a team admin lets each member mint for themselves (`member_caps`), and the check of a
 * member's new key against them. Above a cap: a 4xx naming the cap (`budget_usd 50 exceeds your cap 20 (team
 * platform: member_caps.budget_usd)`). The team's own budget still bounds every key of the team.
 */
import { z } from "zod";
import type { KeyInput } from "../data/keys.js";
import type { MemberCaps } from "../data/member-caps.js";
import type { Team } from "../data/teams.js";
import { globToRegExp } from "../text/glob.js";
import { AdminError } from "./route.js";

const Glob = z.string().min(1).max(200);
const Usd = z.number().nonnegative().max(1e9);

export const MemberCapsSchema = z
  .object({
    budget_usd: Usd.optional().describe("The most budget one member key may carry (USD per period)."),
    total_budget_usd: Usd.optional().describe("The most a member's live keys' budgets may add up to (USD)."),
    period: z
      .enum(["day", "week", "month", "total"])
      .optional()
      .describe("The period of members' key budgets (default: month)."),
    models: z
      .array(Glob)
      .min(1)
      .max(200)
      .optional()
      .describe("Models (globs, within the team's) a member key may use."),
    max_expiry_days: z
      .number()
      .int()
      .min(1)
      .max(3650)
      .optional()
      .describe("A member key expires within this many days."),
    max_keys: z.number().int().min(0).max(1000).optional().describe("How many live keys a member may hold."),
    members: z
      .array(z.string().min(1).max(320))
      .max(1000)
      .optional()
      .describe("Who is a member when signed in to the web UI: emails, `@domain`, `group:NAME`."),
  })
  .strict();

export const MemberCapsAnswer = z
  .object({ team_id: z.string(), team: z.string(), caps: MemberCapsSchema.nullable() })
  .meta({ id: "TeamMemberCaps" });

export const MeKeyCreate = z
  .object({
    name: z.string().min(1).max(200),
    budget_usd: Usd.optional().describe("The key's budget per the caps' period (default: the cap)."),
    models: z.array(Glob).min(1).max(200).optional().describe("Models the key may use (default: the caps')."),
    expires_at: z.iso.datetime({ offset: true }).optional().describe("When the key expires (ISO 8601)."),
  })
  .strict();

/** What the member already holds, counted against the caps. */
export interface Held {
  keys: number;
  /** The sum of their live keys' budgets, USD. */
  budget_usd: number;
}

/** Whether a model the member asks for lies within a list of globs (a glob only if the list has it as such). */
function within(asked: string, globs: readonly string[]): boolean {
  if (globs.includes(asked)) return true;
  return !asked.includes("*") && globs.some((g) => globToRegExp(g).test(asked));
}

/** A team's caps checked against the team itself: their models within the team's. */
export function checkCaps(caps: MemberCaps, team: Team): void {
  if (caps.models && team.models)
    for (const m of caps.models)
      if (!within(m, team.models))
        throw new AdminError(
          400,
          `models: '${m}' is not within team ${team.name}'s models (${team.models.join(", ")})`,
          "models",
        );
}

const capName = (team: Team, cap: string) => `(team ${team.name}: member_caps.${cap})`;

/**
 * A member's new key within their team's caps: the key to mint (the member's email as its user label, their
 * team, the budget, models and expiry the caps allow), or an AdminError naming the cap it is over.
 */
export function mintWithin(
  ask: z.infer<typeof MeKeyCreate>,
  caps: MemberCaps,
  team: Team,
  held: Held,
  member: string,
  now = Date.now(),
): KeyInput & { name: string } {
  if (caps.max_keys !== undefined && held.keys >= caps.max_keys)
    throw new AdminError(
      403,
      `you hold ${held.keys} keys, your cap is ${caps.max_keys} ${capName(team, "max_keys")}: revoke one first`,
      "name",
    );
  const key: KeyInput & { name: string } = { name: ask.name, team_id: team.id, user: member };
  // Budget: at most the per-key cap, and within what is left of the total.
  const left = caps.total_budget_usd === undefined ? undefined : Math.max(0, caps.total_budget_usd - held.budget_usd);
  const usd = ask.budget_usd ?? caps.budget_usd ?? left;
  if (usd !== undefined) {
    if (caps.budget_usd !== undefined && usd > caps.budget_usd)
      throw new AdminError(
        403,
        `budget_usd ${usd} exceeds your cap ${caps.budget_usd} ${capName(team, "budget_usd")}`,
        "budget_usd",
      );
    if (left !== undefined && usd > left)
      throw new AdminError(
        403,
        `budget_usd ${usd} exceeds what is left of your total cap ${caps.total_budget_usd} (your keys hold ${held.budget_usd}) ${capName(team, "total_budget_usd")}`,
        "budget_usd",
      );
    key.budget = { usd, period: caps.period ?? "month" };
  }
  // Models: within the caps' (default: the caps').
  if (ask.models) {
    const bound = caps.models ?? team.models;
    if (bound)
      for (const m of ask.models)
        if (!within(m, bound))
          throw new AdminError(
            403,
            `models: '${m}' is not within your cap (${bound.join(", ")}) ${capName(team, caps.models ? "models" : "team models")}`,
            "models",
          );
    key.models = ask.models;
  } else if (caps.models) key.models = caps.models;
  // Expiry: at most max_expiry_days from now (default: that far).
  if (caps.max_expiry_days !== undefined) {
    const latest = now + caps.max_expiry_days * 86_400_000;
    const asked = ask.expires_at ? Date.parse(ask.expires_at) : latest;
    if (asked > latest)
      throw new AdminError(
        403,
        `expires_at ${ask.expires_at} is later than your cap of ${caps.max_expiry_days} days ${capName(team, "max_expiry_days")}`,
        "expires_at",
      );
    key.expires_at = new Date(asked).toISOString();
  } else if (ask.expires_at) key.expires_at = new Date(Date.parse(ask.expires_at)).toISOString();
  if (key.expires_at && Date.parse(key.expires_at) <= now)
    throw new AdminError(400, "expires_at: in the past", "expires_at");
  return key;
}

/** Whether a web UI sign-in (email, groups) is named by a caps' `members` list. */
export function namedMember(caps: MemberCaps, email: string, groups: readonly string[]): boolean {
  const e = email.toLowerCase();
  const domain = e.slice(e.lastIndexOf("@"));
  return (caps.members ?? []).some((m) => {
    const n = m.toLowerCase();
    if (n.startsWith("group:")) return groups.includes(m.slice("group:".length));
    return n.startsWith("@") ? n === domain : n === e;
  });
}
