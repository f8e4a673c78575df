import { checkEnvChoices, checkEnvSetups } from "./env-check.js";

type Env = Record<string, string | undefined>;

/** Model names setup (e) sends to OpenAI. */
const OPENAI_PATTERNS = ["gpt-*", "chatgpt-*", "o1*", "o3*", "o4*", "codex-*"];

export interface EnvSetup {
  /** A configuration object, validated like a file. */
  raw: Record<string, unknown>;
  /** What was set up, for the start-up log. */
  notices: string[];
  /** Nothing at all was set: the built-in mock model serves every name. */
  mock: boolean;
}

const set = (env: Env, name: string): string | undefined => {
  const v = env[name];
  return v !== undefined && v.trim() !== "" ? v.trim() : undefined;
};

/** A provider of a key in `keyVar`, at the address in `baseVar` when that is set (else the provider's own). */
function keyed(env: Env, provider: Record<string, unknown>, keyVar: string, baseVar: string): Record<string, unknown> {
  const base = set(env, baseVar);
  return { ...provider, api_key: set(env, keyVar), ...(base ? { base_url: base } : {}) };
}

/** An Azure OpenAI provider on the Responses API, at `base` with the key in `keyVar` (AZURE_API_VERSION: its version). */
function azureResponses(env: Env, base: string, keyVar: string): Record<string, unknown> {
  const apiVersion = set(env, "AZURE_API_VERSION");
  return {
    type: "azure",
    base_url: base,
    api_key: set(env, keyVar),
    api: "responses",
    ...(apiVersion ? { api_version: apiVersion } : {}),
  };
}

/**
 * Builds a configuration from the environment variables of the single-purpose proxies llmux replaces, so
 * their users can switch without writing a file:
 * - Cursor → Azure Responses: AZURE_BASE_URL, AZURE_API_KEY, AZURE_DEPLOYMENT, AZURE_API_VERSION,
 *   AZURE_SUMMARY_LEVEL, AZURE_VERBOSITY_LEVEL, AZURE_TRUNCATION, SERVICE_API_KEY (models gpt-high, gpt-medium,
 *   gpt-low, gpt-minimal, and any other name, on the deployment);
 * - Claude Code → Azure: AZURE_OPENAI_ENDPOINT, AZURE_OPENAI_API_KEY, BIG_MODEL, SMALL_MODEL,
 *   ANTHROPIC_AUTH_TOKEN (haiku → SMALL_MODEL, sonnet/opus → BIG_MODEL);
 * - ANTHROPIC_API_KEY (claude-* models; LLMUX_ANTHROPIC_BASE_URL moves the upstream), KIMI_API_KEY (kimi-* and
 *   moonshot-* models; KIMI_BASE_URL moves the upstream), OPENAI_API_KEY (gpt-*, o1…o4*, codex-* models;
 *   LLMUX_OPENAI_BASE_URL moves the upstream).
 * A setup with some of its variables but not all it needs is an error naming the missing ones (see
 * env-check.ts). With none of the variables, the built-in mock model answers every model name.
 */
export function configFromEnv(env: Env): EnvSetup {
  checkEnvSetups(env);
  checkEnvChoices(env);
  const providers: Record<string, unknown> = {};
  const models: Record<string, unknown> = {};
  const keys: string[] = [];
  const notices: string[] = [];
  let cursor: Record<string, unknown> | undefined;
  /** Setup (a) answers any other model name too; it goes last so the patterns of the other setups win. */
  let catchAll: Record<string, unknown> | undefined;
  const cursorAzure = set(env, "AZURE_BASE_URL");
  if (cursorAzure && set(env, "AZURE_API_KEY")) {
    providers.azure = azureResponses(env, cursorAzure, "AZURE_API_KEY");
    const deployment = set(env, "AZURE_DEPLOYMENT") ?? "gpt-5";
    const summary = set(env, "AZURE_SUMMARY_LEVEL") ?? "detailed";
    const verbosity = set(env, "AZURE_VERBOSITY_LEVEL");
    const truncation = set(env, "AZURE_TRUNCATION");
    const common = {
      provider: "azure",
      model: deployment,
      ...(verbosity ? { verbosity } : {}),
      ...(truncation ? { truncation } : {}),
      reasoning_display: "think-tags",
    };
    for (const effort of ["high", "medium", "low", "minimal"]) {
      models[`gpt-${effort}`] = { ...common, reasoning: { effort, summary } };
    }
    catchAll = { ...common, reasoning: { summary } };
    // These variables come from a Cursor-only proxy: its Chat Completions clients are Cursor.
    cursor = { detect: "always" };
    const service = set(env, "SERVICE_API_KEY");
    if (service) keys.push(service);
    notices.push(
      `Azure Responses deployment '${deployment}' (AZURE_BASE_URL) as gpt-high, gpt-medium, gpt-low, gpt-minimal`,
    );
  }

  const claudeAzure = set(env, "AZURE_OPENAI_ENDPOINT");
  if (claudeAzure && set(env, "AZURE_OPENAI_API_KEY")) {
    providers["azure-openai"] = azureResponses(env, claudeAzure, "AZURE_OPENAI_API_KEY");
    const big = set(env, "BIG_MODEL") ?? "gpt-5";
    const small = set(env, "SMALL_MODEL") ?? big;
    models["claude-*haiku*"] = { provider: "azure-openai", model: small };
    models["claude-*sonnet*"] = { provider: "azure-openai", model: big };
    models["claude-*opus*"] = { provider: "azure-openai", model: big };
    const token = set(env, "ANTHROPIC_AUTH_TOKEN");
    if (token) keys.push(token);
    notices.push(`Claude models on Azure (AZURE_OPENAI_ENDPOINT): haiku → ${small}, sonnet/opus → ${big}`);
  }

  if (set(env, "ANTHROPIC_API_KEY")) {
    // Not ANTHROPIC_BASE_URL: Claude Code users point that at llmux itself, which would loop.
    providers.anthropic = keyed(env, { type: "anthropic" }, "ANTHROPIC_API_KEY", "LLMUX_ANTHROPIC_BASE_URL");
    if (!providers["azure-openai"]) models["claude-*"] = { provider: "anthropic" };
    notices.push("Anthropic (ANTHROPIC_API_KEY) for claude-* models");
  }

  if (set(env, "KIMI_API_KEY")) {
    providers.kimi = keyed(env, { type: "openai-compatible", preset: "moonshot" }, "KIMI_API_KEY", "KIMI_BASE_URL");
    models["kimi-*"] = { provider: "kimi" };
    models["moonshot-*"] = { provider: "kimi" };
    notices.push("Kimi (KIMI_API_KEY) for kimi-* and moonshot-* models");
  }

  if (set(env, "OPENAI_API_KEY")) {
    // Not OPENAI_BASE_URL: Codex and SDK users point that at llmux itself, which would loop.
    providers.openai = keyed(env, { type: "openai" }, "OPENAI_API_KEY", "LLMUX_OPENAI_BASE_URL");
    // With setup (a), GPT names stay on the Azure deployment; OpenAI is reachable as openai/MODEL.
    if (!catchAll) for (const p of OPENAI_PATTERNS) models[p] = { provider: "openai" };
    notices.push(
      catchAll
        ? "OpenAI (OPENAI_API_KEY) as openai/MODEL"
        : `OpenAI (OPENAI_API_KEY) for ${OPENAI_PATTERNS.join(", ")} models`,
    );
  }

  const mock = Object.keys(providers).length === 0;
  if (mock) {
    providers.mock = { type: "mock", dialect: "openai-responses" };
    models["llmux-mock"] = { provider: "mock" };
    models["*"] = { provider: "mock" };
    notices.push(
      "No configuration file and no provider variables: serving the built-in mock model, which answers every model name by echoing the request (try model 'llmux-mock'). To use real models write llmux.yaml or set provider variables (docs/config.md).",
    );
  }
  if (catchAll) models["*"] = catchAll;
  const raw: Record<string, unknown> = { providers, models };
  const storePath = set(env, "LLMUX_STORE");
  if (storePath) raw.store = { path: storePath };
  if (cursor) raw.cursor = cursor;
  if (keys.length > 0) raw.auth = { keys };
  // The admin API and the web UI, on the key the admin CLI commands already read from the environment.
  const adminKey = set(env, "LLMUX_ADMIN_KEY");
  if (adminKey) {
    raw.admin = { keys: [adminKey] };
    notices.push("The admin API and the web UI (/ui) are on: sign in with LLMUX_ADMIN_KEY");
  }
  const port = set(env, "PORT");
  if (port && /^\d+$/.test(port)) raw.server = { port: Number(port) };
  return { raw, notices, mock };
}
