import { z } from "zod";
import { quotaSchema } from "./schema-quota.js";
import { OidcSchema, UiSchema } from "./schema-ui.js";
import { secret } from "./secret-fields.js";

/** An admin key bound to one team: its holder administers that team only (a team admin). */
export const AdminKeySchema = z
  .object({
    key: secret(z.string().min(1).describe("The bearer token.")),
    team: z.string().min(1).describe("The team it administers: its id (team_…) or its name."),
    name: z
      .string()
      .min(1)
      .max(60)
      .optional()
      .describe("Who holds it, in words (the audit log's actor: `admin key <name>`)."),
  })
  .strict();

/** Who may use the admin API (`/admin/v1`). */
export const AdminSchema = z
  .object({
    keys: z
      .array(z.union([secret(z.string().min(1)), AdminKeySchema]))
      .default([])
      .describe(
        "Bearer tokens for /admin/v1: a string is a full admin key; {key, team, name} a team admin's key (that team's keys, spend, requests, sessions and audit entries only). Empty: the admin API is off.",
      ),
    ui: UiSchema,
    oidc: OidcSchema.optional(),
  })
  .strict()
  .default({ keys: [], ui: { enabled: true, session_hours: 12 } })
  .describe("The admin API: teams, minted keys, stored credentials.");

/** The master key that seals stored upstream credentials. */
export const SecretsSchema = z
  .object({
    master_key: secret(
      z
        .string()
        .min(1)
        .optional()
        .describe(
          "Encrypts stored upstream credentials (AES-256-GCM). Read it from the environment (LLMUX_MASTER_KEY); it is never stored in the database.",
        ),
    ),
    previous_master_keys: secret(
      z
        .array(z.string().min(1))
        .default([])
        .describe(
          "Master keys being rotated out: credentials they sealed still open until `llmux secrets rotate` re-seals them.",
        ),
    ),
  })
  .strict()
  .default({ previous_master_keys: [] })
  .describe("Secrets llmux needs to keep other secrets.");

/** Self-service signup: bring an upstream key, get a minted key bound to it. */
export const SignupSchema = z
  .object({
    enabled: z.boolean().default(false).describe("Answer POST /v1/signup. Off by default."),
    providers: z
      .array(z.string().min(1))
      .default([])
      .describe("Providers (keys of `providers`) whose keys may be brought; empty: every configured provider."),
    per_hour: z.number().int().positive().default(10).describe("Signups allowed per client address per hour."),
  })
  .strict()
  .default({ enabled: false, providers: [], per_hour: 10 })
  .describe("Self-service signup: verify an upstream key, store it encrypted, answer a minted key bound to it.");

/** Hot shared state: rate counters, concurrency slots, cooldowns, affinity (memory, or Redis shared by instances). */
export const StateSchema = z
  .object({
    url: secret(
      z
        .string()
        .regex(
          /^rediss?(\+sentinel|\+cluster)?:\/\//,
          "a redis:// or rediss:// URL, redis+sentinel://host:26379,…/mastername (Sentinel) or redis+cluster://host:7000,… (Redis Cluster)",
        )
        .refine((u) => !/^rediss?:\/\/[^/]*,/.test(u), {
          message:
            "a list of hosts needs redis+sentinel://host:26379,…/mastername (Sentinel) or redis+cluster://host:7000,… (Redis Cluster)",
        })
        .optional()
        .describe(
          "Where the hot state is shared by every instance: redis://127.0.0.1:6379 (one server), redis+sentinel://[:password@]host1:26379,host2:26379/mymaster[?db=N] (the primary Sentinels name, followed across failovers) or redis+cluster://[:password@]host1:7000,host2:7001,host3:7002 (a Redis Cluster); rediss… for TLS. Rate counters, concurrency slots, cooldowns and affinity live there. Absent: kept in this process.",
        ),
      "url",
    ),
    prefix: z
      .string()
      .min(1)
      .default("llmux:")
      .describe("Prefix of every key llmux writes in Redis (several gateways can share one server)."),
    on_failure: z
      .enum(["degrade", "fail-closed"])
      .default("degrade")
      .describe(
        "While Redis is unreachable. degrade: keep serving with this instance's own counters (limits per instance) and log it; fail-closed: refuse requests that need shared state (503).",
      ),
    timeout_ms: z
      .number()
      .int()
      .positive()
      .default(500)
      .describe("A Redis operation slower than this counts as a failure."),
    failover_wait_ms: z
      .number()
      .int()
      .positive()
      .max(60_000)
      .optional()
      .describe(
        "redis+sentinel:// only: how long after the connection to the primary is lost (or a write is refused with READONLY) operations wait for llmux to reach the primary the Sentinels name, instead of answering under on_failure. Default 2000 or twice timeout_ms, whichever is longer.",
      ),
  })
  .strict()
  .default({ prefix: "llmux:", on_failure: "degrade", timeout_ms: 500 })
  .describe("Where hot shared state lives.");

const usdPerMillion = z.number().min(0).describe("USD per million tokens.");

/** One model's prices (USD per million tokens), extending or replacing the shipped table's row. */
export const PriceSchema = z
  .object({
    input: usdPerMillion,
    output: usdPerMillion,
    cache_read: usdPerMillion.optional(),
    cache_write_5m: usdPerMillion.optional(),
    cache_write_1h: usdPerMillion.optional(),
    reasoning: usdPerMillion.optional(),
    search_unit: z
      .number()
      .nonnegative()
      .optional()
      .describe("USD per search unit (Cohere rerank: one query with up to 100 documents)."),
    long_context: z
      .object({
        above_tokens: z.number().int().positive().describe("The tier applies when the input is larger than this."),
        input: usdPerMillion.optional(),
        output: usdPerMillion.optional(),
        cache_read: usdPerMillion.optional(),
        cache_write_5m: usdPerMillion.optional(),
        cache_write_1h: usdPerMillion.optional(),
      })
      .strict()
      .optional()
      .describe("Prices for long requests (e.g. above 200k input tokens)."),
  })
  .strict();

/**
 * The built-in mock model's price unless its configuration says otherwise (USD per million tokens): the list
 * price of a mid-range coding model (Claude Sonnet, GPT-5-class input/output rates are of this order), so a
 * budget tried against the mock is spent about as a team's real traffic would spend it.
 */
export const MOCK_PRICE = { input: 3, output: 15 } as const;

export const PricesSchema = z
  .record(z.string(), PriceSchema)
  .default({})
  .describe("Model prices (upstream model names) that extend or override the table llmux ships.");

/** Budget windows and the ledger's local spool. */
export const BillingSchema = z
  .object({
    timezone: z
      .string()
      .default("UTC")
      .describe("Time zone of budget windows (day, week, month): an IANA name such as Europe/Berlin."),
    alert_at: z
      .number()
      .gt(0)
      .max(1)
      .default(0.8)
      .describe("Share of a budget at which a warning is logged, once per window."),
    budget_wait_ms: z
      .number()
      .int()
      .min(0)
      .max(60_000)
      .default(3000)
      .describe(
        "How long a request that does not fit its budget only because of requests in flight waits for them to settle before it is refused (ms; 0: refused at once).",
      ),
    spool_dir: z
      .string()
      .optional()
      .describe(
        "Directory of the ledger's journal and spool (rows not yet in the database). Default: store.path's directory.",
      ),
    users: z
      .record(
        z.string().min(1),
        quotaSchema("The user's budget, over all their keys.", "The user's rate limits, over all their keys.").describe(
          "One user's quotas.",
        ),
      )
      .default({})
      .describe("Budgets and limits per user label (a key's `user`), shared by every key of that user."),
  })
  .strict()
  .default({ timezone: "UTC", alert_at: 0.8, budget_wait_ms: 3000, users: {} })
  .describe("How spend is counted against budgets, and kept when the database is away.");
