import { z } from "zod";

const Destination = z
  .object({
    type: z
      .enum(["webhook", "slack", "teams"])
      .describe("webhook: JSON with an HMAC signature header; slack, teams: their incoming-webhook formats."),
    url: z.url().describe("Where the alert is POSTed (an incoming-webhook URL for Slack and Teams)."),
    secret: z
      .string()
      .min(8)
      .optional()
      .describe(
        "webhook: the HMAC-SHA256 key of the llmux-signature header (from an environment variable; never logged).",
      ),
  })
  .strict();

const Rule = z
  .object({
    on: z
      .enum(["budget_share", "budget_blocked"])
      .describe(
        "budget_share: a key's, team's, user's or tag's spend passed billing.alert_at of its budget; budget_blocked: a request was refused by a budget.",
      ),
    to: z.array(z.string().min(1)).min(1).describe("Names of destinations."),
  })
  .strict();

/** Alerts pushed to webhooks, Slack or Teams (`alerts:`), each once per budget window and state change. */
export const AlertsSchema = z
  .object({
    destinations: z.record(z.string(), Destination).default({}).describe("Where alerts go, by a name of your choice."),
    rules: z.array(Rule).default([]).describe("Which events go where."),
  })
  .strict()
  .default({ destinations: {}, rules: [] })
  .describe("Alerts pushed, not only logged.");
