import { z } from "zod";
import { secret } from "./secret-fields.js";

const Hook = z
  .object({
    type: z
      .enum(["webhook", "slack", "teams"])
      .describe("webhook: JSON with an HMAC signature header; slack, teams: their incoming-webhook formats."),
    url: secret(z.url().describe("Where the alert is POSTed (an incoming-webhook URL for Slack and Teams).")),
    secret: secret(
      z
        .string()
        .min(8)
        .optional()
        .describe(
          "webhook: the HMAC-SHA256 key of the llmux-signature header: sealed (`sealed:…`, from `llmux secrets seal`, opened with secrets.master_key) or from an environment variable; never logged.",
        ),
    ),
  })
  .strict();

const Smtp = z
  .object({
    host: z.string().min(1).describe("The SMTP server (a relay of your mail provider)."),
    port: z
      .number()
      .int()
      .min(1)
      .max(65535)
      .default(587)
      .describe("587 (submission, STARTTLS) by default; 465 with `secure`."),
    secure: z
      .boolean()
      .default(false)
      .describe(
        "true: TLS from the first byte (port 465); false: plain, upgraded with STARTTLS when the server offers it.",
      ),
    user: z.string().min(1).optional().describe("The login, when the server asks for one."),
    password: secret(
      z
        .string()
        .min(1)
        .optional()
        .describe(
          "The login's password: sealed (`sealed:…`, from `llmux secrets seal`, opened with secrets.master_key) or from an environment variable; never logged.",
        ),
    ),
  })
  .strict();

const Email = z
  .object({
    type: z.literal("email").describe("email: a plain-text mail through an SMTP server."),
    smtp: Smtp.describe("The SMTP server the mail is handed to, and the login it wants."),
    from: z.string().min(3).describe("The sender (`llmux <alerts@example.com>` or an address)."),
    to: z.array(z.string().min(3)).min(1).describe("The recipients."),
  })
  .strict();

const Destination = z.discriminatedUnion("type", [Hook, Email]);

export const ALERT_RULES = [
  "budget_share",
  "budget_blocked",
  "budget_downgrade",
  "deployment_down",
  "alias_down",
  "error_rate",
  "cache_hit_rate",
  "guardrail_hit",
  "daily_report",
  "weekly_report",
] as const;

const Rule = z
  .object({
    on: z
      .enum(ALERT_RULES)
      .describe(
        "budget_share: a key's, team's, user's or tag's spend passed billing.alert_at of its budget; budget_blocked: a request was refused by a budget; budget_downgrade: a key's (team's, user's, tag's) requests began to be served by its budget's cheaper `downgrade.to` alias; deployment_down: a deployment cools down; alias_down: every deployment of an alias cools down; error_rate: a deployment's share of failed requests in a window (counted across instances in the hot state) passed `threshold`; cache_hit_rate: a model's cache-read share of input in a window (likewise) fell below `threshold`; guardrail_hit: the guardrails blocked or masked a secret (once per rule, key and window_s, never the value); daily_report, weekly_report: each team's spend of the day or week (Monday to Monday) before, in billing.timezone.",
      ),
    to: z.array(z.string().min(1)).min(1).describe("Names of destinations."),
    threshold: z
      .number()
      .min(0)
      .max(1)
      .optional()
      .describe(
        "error_rate: the failed share that alerts (default 0.2); cache_hit_rate: the share below which it alerts (default 0.5).",
      ),
    window_s: z
      .number()
      .int()
      .min(10)
      .default(300)
      .describe(
        "error_rate, cache_hit_rate: the window the shares are measured over (at most one alert each); guardrail_hit: at most one alert per rule and key in it.",
      ),
    min_requests: z
      .number()
      .int()
      .min(1)
      .default(20)
      .describe("error_rate, cache_hit_rate: requests a window needs before its share counts."),
  })
  .strict();

/** Alerts pushed to webhooks, Slack, Teams or email (`alerts:`), each once per window and state change. */
export const AlertsSchema = z
  .object({
    destinations: z.record(z.string(), Destination).default({}).describe("Where alerts go, by a name of your choice."),
    rules: z.array(Rule).default([]).describe("Which events go where."),
  })
  .strict()
  .default({ destinations: {}, rules: [] })
  .describe("Alerts pushed, not only logged.");
