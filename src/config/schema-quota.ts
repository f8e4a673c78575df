import { z } from "zod";

/** A budget: dollars spent per calendar window (in billing.timezone). */
export const BudgetSchema = z
  .object({
    usd: z.number().positive().describe("The budget in USD."),
    period: z.enum(["day", "week", "month", "total"]).describe("Calendar window it applies to (billing.timezone)."),
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
