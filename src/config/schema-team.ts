import { z } from "zod";

/** Who may use the admin API (`/admin/v1`). */
export const AdminSchema = z
  .object({
    keys: z.array(z.string().min(1)).default([]).describe("Bearer tokens for /admin/v1. Empty: the admin API is off."),
  })
  .strict()
  .default({ keys: [] })
  .describe("The admin API: teams, minted keys, stored credentials.");

/** The master key that seals stored upstream credentials. */
export const SecretsSchema = z
  .object({
    master_key: z
      .string()
      .min(1)
      .optional()
      .describe(
        "Encrypts stored upstream credentials (AES-256-GCM). Read it from the environment (LLMUX_MASTER_KEY); it is never stored in the database.",
      ),
    previous_master_keys: z
      .array(z.string().min(1))
      .default([])
      .describe(
        "Master keys being rotated out: credentials they sealed still open until `llmux secrets rotate` re-seals them.",
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

/** Hot shared state: counters, reservations, cooldowns, affinity (memory, or Redis shared by instances). */
export const StateSchema = z
  .object({
    url: z
      .string()
      .regex(/^rediss?:\/\//, "a redis:// or rediss:// URL")
      .optional()
      .describe(
        "A Redis URL (redis://127.0.0.1:6379): rate counters, budget reservations, cooldowns and affinity are shared by every instance. Absent: kept in this process.",
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
  })
  .strict()
  .default({ prefix: "llmux:", on_failure: "degrade", timeout_ms: 500 })
  .describe("Where hot shared state lives.");
