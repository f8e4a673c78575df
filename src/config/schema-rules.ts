import { z } from "zod";
import { TAG_PATTERN } from "../text/tag.js";
import { COMPARISON, SHARE_COMPARISON, TIME_RANGE } from "./shared-values.js";

const EFFORT_NAMES = ["none", "minimal", "low", "medium", "high", "xhigh", "max"] as const;

const glob = (what: string) => z.string().min(1).max(200).describe(what);
const oneOrMany = (what: string) =>
  z
    .union([z.string().min(1).max(200), z.array(z.string().min(1).max(200)).min(1).max(50)])
    .describe(`${what} One value or a list (any of them).`);

/** What a routing rule matches; every condition given must hold. */
export const RuleMatchSchema = z
  .object({
    input_tokens: z
      .string()
      .regex(COMPARISON, "write `> 120000`, `< 2k` or `> 1m`")
      .optional()
      .describe(
        "The request's input tokens as count_tokens estimates them (the o200k tokenizer, images ≈ 1600): `> 120k`, `< 2000`.",
      ),
    reasoning: z
      .boolean()
      .optional()
      .describe(
        "Reasoning asked for (Anthropic thinking not disabled, reasoning_effort, Responses reasoning.effort, Gemini thinkingConfig): true; none asked for: false.",
      ),
    effort: z
      .union([z.enum(EFFORT_NAMES), z.array(z.enum(EFFORT_NAMES)).min(1)])
      .optional()
      .describe("The reasoning effort asked for (an Anthropic thinking budget counts as the nearest effort)."),
    images: z.boolean().optional().describe("An image anywhere in the conversation (true) or none (false)."),
    documents: z.boolean().optional().describe("A document (PDF, file) anywhere in the conversation, or none."),
    tools: z.boolean().optional().describe("The request offers tools (true) or none (false)."),
    tool: oneOrMany(
      "A tool the request offers, by name (a glob: `web_search*`; built-in tools by their type).",
    ).optional(),
    client: oneOrMany("The calling tool: claude-code, codex, cursor, opencode, gemini-cli, copilot, …").optional(),
    agent: z
      .enum(["main", "sub"])
      .optional()
      .describe(
        "main: the session's main loop; sub: a sub-agent (Claude Code's x-claude-code-agent-id, Codex threads).",
      ),
    model: glob("The model asked for (a glob: `claude-*haiku*`).").optional(),
    key: glob("The minted key's name (a glob).").optional(),
    team: z.string().min(1).max(200).optional().describe("The key's team id (team_…)."),
    tag: z
      .string()
      .regex(TAG_PATTERN, "a tag is key=value")
      .optional()
      .describe("A tag the request carries (llmux-tags, the key's and team's tags): `project=checkout`."),
    time: z
      .string()
      .regex(TIME_RANGE, "write HH:MM-HH:MM, e.g. 22:00-06:00")
      .optional()
      .describe("Time of day in billing.timezone: `09:00-18:00`; `22:00-06:00` spans midnight."),
    budget: z
      .string()
      .regex(SHARE_COMPARISON, "write `> 0.8` or `> 80%`")
      .optional()
      .describe(
        "The share spent of the key's tightest budget (key, team, user), as this instance last admitted it: `> 0.8`.",
      ),
  })
  .strict();

export const RuleSchema = z
  .object({
    name: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, "a rule's name is letters, digits, _ . - (at most 64)")
      .describe("Named in llmux-route and the request log when the rule served."),
    match: RuleMatchSchema.default({}).describe("Every condition given must hold; none: every request."),
    route: z
      .string()
      .min(1)
      .max(200)
      .describe("The alias (a key of `models`, not a pattern) that serves what the rule matches."),
  })
  .strict();

export type RoutingRule = z.infer<typeof RuleSchema>;
export type RuleMatch = z.infer<typeof RuleMatchSchema>;

/** Most rules a configuration (or the admin API) may hold. */
export const MAX_RULES = 200;

/** `routing:` — rules that pick an alias by what the request is, before its model name is resolved. */
export const RoutingRulesSchema = z
  .object({
    rules: z
      .array(RuleSchema)
      .max(MAX_RULES)
      .default([])
      .describe("Ordered; the first rule whose conditions all hold routes the request to its alias."),
  })
  .strict()
  .default({ rules: [] })
  .describe("Routing by what the request is (docs/routing.md#routing-rules).");

/** What is wrong with a list of rules against the configured aliases (the field named), or nothing. */
export function ruleProblems(
  rules: readonly RoutingRule[],
  aliases: Readonly<Record<string, unknown>>,
  path = "routing.rules",
): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  rules.forEach((r, i) => {
    if (seen.has(r.name)) problems.push(`${path}.${i}.name: another rule is named '${r.name}'`);
    seen.add(r.name);
    if (r.route.includes("*")) problems.push(`${path}.${i}.route: '${r.route}' is a pattern; name an alias`);
    else if (!Object.hasOwn(aliases, r.route)) {
      const close = Object.keys(aliases).find((a) => a.toLowerCase() === r.route.toLowerCase());
      problems.push(
        `${path}.${i}.route: no model alias named '${r.route}'${close ? ` (did you mean '${close}'?)` : ""}`,
      );
    }
  });
  return problems;
}
