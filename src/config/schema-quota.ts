import { z } from "zod";

/** A budget: dollars spent per calendar window (in billing.timezone). */
export const BudgetSchema = z
  .object({
    usd: z.number().positive().describe("The budget in USD."),
    period: z.enum(["day", "week", "month", "total"]).describe("Calendar window it applies to (billing.timezone)."),
    downgrade: z
      .object({
        at: z.number().gt(0).lt(1).describe("The share of the budget spent past which requests are downgraded (0.8)."),
        to: z.string().min(1).max(200).describe("The cheaper alias (a key of `models`) that serves them then."),
      })
      .strict()
      .optional()
      .describe(
        "A soft budget: past `at` of it, requests are served by the cheaper alias `to` (said in llmux-route, llmux-warnings and the log); the budget itself still refuses.",
      ),
  })
  .strict();

/** Rate limits: requests and tokens per minute, requests in flight. */
export const LimitsSchema = z
  .object({
    rpm: z.number().int().positive().optional().describe("Requests per minute."),
    tpm: z.number().int().positive().optional().describe("Tokens per minute."),
    concurrency: z.number().int().positive().optional().describe("Requests in flight at once."),
  })
  .strict();

/**
 * The quota of one holder the configuration names (a tag value, a user label): a budget and rate limits, both
 * optional, each described by what it applies to.
 */
export function quotaSchema(budgetOf: string, limitsOf: string) {
  return z
    .object({
      budget: BudgetSchema.optional().describe(budgetOf),
      limits: LimitsSchema.optional().describe(limitsOf),
    })
    .strict();
}
