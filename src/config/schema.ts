import { z } from "zod";
import { ServerSchema } from "./schema-server.js";

/**
 * The configuration file, as a schema: the single source for validation (errors name the path), defaults,
 * and the JSON Schema editors use (`llmux schema`). Every object is strict, so a misspelt key is an error
 * rather than a setting silently ignored.
 */

export const EFFORTS = ["none", "minimal", "low", "medium", "high", "xhigh", "max"] as const;
export const REASONING_DISPLAYS = ["think-tags", "reasoning_content", "none"] as const;
export const SUMMARIES = ["auto", "concise", "detailed", "none"] as const;
export const PRESETS = [
  "moonshot",
  "kimi",
  "deepseek",
  "openrouter",
  "groq",
  "vllm",
  "ollama",
  "together",
  "mistral",
  "xai",
] as const;

const Url = z.string().url();
const Headers = z.record(z.string(), z.string()).describe("Extra headers sent with every upstream request.");
const Timeout = z
  .number()
  .int()
  .positive()
  .describe("Milliseconds before an upstream request that has sent nothing is abandoned.");

const Azure = z
  .object({
    type: z.literal("azure"),
    base_url: Url.describe("The resource root, e.g. https://my-resource.openai.azure.com (no /openai suffix)."),
    api_key: z.string().optional().describe("Sent as the api-key header (or as a bearer token with auth: bearer)."),
    auth: z.enum(["api-key", "bearer"]).default("api-key"),
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
    type: z.literal("openai"),
    base_url: Url.default("https://api.openai.com/v1").describe("Includes /v1, as in the OpenAI SDK."),
    api_key: z.string().optional(),
    api: z.enum(["responses", "chat"]).default("responses"),
    organization: z.string().optional(),
    project: z.string().optional(),
    headers: Headers.optional(),
    timeout_ms: Timeout.optional(),
  })
  .strict();

const Anthropic = z
  .object({
    type: z.literal("anthropic"),
    base_url: Url.default("https://api.anthropic.com").describe("Without /v1, as in the Anthropic SDK."),
    api_key: z.string().optional().describe("Sent as x-api-key (or as a bearer token with auth: bearer)."),
    auth: z.enum(["x-api-key", "bearer"]).default("x-api-key"),
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
    type: z.literal("openai-compatible"),
    preset: z.enum(PRESETS).optional().describe("A vendor preset: base URL and quirks."),
    base_url: Url.optional().describe("Includes /v1 (or the vendor's equivalent). Required without a preset."),
    api_key: z.string().optional(),
    reasoning_field: z
      .enum(["reasoning_content", "reasoning", "none"])
      .optional()
      .describe("Field earlier reasoning is echoed in (DeepSeek and Kimi require reasoning_content)."),
    max_tokens_field: z.enum(["max_tokens", "max_completion_tokens"]).optional(),
    custom_tools: z.boolean().optional().describe("Whether the server understands free-form custom tools."),
    top_k: z.boolean().optional().describe("Whether the server accepts top_k."),
    headers: Headers.optional(),
    timeout_ms: Timeout.optional(),
  })
  .strict();

const Mock = z
  .object({
    type: z.literal("mock"),
    dialect: z.enum(["anthropic", "openai-chat", "openai-responses"]).default("openai-responses"),
    reply: z.string().optional().describe("Text the mock answers with; by default it echoes the last user message."),
  })
  .strict()
  .describe("The built-in mock model: no network, no account.");

export const ProviderSchema = z.discriminatedUnion("type", [Azure, OpenAI, Anthropic, Compatible, Mock]);

export const ModelSchema = z
  .object({
    provider: z.string().describe("A key of `providers`."),
    model: z
      .string()
      .optional()
      .describe("The upstream model (on Azure: the deployment). Default: the name the client asked for."),
    reasoning: z
      .object({
        effort: z.enum(EFFORTS).optional(),
        summary: z
          .enum(SUMMARIES)
          .optional()
          .describe("Reasoning summary level; none for organisations without summary access."),
      })
      .strict()
      .optional(),
    verbosity: z.enum(["low", "medium", "high"]).optional(),
    truncation: z.enum(["auto", "disabled"]).optional(),
    thinking: z
      .object({
        type: z.enum(["enabled", "adaptive", "disabled"]).optional(),
        budget_tokens: z.number().int().min(1024).optional(),
      })
      .strict()
      .optional()
      .describe("Claude thinking; budget_tokens implies type enabled."),
    max_tokens: z.number().int().positive().optional(),
    temperature: z.number().min(0).max(2).optional(),
    reasoning_display: z
      .enum(REASONING_DISPLAYS)
      .optional()
      .describe("How Chat Completions clients are shown reasoning."),
    policy: z
      .enum(["clamp", "strict"])
      .optional()
      .describe("clamp: adjust what the model refuses and say so; strict: reject with 400."),
  })
  .strict();

export const ConfigSchema = z
  .object({
    server: ServerSchema,
    auth: z
      .object({
        keys: z.array(z.string().min(1)).default([]).describe("Service keys clients must present. Empty: open."),
        passthrough: z
          .boolean()
          .default(false)
          .describe("Forward the caller's own key upstream instead of the provider's (never stored or logged)."),
      })
      .strict()
      .default({ keys: [], passthrough: false }),
    providers: z.record(z.string(), ProviderSchema).default({}),
    models: z.record(z.string(), ModelSchema).default({}),
    defaults: z
      .object({
        policy: z.enum(["clamp", "strict"]).default("clamp"),
        reasoning_display: z.enum(REASONING_DISPLAYS).default("reasoning_content"),
      })
      .strict()
      .default({ policy: "clamp", reasoning_display: "reasoning_content" }),
    store: z
      .object({
        path: z
          .string()
          .default(".llmux/llmux.db")
          .describe("The embedded SQLite file (created on first use; relative to the working directory)."),
        retention_days: z.number().positive().default(30).describe("Stored responses older than this are deleted."),
      })
      .strict()
      .default({ path: ".llmux/llmux.db", retention_days: 30 })
      .describe("Where llmux keeps Responses state, its reasoning cache and its envelope secret."),
    reasoning: z
      .object({
        secret: z
          .string()
          .min(16)
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
        level: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
        pretty: z.boolean().optional().describe("Human-readable logs; default: when stdout is a terminal."),
      })
      .strict()
      .default({ level: "info" }),
  })
  .strict();

export type Config = z.infer<typeof ConfigSchema>;
export type ProviderConfig = z.infer<typeof ProviderSchema>;
export type ModelConfig = z.infer<typeof ModelSchema>;
