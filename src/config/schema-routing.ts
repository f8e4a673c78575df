import { z } from "zod";
import { ACTIONS, ERROR_CLASSES } from "./routing-defaults.js";
import { LimitFields } from "./schema-limits.js";

export const DeploymentSchema = z
  .object({
    provider: z.string().min(1).describe("A key of `providers`."),
    model: z.string().min(1).optional().describe("The upstream model (Azure: deployment). Default: the alias."),
    weight: z.number().positive().default(1).describe("Share of traffic under the weighted strategy."),
    rpm: z.number().int().positive().optional().describe("The deployment's own quota: requests per minute."),
    tpm: z.number().int().positive().optional().describe("The deployment's own quota: tokens per minute."),
    concurrency: z
      .number()
      .int()
      .positive()
      .optional()
      .describe("The deployment's own limit of requests in flight (on every instance together)."),
    name: z
      .string()
      .min(1)
      .optional()
      .describe("How logs, headers and /admin/v1/deployments name it. Default: provider/model."),
    ...LimitFields,
  })
  .strict();

export const RoutingSchema = z
  .object({
    strategy: z
      .enum(["weighted", "least-busy", "latency"])
      .default("weighted")
      .describe("How a deployment is picked: by weight, fewest requests in flight, or lowest time to first token."),
    retries: z
      .number()
      .int()
      .min(0)
      .max(10)
      .default(2)
      .describe("Further attempts on other deployments after a failure (before any byte reached the client)."),
    cooldown_s: z
      .number()
      .positive()
      .default(30)
      .describe("How long a failing deployment gets no traffic before a single probe request."),
    allowed_fails: z
      .number()
      .int()
      .positive()
      .default(3)
      .describe("Failures within the window, at half or more of its requests, that cool a deployment down."),
    window_s: z.number().positive().default(60).describe("The window over which failures are counted."),
    max_total_ms: z
      .number()
      .int()
      .positive()
      .default(120_000)
      .describe(
        "Time the attempt loop may take in all: a call still unanswered then is cancelled and the last failure (or a 504) answered.",
      ),
    actions: z
      .partialRecord(z.enum(ERROR_CLASSES), z.enum(ACTIONS))
      .default({})
      .describe("Per error class: retry (another deployment), fallback (the fallback aliases) or surface (answer it)."),
    affinity: z
      .boolean()
      .default(true)
      .describe("Keep a conversation on the deployment that holds its prompt cache while it is healthy."),
  })
  .strict();

export type DeploymentConfig = z.infer<typeof DeploymentSchema>;
export type RoutingConfig = z.infer<typeof RoutingSchema>;
