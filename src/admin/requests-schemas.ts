import { z } from "zod";
import { ERROR_CLASS_MEANINGS, ERROR_CLASSES } from "../request/error-class.js";
import { TokenCounts } from "./schemas.js";

/** The request log's queries and answers (GET /admin/v1/requests, /requests/{id}, /stats), as zod schemas. */

/** The error classes and what each means, for the OpenAPI (the same names as the metrics' error_class label). */
const classes = Object.entries(ERROR_CLASS_MEANINGS)
  .map(([name, meaning]) => `${name}: ${meaning}`)
  .join("; ");

const filters = {
  key_id: z.string().optional().describe("Only this minted key's requests."),
  team_id: z.string().optional(),
  user: z.string().optional().describe("A key's user label."),
  model: z.string().optional().describe("Matches the alias, the model asked for, or the upstream model."),
  provider: z.string().optional(),
  deployment: z.string().optional(),
  mcp_server: z.string().optional().describe("Only MCP tool calls to this server (`*`: to any)."),
  status: z
    .string()
    .regex(/^(\d{3}|[1-5]xx)$/i, "a status code like 429, or a class like 4xx")
    .optional()
    .describe("An exact status (429) or a class (2xx, 4xx, 5xx)."),
  outcome: z.enum(["ok", "error", "aborted", "refused"]).optional(),
  error_class: z.enum(ERROR_CLASSES).optional().describe(`The class of failure (${classes}).`),
  client_tool: z.string().optional().describe("claude-code, codex, cursor, opencode, gemini-cli, openai-sdk, …"),
  errors: z.enum(["true", "false"]).optional().describe("true: only failed and refused requests."),
  method: z.string().optional().describe("GET, POST, …"),
  path: z.string().optional().describe("The path, exactly; ending in `*`, every path starting with the rest."),
  kind: z
    .string()
    .regex(/^[a-z_]{1,32}$/, "a kind of call: generate, embeddings, completions, rerank, count_tokens, …")
    .optional()
    .describe(
      "Only calls of this kind: generate (chat), embeddings, completions (autocomplete), rerank, count_tokens, models, …",
    ),
  calls: z
    .enum(["model", "other"])
    .optional()
    .describe(
      "model: only model calls (generation, embeddings, fill-in-the-middle, rerank); other: the rest (model lists, token counts, stored responses, unknown routes).",
    ),
  from: z.string().optional().describe("ISO time or date (inclusive)."),
  to: z.string().optional().describe("ISO time or date (exclusive)."),
};

export const RequestsQuery = z
  .object({
    ...filters,
    limit: z.coerce.number().int().min(1).max(500).default(50).describe("Rows per page (at most 500)."),
    before: z.string().optional().describe("The cursor from the previous page's next_before."),
  })
  .strict();

export const StatsQuery = z
  .object({
    ...filters,
    from: z.string().optional().describe("ISO time or date; default: an hour ago."),
    to: z.string().optional().describe("ISO time or date; default: now."),
    bucket: z
      .enum(["minute", "hour", "day"])
      .optional()
      .describe("Bucket size; default: chosen from the range (minutes up to 3 hours, hours up to 7 days)."),
  })
  .strict();

const Warning = z.object({ code: z.string(), message: z.string() }).meta({ id: "Warning" });

const WebCall = z
  .union([
    z.object({
      tool: z.literal("search"),
      query: z.string().describe("The query (200 characters at most)."),
      status: z.string().describe("ok, or the tool's error code (timeout, too_many_requests, max_uses_exceeded…)."),
      results: z.number().int().describe("Results given to the model."),
      domains: z.array(z.string()).describe("The results' domains, each once (10 at most)."),
    }),
    z.object({
      tool: z.literal("fetch"),
      domain: z.string(),
      path: z.string().describe("The page's path (200 characters at most), never its query string."),
      status: z.string().describe("ok, or the tool's error code (url_not_allowed, url_not_accessible, timeout…)."),
      redirected_to: z.string().optional().describe("The domain a redirect ended on, when another."),
      content_type: z.string().optional(),
      bytes: z.number().int().optional().describe("Bytes read from the network."),
      truncated: z.boolean().optional().describe("The page was cut at search.fetch.max_bytes."),
    }),
  ])
  .meta({ id: "WebCall" });

const WebCalls = z
  .object({
    searches: z.number().int(),
    fetches: z.number().int(),
    calls: z.array(WebCall).describe("Each call, in order (the first 40)."),
    omitted: z.number().int().optional().describe("Calls past the first 40, counted only."),
  })
  .meta({ id: "WebCalls" });

export const RequestRowSchema = z
  .object({
    id: z.string().describe("llmux's request id (the x-request-id it answered with)."),
    client_request_id: z.string().nullable().describe("The client's own x-request-id, if it sent one."),
    time: z.string().describe("When the request arrived (ISO 8601, UTC)."),
    key_id: z.string().nullable(),
    key_name: z.string().nullable().describe("The key's name (`config:…` for a service key); never the key."),
    team_id: z.string().nullable(),
    user: z.string().nullable(),
    method: z.string(),
    path: z.string(),
    kind: z
      .string()
      .nullable()
      .describe("The kind of call: generate (a model call), count_tokens, models, model, response_get, …"),
    model_call: z.boolean().describe("A model call (counted in the stats and, with a minted key, in spend)."),
    client_dialect: z.string().nullable().describe("anthropic, openai-chat, openai-responses or gemini."),
    client_tool: z.string().nullable(),
    session_id: z.string().nullable().describe("The coding session, as the tool names it (see /admin/v1/sessions)."),
    agent_id: z.string().nullable().describe("The sub-agent that sent it (null: the session's main agent)."),
    parent_agent_id: z.string().nullable(),
    requested_model: z.string().nullable(),
    alias: z.string().nullable(),
    provider: z.string().nullable(),
    deployment: z.string().nullable(),
    model: z.string().nullable().describe("The upstream model."),
    stream: z.boolean().nullable(),
    status: z.number().int().describe("0 when no status was written (the client left first)."),
    outcome: z.enum(["ok", "error", "aborted", "refused"]),
    error_class: z
      .enum(ERROR_CLASSES)
      .nullable()
      .describe(`Why the request did not end well (null when it did): ${classes}.`),
    reason: z.string().nullable().describe("Why it failed or was refused, in words (redacted)."),
    latency_ms: z.number(),
    ttft_ms: z.number().nullable().describe("Time to the first byte of the answer."),
    overhead_ms: z.number().nullable().describe("Time llmux itself added, when measured."),
    ...TokenCounts,
    cache_hit_rate: z.number().nullable().describe("Cache-read input ÷ all input (null: no input)."),
    estimated: z.boolean().describe("The usage (or the price) was estimated by llmux."),
    cost_usd: z.number(),
    attempts: z.number().int().describe("Upstream calls made."),
    route: z.string().nullable().describe("The llmux-route header: what served, and what failed before."),
    warnings: z.array(Warning),
    has_bodies: z.boolean().describe("The bodies were kept (logging.bodies)."),
    guardrail_findings: z
      .array(
        z.object({
          rule: z.string(),
          group: z.string(),
          location: z.string().describe("Where: message 3, system, tool result of read_file (message 4)…"),
          action: z.enum(["block", "mask", "warn"]).describe("What was done (in a dry run: what would have been)."),
          dry_run: z.boolean(),
        }),
      )
      .describe("What the guardrails found on the request, never a value ([] when nothing, or before 131)."),
    web: WebCalls.nullable().describe(
      "The web searches and page fetches llmux ran for the request (its emulated web tools, docs/search.md), never a page's text; null when none.",
    ),
    mcp_server: z.string().optional().describe("An MCP tool call (POST /mcp): the MCP server it went to."),
    mcp_tool: z.string().optional().describe("An MCP tool call: the tool's name on its server."),
    mcp_session: z.string().nullable().optional().describe("An MCP tool call: the MCP session (Mcp-Session-Id)."),
  })
  .meta({ id: "RequestRow" });

export const RequestList = z
  .object({
    rows: z.array(RequestRowSchema),
    next_before: z.string().nullable().describe("Pass as `before` for the next (older) page; null on the last."),
  })
  .meta({ id: "RequestList" });

const Part = z
  .union([
    z.object({ type: z.literal("text"), text: z.string() }),
    z.object({ type: z.literal("image"), media_type: z.string().nullable(), url: z.string().nullable() }),
    z.object({ type: z.literal("tool_call"), id: z.string(), name: z.string(), arguments: z.string() }),
    z.object({
      type: z.literal("tool_result"),
      tool_call_id: z.string(),
      content: z.string(),
      is_error: z.boolean(),
    }),
    z.object({ type: z.literal("reasoning"), text: z.string(), redacted: z.boolean() }),
  ])
  .meta({ id: "Part" });

const Message = z
  .object({
    role: z.enum(["user", "assistant", "tool", "developer", "system"]),
    parts: z.array(Part),
  })
  .meta({ id: "Message" });

export const RequestDetailSchema = RequestRowSchema.extend({
  conversation: z
    .object({
      system: z.string().nullable(),
      tools: z.array(z.object({ name: z.string(), description: z.string().nullable() })),
      messages: z.array(Message),
    })
    .nullable()
    .describe("The client's request as the model saw it, decoded by llmux (null when the bodies were not kept)."),
  answer: Message.nullable().describe("The answer the client got."),
  bodies: z
    .object({
      client_request: z.string().nullable(),
      upstream_request: z.string().nullable(),
      upstream_response: z.string().nullable().describe("Raw SSE or JSON."),
      client_response: z.string().nullable().describe("Raw SSE or JSON."),
    })
    .nullable()
    .describe("The redacted bodies, when body logging kept them."),
  truncated: z.array(z.string()).describe("Bodies cut at logging.body_max_kb."),
}).meta({ id: "RequestDetail" });

const Top = z.object({ id: z.string(), name: z.string().nullable(), requests: z.number().int(), cost_usd: z.number() });

export const StatsAnswerSchema = z
  .object({
    from: z.string(),
    to: z.string(),
    bucket: z.enum(["minute", "hour", "day"]),
    buckets: z.array(
      z.object({
        time: z.string(),
        requests: z.number().int().describe("Model calls let through."),
        refused: z.number().int().describe("Model calls llmux refused: they count no tokens."),
        errors: z.record(z.string(), z.number().int()).describe("Failed and refused requests by error class."),
        p50_latency_ms: z.number().nullable(),
        p95_latency_ms: z.number().nullable(),
        p50_ttft_ms: z.number().nullable(),
        p95_ttft_ms: z.number().nullable(),
        ...TokenCounts,
        cost_usd: z.number(),
      }),
    ),
    top: z.object({
      keys: z.array(Top),
      teams: z.array(Top),
      models: z.array(z.object({ model: z.string(), requests: z.number().int(), cost_usd: z.number() })),
    }),
  })
  .meta({ id: "Stats" });
