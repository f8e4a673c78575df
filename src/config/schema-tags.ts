import { z } from "zod";
import { TAG_PATTERN } from "../text/tag.js";

/** Budgets and limits on a tag value (`tags:`): enforced like a key's or a team's, over every request carrying it. */
export const TagsSchema = z
  .record(
    z.string().regex(TAG_PATTERN, "a tag is key=value (letters, digits, _ . : / -), e.g. project=checkout"),
    z
      .object({
        budget: z
          .object({
            usd: z.number().positive().describe("The budget in USD."),
            period: z.enum(["day", "week", "month", "total"]).describe("Calendar window (billing.timezone)."),
          })
          .strict()
          .optional()
          .describe("The budget of every request carrying this tag."),
        limits: z
          .object({
            rpm: z.number().int().positive().optional().describe("Requests per minute."),
            tpm: z.number().int().positive().optional().describe("Tokens per minute."),
            concurrency: z.number().int().positive().optional().describe("Requests in flight."),
          })
          .strict()
          .optional()
          .describe("Rate limits of every request carrying this tag."),
      })
      .strict(),
  )
  .default({})
  .describe(
    "Budgets and limits per tag value, e.g. `project=checkout: {budget: {usd: 500, period: month}}`. Requests carry tags in the llmux-tags header.",
  );
