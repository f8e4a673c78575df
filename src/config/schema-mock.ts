import { z } from "zod";
import { MOCK_PRICE, PriceSchema } from "./schema-team.js";

/** `type: mock` under `providers:`: the built-in mock model. */
export const MockProviderSchema = z
  .object({
    type: z.literal("mock").describe("The built-in mock model."),
    dialect: z
      .enum(["anthropic", "openai-chat", "openai-responses", "gemini"])
      .default("openai-responses")
      .describe("The API the mock answers in, so that the same translation as a real upstream runs."),
    reply: z.string().optional().describe("Text the mock answers with; by default it echoes the last user message."),
    price: PriceSchema.default(MOCK_PRICE).describe(
      "What its answers cost, USD per million tokens, whatever model name it answers (default: input 3, output 15, a mid-range coding model's list price, so budgets tried against it are spent; { input: 0, output: 0 }: free).",
    ),
  })
  .strict()
  .describe("The built-in mock model: no network, no account.");
