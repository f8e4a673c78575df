import { z } from "zod";

/** The request log's settings, under `logging:` (the request log, its bodies, redaction, live conversations). */
export const REQUEST_LOG_DEFAULTS = {
  requests: true,
  retention_days: 30,
  bodies: "off" as const,
  bodies_retention_days: 7,
  body_max_kb: 1024,
  redact: [] as string[],
  conversations: false,
};

function compiles(pattern: string): boolean {
  try {
    new RegExp(pattern, "g");
    return true;
  } catch {
    return false;
  }
}

export const RequestLogFields = {
  requests: z
    .boolean()
    .default(REQUEST_LOG_DEFAULTS.requests)
    .describe(
      "Keep a row per request in the store (the request log: GET /admin/v1/requests, `llmux logs`). Health checks and the admin API's own calls are not logged.",
    ),
  retention_days: z
    .number()
    .positive()
    .default(REQUEST_LOG_DEFAULTS.retention_days)
    .describe("Request log rows older than this are deleted (in the background, in small batches)."),
  bodies: z
    .enum(["off", "errors", "all"])
    .default(REQUEST_LOG_DEFAULTS.bodies)
    .describe(
      "Also keep the bodies (client request, upstream request, upstream response, client response), redacted and compressed: off, only for requests that failed, were refused or were aborted (errors), or for every request (all).",
    ),
  bodies_retention_days: z
    .number()
    .positive()
    .default(REQUEST_LOG_DEFAULTS.bodies_retention_days)
    .describe("Kept bodies older than this are deleted (their request's row stays for retention_days)."),
  body_max_kb: z
    .number()
    .positive()
    .default(REQUEST_LOG_DEFAULTS.body_max_kb)
    .describe("Each body is kept up to this many kilobytes; a longer one is cut there and marked truncated."),
  redact: z
    .array(z.string().min(1).refine(compiles, "not a valid regular expression"))
    .default(REQUEST_LOG_DEFAULTS.redact)
    .describe(
      "Extra regular expressions whose matches are replaced by [REDACTED] in kept bodies and recordings (API keys, bearer tokens, llmux keys and configured secrets are always redacted).",
    ),
  conversations: z
    .boolean()
    .default(REQUEST_LOG_DEFAULTS.conversations)
    .describe(
      "Print each finished request's conversation on standard output (Markdown rendered, code highlighted, tool calls and reasoning shown), like `llmux logs`.",
    ),
};
