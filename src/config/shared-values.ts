/**
 * Values the configuration's schema and the running gateway share: plain constants, so that a started
 * gateway reads them without loading the schema (and zod) into its memory.
 */

/** Azure's reasoning summary levels (`AZURE_SUMMARY_LEVEL`, a model's `reasoning_summary`). */
export const SUMMARIES = ["auto", "concise", "detailed", "none"] as const;

/** What each guardrail rule group does when a policy names no action for it. */
export const GUARDRAIL_DEFAULT_ACTIONS = {
  secrets: "mask",
  entropy: "warn",
  pii: "warn",
  custom: "block",
  llmux: "block",
} as const;

/** `> 120000`, `< 2k`, `>120k`: a comparison with a count (k: thousands, m: millions). */
export const COMPARISON = /^\s*([<>])\s*(\d+(?:\.\d+)?)\s*([kKmM]?)\s*$/;
/** `> 0.8`, `< 50%`: a comparison with a share of a budget. */
export const SHARE_COMPARISON = /^\s*([<>])\s*(\d+(?:\.\d+)?)\s*(%?)\s*$/;
/** `09:00-18:00` (in billing.timezone; `22:00-06:00` spans midnight). */
export const TIME_RANGE = /^\s*([01]\d|2[0-3]):([0-5]\d)\s*-\s*([01]\d|2[0-3]|24):([0-5]\d)\s*$/;

/** A server's name: the prefix of its tools (`github__create_issue`) and the path of its own endpoint (`/mcp/github`). */
export const MCP_SERVER_NAME = /^[A-Za-z0-9][A-Za-z0-9-]*(?:_[A-Za-z0-9-]+)*$/;
