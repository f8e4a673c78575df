import { z } from "zod";

/** A maintained price list llmux reads, and reads again on an interval (`price_list:`). */
export const PriceListSchema = z
  .object({
    source: z
      .string()
      .min(1)
      .describe('An http(s) URL or a file path of a JSON price list: {"models": {"<model>": {input, output, …}}}.'),
    refresh_s: z.number().int().min(10).default(3600).describe("How often the list is read again, in seconds."),
  })
  .strict()
  .optional()
  .describe("A price list kept up to date without a restart: between prices: and the prices llmux ships.");
