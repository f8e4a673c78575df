import { z } from "zod";
import { BudgetSchema, LimitsSchema } from "../config/schema-quota.js";
import { TAG_KEY, TAG_VALUE } from "../text/tag.js";

/**
 * The admin API's bodies and answers, as zod schemas: the same schemas validate requests and generate
 * `GET /admin/v1/openapi.json`.
 */

const Glob = z.string().min(1).max(200);
export const Models = z
  .array(Glob)
  .max(1000)
  .nullable()
  .describe("Allow-list of model aliases; `*` matches any characters. null or absent: every model.");
export const McpRules = z
  .object({
    servers: z.array(Glob).max(1000).optional().describe("MCP servers (names; globs) the key may use."),
    tools: z
      .array(Glob)
      .max(1000)
      .optional()
      .describe("MCP tools (namespaced names such as github__create_issue; globs) the key may see and call."),
  })
  .strict()
  .nullable()
  .describe("MCP allow-lists; null or absent: every MCP server and tool.");
export const DefaultTags = z
  .record(
    z.string().regex(TAG_KEY, "a tag key is letters, digits, _ . : / - (at most 64)"),
    z.string().regex(TAG_VALUE, "a tag value is letters, digits, _ . : / @ + - (at most 128)"),
  )
  .nullable()
  .describe(
    'Default tags of every request (`{"project": "checkout"}`): a request\'s own llmux-tags win, then the key\'s, then the team\'s. null or absent: none.',
  );
/** A key's or team's budget: the configuration's own schema (config/schema-quota.ts), 0 USD allowed; null: none. */
export const Budget = BudgetSchema.extend({
  usd: z.number().nonnegative().describe("Spend allowed per period, in US dollars."),
  period: BudgetSchema.shape.period.describe("Calendar window (UTC) the budget applies to."),
  downgrade: BudgetSchema.shape.downgrade.describe(
    "A soft budget: past `at` of it, requests are served by the cheaper alias `to` (said in llmux-route, llmux-warnings and the log; alerted once); the budget itself still refuses. Replaced with the budget: a budget given without it has none.",
  ),
})
  .strict()
  .nullable();
/** The token counts of a request-log row, a spend row and a stats bucket (spread into their objects). */
export const TokenCounts = {
  input_tokens: z.number().int(),
  output_tokens: z.number().int(),
  cache_read_tokens: z.number().int(),
  cache_write_tokens: z.number().int(),
  reasoning_tokens: z.number().int(),
};

/** A key's or team's rate limits: the configuration's own schema (config/schema-quota.ts); null: none. */
export const Limits = LimitsSchema.nullable();

export const TeamCreate = z
  .object({
    name: z.string().min(1).max(200),
    models: Models.optional(),
    mcp: McpRules.optional(),
    tags: DefaultTags.optional(),
    budget: Budget.optional(),
    limits: Limits.optional(),
    disabled: z
      .boolean()
      .optional()
      .describe("Refuse every key of the team (kept with its keys and spend) until set false again."),
  })
  .strict();
export const TeamPatch = TeamCreate.partial().strict();

export const Team = z
  .object({
    id: z.string(),
    name: z.string(),
    models: Models,
    mcp: McpRules.optional(),
    tags: DefaultTags.optional(),
    budget: Budget,
    limits: Limits,
    disabled: z.boolean().describe("Every key of the team is refused."),
    spend_usd: z
      .number()
      .optional()
      .describe("Spent in the budget's current window (all time without a budget), from the ledger."),
    budget_remaining_usd: z.number().nullable().optional().describe("What is left of the budget in its window."),
    budget_resets_at: z.string().nullable().optional().describe("When the budget's window ends (ISO time)."),
    budget_alert: z
      .object({ at: z.number(), reached: z.boolean(), spent_share: z.number() })
      .nullable()
      .optional()
      .describe("billing.alert_at, whether the spend reached that share of the budget, and the share spent."),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .meta({ id: "Team" });

const KeyFields = {
  name: z.string().min(1).max(200),
  team_id: z.string().nullable().optional().describe("The team whose allow-list, budget and limits bound this key."),
  user: z.string().max(200).nullable().optional().describe("A label naming who holds the key."),
  models: Models.optional(),
  mcp: McpRules.optional(),
  tags: DefaultTags.optional(),
  expires_at: z.iso.datetime({ offset: true }).nullable().optional().describe("When the key stops working (ISO 8601)."),
  budget: Budget.optional(),
  limits: Limits.optional(),
  credentials: z
    .record(z.string().min(1), z.string().min(1))
    .optional()
    .describe(
      "Upstream secrets by provider name, used instead of the provider's api_key; stored encrypted, never returned.",
    ),
};
export const KeyCreate = z.object(KeyFields).strict();
export const KeyPatch = z
  .object({ ...KeyFields, disabled: z.boolean().optional() })
  .partial()
  .strict();
export const KeyRotate = z
  .object({
    grace_s: z
      .number()
      .int()
      .min(0)
      .max(30 * 86400)
      .default(0)
      .describe("Seconds the old key keeps working."),
  })
  .strict();
export const KeyListQuery = z
  .object({
    team_id: z.string().optional(),
    revoked: z
      .enum(["false", "true", "all"])
      .default("false")
      .describe("false: the keys in use; true: only revoked keys (they keep their names); all: both."),
  })
  .strict();

const Blocked = z
  .object({
    reason: z.enum(["revoked", "disabled", "expired", "budget", "team_budget"]),
    message: z.string().describe("Why, in words (the budget, what is spent, when it resets)."),
    until: z
      .string()
      .nullable()
      .describe("When it unblocks by itself (the budget's window ends); null: not by itself."),
  })
  .nullable()
  .meta({ id: "KeyBlocked" });

const KeyTeam = z
  .object({
    id: z.string(),
    name: z.string(),
    models: Models,
    budget: Budget,
    spend_usd: z.number(),
    budget_remaining_usd: z.number().nullable(),
    budget_resets_at: z.string().nullable(),
  })
  .nullable()
  .meta({ id: "KeyTeam" });

export const Key = z
  .object({
    id: z.string(),
    prefix: z.string().describe("The key's first characters, to recognise it."),
    name: z.string(),
    user: z.string().nullable(),
    team_id: z.string().nullable(),
    models: Models,
    mcp: McpRules.optional(),
    tags: DefaultTags.optional(),
    expires_at: z.string().nullable(),
    disabled: z.boolean(),
    revoked: z.boolean(),
    budget: Budget,
    limits: Limits,
    credentials: z.array(z.string()).describe("Providers the key carries its own secret for (never the secret)."),
    spend_usd: z
      .number()
      .describe("Spent in the budget's current window (all time without a budget), from the ledger."),
    budget_remaining_usd: z.number().nullable().optional().describe("What is left of the budget in its window."),
    budget_resets_at: z.string().nullable().optional().describe("When the budget's window ends (null: `total`)."),
    budget_alert: z
      .object({
        at: z.number().describe("billing.alert_at: the share of the budget that raises the soft alert."),
        reached: z.boolean().describe("Whether the spend in this window has reached it."),
        spent_share: z.number().describe("Spend in this window over the budget."),
      })
      .nullable()
      .optional()
      .describe("The soft budget alert (also logged once per window when it is reached)."),
    blocked: Blocked.optional().describe(
      "Why the key is refused now (revoked, disabled, expired, its budget or its team's spent), until when; null: it is not.",
    ),
    last_used_at: z.string().nullable().optional().describe("Its latest model call let through (ISO time)."),
    team: KeyTeam.optional().describe("Its team: name, allow-list, budget and spend in the team's window."),
    allowed_models: z
      .string()
      .optional()
      .describe("The models it may use, in words: its allow-list within its team's (`claude-*, gpt-low (team data)`)."),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .meta({ id: "Key" });
export const MintedKey = Key.extend({ key: z.string().describe("The secret: shown once, never again.") }).meta({
  id: "MintedKey",
});
export const RotatedKey = MintedKey;

export const ErrorBody = z
  .object({
    error: z.object({
      message: z.string(),
      type: z.string(),
      field: z.string().optional().describe("The body or query field at fault."),
    }),
  })
  .meta({ id: "ErrorBody" });
export const Deleted = z.object({ id: z.string(), deleted: z.literal(true) }).meta({ id: "Deleted" });
export const TeamList = z.object({ data: z.array(Team) }).meta({ id: "TeamList" });
export const KeyList = z.object({ data: z.array(Key) }).meta({ id: "KeyList" });
