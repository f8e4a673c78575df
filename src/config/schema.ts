import { z } from "zod";
import { PRESETS } from "./presets.js";
import { AlertsSchema } from "./schema-alerts.js";
import { CacheFields } from "./schema-cache.js";
import { BedrockSchema, VertexSchema } from "./schema-clouds.js";
import { CompletionFields } from "./schema-completions.js";
import { CursorProviderSchema } from "./schema-cursor.js";
import { EmbeddingFields } from "./schema-embeddings.js";
import { GuardrailPolicySchema, GuardrailsSchema } from "./schema-guardrails.js";
import { LimitFields } from "./schema-limits.js";
import { REQUEST_LOG_DEFAULTS, RequestLogFields } from "./schema-logging.js";
import { McpSchema } from "./schema-mcp.js";
import { MockProviderSchema as Mock } from "./schema-mock.js";
import { MetricsSchema, RecordSchema } from "./schema-observe.js";
import { PriceListSchema } from "./schema-price-list.js";
import { StreamsSchema } from "./schema-protocol.js";
import { DeploymentSchema, RoutingSchema } from "./schema-routing.js";
import { RoutingRulesSchema } from "./schema-rules.js";
import { SearchSchema } from "./schema-search.js";
import { ServerSchema } from "./schema-server.js";
import { SigninSchema } from "./schema-signin.js";
import { TagRulesSchema, TagsSchema } from "./schema-tags.js";
import { AdminSchema, BillingSchema, PricesSchema, SecretsSchema, SignupSchema, StateSchema } from "./schema-team.js";
import { Headers, Timeout } from "./schema-upstream.js";
import { secret } from "./secret-fields.js";
import { SUMMARIES } from "./shared-values.js";

/**
 * The configuration file, as a schema: the single source for validation (errors name the path), defaults,
 * and the JSON Schema editors use (`llmux schema`). Every object is strict, so a misspelt key is an error
 * rather than a setting silently ignored.
 */

export const EFFORTS = ["none", "minimal", "low", "medium", "high", "xhigh", "max"] as const;
export const REASONING_DISPLAYS = ["think-tags", "reasoning_content", "none"] as const;
export { PRESETS };

const Url = z.string().url();
const ApiKey = (how: string) =>
  secret(z.string())
    .optional()
    .describe(`The provider's API key, ${how}. Write "\${VARIABLE}" to read it from the environment.`);

const Azure = z
  .object({
    type: z.literal("azure").describe("Azure OpenAI (Azure AI Foundry)."),
    base_url: Url.describe("The resource root, e.g. https://my-resource.openai.azure.com (no /openai suffix)."),
    api_key: ApiKey("sent as the api-key header (or as a bearer token with auth: bearer)"),
    auth: z
      .enum(["api-key", "bearer"])
      .default("api-key")
      .describe("How api_key is sent: the api-key header, or Authorization: Bearer (a Microsoft Entra ID token)."),
    api: z.enum(["responses", "chat"]).default("responses").describe("Which Azure API serves this provider's models."),
    api_version: z
      .string()
      .optional()
      .describe(
        "Use the dated /openai/deployments/… (chat) or /openai/responses?api-version= form; omit for the /openai/v1 form.",
      ),
    headers: Headers.optional(),
    timeout_ms: Timeout.optional(),
  })
  .strict();

const OpenAI = z
  .object({
    type: z.literal("openai").describe("OpenAI, or a server that offers the OpenAI API in full."),
    base_url: Url.default("https://api.openai.com/v1").describe("Includes /v1, as in the OpenAI SDK."),
    api_key: ApiKey("sent as Authorization: Bearer"),
    api: z.enum(["responses", "chat"]).default("responses").describe("Which OpenAI API serves this provider's models."),
    organization: z.string().optional().describe("Sent as the OpenAI-Organization header."),
    project: z.string().optional().describe("Sent as the OpenAI-Project header."),
    headers: Headers.optional(),
    timeout_ms: Timeout.optional(),
  })
  .strict();

const Anthropic = z
  .object({
    type: z.literal("anthropic").describe("Anthropic, or a server that offers the Anthropic Messages API."),
    base_url: Url.default("https://api.anthropic.com").describe("Without /v1, as in the Anthropic SDK."),
    api_key: ApiKey("sent as x-api-key (or as a bearer token with auth: bearer)"),
    auth: z
      .enum(["x-api-key", "bearer"])
      .default("x-api-key")
      .describe("How api_key is sent: the x-api-key header, or Authorization: Bearer."),
    version: z.string().default("2023-06-01").describe("The anthropic-version header."),
    betas: z
      .array(z.string())
      .optional()
      .describe(
        "anthropic-beta values this upstream accepts; others sent by clients are dropped with a warning. Omit to forward all.",
      ),
    headers: Headers.optional(),
    timeout_ms: Timeout.optional(),
  })
  .strict();

const Compatible = z
  .object({
    type: z.literal("openai-compatible").describe("Any Chat Completions server (Kimi, DeepSeek, vLLM, Ollama…)."),
    preset: z.enum(PRESETS).optional().describe("A vendor preset: base URL and quirks."),
    base_url: Url.optional().describe("Includes /v1 (or the vendor's equivalent). Required without a preset."),
    api_key: ApiKey("sent as Authorization: Bearer (none: no Authorization header)"),
    reasoning_field: z
      .enum(["auto", "reasoning_content", "reasoning", "none"])
      .optional()
      .describe(
        "Field earlier reasoning is echoed in (DeepSeek and Kimi require reasoning_content). Default auto: the field the upstream sent it in.",
      ),
    max_tokens_field: z
      .enum(["max_tokens", "max_completion_tokens"])
      .optional()
      .describe("The field that carries the output limit."),
    custom_tools: z.boolean().optional().describe("Whether the server understands free-form custom tools."),
    normalize_stream: z
      .boolean()
      .optional()
      .describe(
        "The server's stream deviates from OpenAI's (content as parts, tool calls without index, no first role): re-encode it for Chat clients instead of passing it through. On for the mistral preset.",
      ),
    top_k: z.boolean().optional().describe("Whether the server accepts top_k."),
    headers: Headers.optional(),
    timeout_ms: Timeout.optional(),
  })
  .strict();

const Gemini = z
  .object({
    type: z.literal("gemini").describe("Google's Gemini API (generateContent / streamGenerateContent)."),
    base_url: Url.default("https://generativelanguage.googleapis.com").describe(
      "The API root, without /v1beta, as in Google's SDK.",
    ),
    api_key: ApiKey("sent as the x-goog-api-key header"),
    api_version: z.string().default("v1beta").describe("The API version in the path: v1beta (default), v1 or v1alpha."),
    headers: Headers.optional(),
    timeout_ms: Timeout.optional(),
  })
  .strict();

export const ProviderSchema = z.discriminatedUnion("type", [
  Azure,
  OpenAI,
  Anthropic,
  Compatible,
  Gemini,
  VertexSchema,
  BedrockSchema,
  Mock,
  CursorProviderSchema,
]);

export const ModelSchema = z
  .object({
    provider: z
      .string()
      .optional()
      .describe("A key of `providers` (one deployment). Give this and `model`, or `deployments`."),
    deployments: z
      .array(DeploymentSchema)
      .min(1)
      .optional()
      .describe("Several deployments serving this alias (providers, regions, accounts), routed by `routing`."),
    routing: RoutingSchema.optional().describe("How deployments are picked, retried and cooled down."),
    fallbacks: z
      .array(z.string().min(1))
      .optional()
      .describe("Aliases tried in order when every deployment failed before answering."),
    context_window_fallbacks: z
      .array(z.string().min(1))
      .optional()
      .describe("Aliases tried when the request is too long for this one's context window."),
    model: z
      .string()
      .optional()
      .describe("The upstream model (on Azure: the deployment). Default: the name the client asked for."),
    reasoning: z
      .object({
        effort: z.enum(EFFORTS).optional().describe("Reasoning effort (Claude: a thinking budget or adaptive effort)."),
        summary: z
          .enum(SUMMARIES)
          .optional()
          .describe("Reasoning summary level; none for organisations without summary access."),
      })
      .strict()
      .optional()
      .describe("Reasoning settings that replace the client's."),
    verbosity: z.enum(["low", "medium", "high"]).optional().describe("Answer length on GPT-5 models."),
    truncation: z.enum(["auto", "disabled"]).optional().describe("The Responses API's truncation."),
    thinking: z
      .object({
        type: z.enum(["enabled", "adaptive", "disabled"]).optional().describe("Claude thinking form."),
        budget_tokens: z.number().int().min(1024).optional().describe("Thinking budget in tokens (at least 1024)."),
      })
      .strict()
      .optional()
      .describe("Claude thinking; budget_tokens implies type enabled."),
    max_tokens: z.number().int().positive().optional().describe("Output limit in tokens."),
    temperature: z.number().min(0).max(2).optional().describe("Sampling temperature."),
    reasoning_display: z
      .enum(REASONING_DISPLAYS)
      .optional()
      .describe("How Chat Completions clients are shown reasoning."),
    policy: z
      .enum(["clamp", "strict"])
      .optional()
      .describe("clamp: adjust what the model refuses and say so; strict: reject with 400."),
    guardrails: GuardrailPolicySchema.optional().describe("The guardrails' policy for this alias, over the key's."),
    ...LimitFields,
    ...CacheFields,
    ...EmbeddingFields,
    ...CompletionFields,
  })
  .strict();

export const ConfigSchema = z
  .object({
    server: ServerSchema,
    streams: StreamsSchema,
    auth: z
      .object({
        keys: secret(z.array(z.string().min(1)))
          .default([])
          .describe("Service keys clients must present. Empty: open."),
        passthrough: z
          .boolean()
          .default(false)
          .describe("Forward the caller's own key upstream instead of the provider's (never stored or logged)."),
        passthrough_providers: z
          .array(z.string().min(1))
          .default([])
          .describe(
            "Pass-through for these providers only, next to service and minted keys: any other key is the caller's own key for them.",
          ),
      })
      .strict()
      .default({ keys: [], passthrough: false, passthrough_providers: [] })
      .describe("Who may call llmux."),
    providers: z
      .record(z.string(), ProviderSchema)
      .default({})
      .describe("Upstream providers by a name of your choice; each has a type."),
    models: z
      .record(z.string(), ModelSchema)
      .default({})
      .describe("Model names clients may ask for (exact, or patterns with *), and the provider that serves each."),
    defaults: z
      .object({
        policy: z
          .enum(["clamp", "strict"])
          .default("clamp")
          .describe("The policy of models that set none, and of provider/model names."),
        reasoning_display: z
          .enum(REASONING_DISPLAYS)
          .default("reasoning_content")
          .describe("How Chat Completions clients other than Cursor are shown reasoning, unless a model says."),
      })
      .strict()
      .default({ policy: "clamp", reasoning_display: "reasoning_content" })
      .describe("Settings for models that do not set their own."),
    store: z
      .object({
        path: z
          .string()
          .default(".llmux/llmux.db")
          .describe("The embedded SQLite file (created on first use; relative to the working directory)."),
        url: secret(z.string().regex(/^postgres(ql)?:\/\//, "a postgres:// URL"), "url")
          .optional()
          .describe(
            "A PostgreSQL URL (postgres://user@host:5432/db) to use instead of the SQLite file: every instance shares it.",
          ),
        retention_days: z.number().positive().default(30).describe("Stored responses older than this are deleted."),
        pool_size: z
          .number()
          .int()
          .min(1)
          .max(1000)
          .default(10)
          .describe("PostgreSQL: connections this process keeps open at most."),
        connect_timeout_ms: z
          .number()
          .int()
          .positive()
          .default(5000)
          .describe("PostgreSQL: how long opening a connection may take before the database counts as unreachable."),
        statement_timeout_ms: z
          .number()
          .int()
          .positive()
          .default(15000)
          .describe(
            "PostgreSQL: how long one statement may run (checked by the server, and by llmux for a server that no longer answers).",
          ),
      })
      .strict()
      .default({
        path: ".llmux/llmux.db",
        retention_days: 30,
        pool_size: 10,
        connect_timeout_ms: 5000,
        statement_timeout_ms: 15000,
      })
      .describe(
        "Where llmux keeps its data: keys, teams, credentials, Responses state, the reasoning cache, the envelope secret.",
      ),
    reasoning: z
      .object({
        secret: secret(z.string().min(16))
          .optional()
          .describe(
            "Key that seals reasoning envelopes; default: generated once and kept in the store. Set the same value on every instance.",
          ),
        cache_max_entries: z
          .number()
          .int()
          .positive()
          .default(50_000)
          .describe("Reasoning cache size (least recently used go first)."),
        cache_ttl_hours: z.number().positive().default(24).describe("Hours a cached reasoning turn is kept."),
      })
      .strict()
      .default({ cache_max_entries: 50_000, cache_ttl_hours: 24 })
      .describe("How reasoning state is carried between requests."),
    cursor: z
      .object({
        detect: z
          .enum(["auto", "always", "never"])
          .default("auto")
          .describe(
            "auto: recognise Cursor by its requests; always: treat every Chat Completions request as Cursor's.",
          ),
        reasoning_display: z
          .enum(REASONING_DISPLAYS)
          .default("think-tags")
          .describe("How Cursor is shown reasoning (a model's reasoning_display wins)."),
        errors_as_text: z
          .boolean()
          .default(true)
          .describe("End a stream that fails after it started with a readable message instead of an error event."),
      })
      .strict()
      .default({ detect: "auto", reasoning_display: "think-tags", errors_as_text: true })
      .describe("How llmux serves Cursor."),
    logging: z
      .object({
        level: z
          .enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"])
          .default("info")
          .describe("Least severe level logged."),
        pretty: z
          .boolean()
          .optional()
          .describe(
            "true: one short line per request, for a person at a terminal; false: one JSON object per line. Default: true when stdout is a terminal.",
          ),
        record: RecordSchema,
        ...RequestLogFields,
      })
      .strict()
      .default({ level: "info", ...REQUEST_LOG_DEFAULTS })
      .describe("What llmux logs, and how."),
    admin: AdminSchema,
    metrics: MetricsSchema,
    state: StateSchema,
    prices: PricesSchema,
    billing: BillingSchema,
    tags: TagsSchema,
    tag_rules: TagRulesSchema,
    routing: RoutingRulesSchema,
    alerts: AlertsSchema,
    price_list: PriceListSchema,
    secrets: SecretsSchema,
    signup: SignupSchema,
    signin: SigninSchema.optional(),
    mcp: McpSchema,
    guardrails: GuardrailsSchema,
    search: SearchSchema,
  })
  .strict();

export type Config = z.infer<typeof ConfigSchema>;
export type ProviderConfig = z.infer<typeof ProviderSchema>;
export type ModelConfig = z.infer<typeof ModelSchema>;
