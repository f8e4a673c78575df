import { z } from "zod";

const Action = z
  .enum(["block", "mask", "warn", "off"])
  .describe(
    "block: refuse the request naming the rule and where; mask: send a placeholder, put the value back in the answer; warn: pass with llmux-warnings; off: ignore.",
  );

const GROUP_WORDS = {
  secrets: "The public rule set (gitleaks' default rules: cloud keys, tokens, private keys, JWTs, database URLs…).",
  entropy: "High-entropy values assigned to names that say they are secrets (`api_key = …`).",
  pii: "Personal data (email addresses, card numbers passing Luhn, IBANs, phone numbers), when `pii` is on.",
  custom: "The rules of `guardrails.rules` that name no group of their own.",
  llmux: "llmux's own configured secrets (provider keys, service keys) and the caller's key.",
} as const;

/** The action of each rule group. */
const Actions = z
  .object(
    Object.fromEntries(
      Object.entries(GROUP_WORDS).map(([g, words]) => [g, Action.optional().describe(words)]),
    ) as Record<keyof typeof GROUP_WORDS, z.ZodOptional<typeof Action>>,
  )
  .strict();

/** What a team, a key or an alias sets over the gateway's policy. */
export const GuardrailPolicySchema = z
  .object({
    actions: Actions.optional().describe("The action of each rule group, over the gateway's."),
    dry_run: z.boolean().optional().describe("Record what each action would have done, and do none of it."),
  })
  .strict();

const MAX_PATTERN = 500;

const CustomRule = z
  .object({
    id: z
      .string()
      .regex(/^[a-z0-9][a-z0-9_.-]{0,63}$/, "a rule id is lower-case letters, digits, _ . - (at most 64)")
      .describe("The rule's name, as findings report it."),
    pattern: z
      .string()
      .min(1)
      .max(MAX_PATTERN)
      .refine((p) => {
        try {
          new RegExp(p, "dg");
          return true;
        } catch {
          return false;
        }
      }, "a JavaScript regular expression")
      .describe("A JavaScript regular expression; its first group, when it has one, is the secret."),
    group: z
      .enum(["secrets", "entropy", "pii", "custom", "llmux"])
      .optional()
      .describe("The group whose action applies (default: custom)."),
  })
  .strict();

export const GuardrailsSchema = z
  .object({
    enabled: z.boolean().default(false).describe("Scan what leaves for an upstream. Off by default."),
    actions: Actions.default({}).describe(
      "The action of each rule group for the whole gateway; default secrets: mask, entropy: warn, pii: warn, custom: block, llmux: block.",
    ),
    dry_run: z
      .boolean()
      .default(false)
      .describe("Record (request log, llmux-warnings, metrics) what each action would have done, for rollout."),
    entropy: z.boolean().default(true).describe("The entropy check with keyword context."),
    pii: z.boolean().default(false).describe("The personal-data detectors."),
    rules: z.array(CustomRule).max(200).default([]).describe("The team's own expressions."),
    teams: z
      .record(z.string().min(1), GuardrailPolicySchema)
      .default({})
      .describe("Policies by team id (team_…), over the gateway's."),
    keys: z
      .record(z.string().min(1), GuardrailPolicySchema)
      .default({})
      .describe("Policies by minted key id or name, over its team's."),
    cache_entries: z
      .number()
      .int()
      .min(0)
      .max(1_000_000)
      .default(20_000)
      .describe(
        "Verdicts kept by content hash in this process (and shared through the hot state), so a resent history is not scanned again.",
      ),
    mapping_ttl_hours: z
      .number()
      .positive()
      .max(24 * 365)
      .default(24 * 30)
      .describe(
        "How long a masked value's mapping is kept (encrypted) for a Responses conversation that does not resend its history.",
      ),
  })
  .strict()
  .default({
    enabled: false,
    actions: {},
    dry_run: false,
    entropy: true,
    pii: false,
    rules: [],
    teams: {},
    keys: {},
    cache_entries: 20_000,
    mapping_ttl_hours: 24 * 30,
  })
  .describe("Secret and personal-data detection on what leaves for an upstream: block, mask (and restore) or warn.");

/**
 * The gateway's policy as the admin API sets it at run time (PUT /admin/v1/guardrails): the fields of
 * `guardrails` a policy is made of, each left out staying as the configuration file sets it.
 */
export const GuardrailsGatewayPolicySchema = z
  .object({
    enabled: z.boolean().optional().describe("Scan what leaves for an upstream."),
    actions: Actions.optional().describe("The action of each rule group for the whole gateway."),
    dry_run: z.boolean().optional().describe("Record what each action would have done, and do none of it."),
    entropy: z.boolean().optional().describe("The entropy check with keyword context."),
    pii: z.boolean().optional().describe("The personal-data detectors."),
    rules: z.array(CustomRule).max(200).optional().describe("The team's own expressions (in place of the file's)."),
  })
  .strict();

export type GuardrailsConfig = z.infer<typeof GuardrailsSchema>;
export type GuardrailsGatewayPolicy = z.infer<typeof GuardrailsGatewayPolicySchema>;
export type GuardrailPolicy = z.infer<typeof GuardrailPolicySchema>;
export type GuardrailAction = z.infer<typeof Action>;
