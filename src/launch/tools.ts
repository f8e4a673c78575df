import { homedir } from "node:os";
import { join } from "node:path";
import { copilotSpec } from "./copilot.js";
import { DEFAULT_MODELS } from "./default-models.js";
import { GEMINI_DIR, GEMINI_LINKED, geminiUserSettings } from "./gemini-settings.js";
import { claudeLimitEnv, codexLimitArgs, codexLimitNote } from "./limit-settings.js";
import { claudeMcpConfig, codexMcpArgs, geminiMcpServers, MCP_NAME, opencodeMcp } from "./mcp.js";
import {
  OPENCODE_SDKS,
  type PrivateFile,
  type Setup,
  type SetupInput,
  type ToolName,
  type ToolSpec,
} from "./tool-spec.js";

/**
 * The coding tools llmux launches, and exactly how each is pointed at llmux — the environment variables and
 * arguments of its page in docs/clients/ — without touching the tool's own configuration files.
 */

/** Claude Code's ANTHROPIC_CUSTOM_HEADERS (`Name: value` lines): the user's own, with llmux's added. */
function claudeHeaders(user: string | undefined, headers: Readonly<Record<string, string>>): string {
  const mine = new Set(Object.keys(headers));
  const kept = (user ?? "")
    .split("\n")
    .filter((l) => l.trim() && !mine.has(l.slice(0, l.indexOf(":")).trim().toLowerCase()));
  return [...kept, ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)].join("\n");
}

/** The variables of docs/clients/claude-code.md that keep Claude Code from calling Anthropic's own services. */
export const CLAUDE_QUIET = {
  CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
  DISABLE_TELEMETRY: "1",
  DISABLE_ERROR_REPORTING: "1",
  DISABLE_AUTOUPDATER: "1",
} as const;

const claude: ToolSpec = {
  name: "claude",
  title: "Claude Code",
  bin: "claude",
  binEnv: "LLMUX_CLAUDE_BIN",
  npm: "@anthropic-ai/claude-code",
  docs: "docs/clients/claude-code.md",
  smallModel: true,
  // Claude Code's current defaults, from the one table the tests keep current (default-models.ts).
  defaultModels: DEFAULT_MODELS.claude,
  example: 'llmux claude -- -p "explain this repository"',
  setup({ url, key, model, smallModel, mcp, headers, env: userEnv, limits }) {
    const env: Record<string, string> = { ANTHROPIC_BASE_URL: url, ANTHROPIC_API_KEY: key, ...CLAUDE_QUIET };
    const notes: string[] = [];
    if (headers && Object.keys(headers).length > 0)
      env.ANTHROPIC_CUSTOM_HEADERS = claudeHeaders(userEnv?.ANTHROPIC_CUSTOM_HEADERS, headers);
    if (model) env.ANTHROPIC_MODEL = model;
    Object.assign(env, claudeLimitEnv(model, model ? limits?.[model] : undefined));
    if (smallModel) {
      // The name Claude Code reads now, and the one older versions read.
      env.ANTHROPIC_DEFAULT_HAIKU_MODEL = smallModel;
      env.ANTHROPIC_SMALL_FAST_MODEL = smallModel;
    }
    if (!model)
      notes.push("model: Claude Code's own names (claude-…); llmux must route them (patterns such as claude-*)");
    // A bearer token would be sent instead of the key; the Bedrock/Vertex/Foundry switches would bypass the
    // base URL. Removed from the environment, and emptied in the settings below (Claude Code reads them as unset).
    const bypass = [
      "ANTHROPIC_AUTH_TOKEN",
      "CLAUDE_CODE_USE_BEDROCK",
      "CLAUDE_CODE_USE_VERTEX",
      "CLAUDE_CODE_USE_FOUNDRY",
    ];
    // Claude Code applies the `env` of ~/.claude/settings.json over its environment: a user whose settings
    // name another base URL or key, or set one of those, would bypass llmux. Settings given with --settings
    // take precedence, key by key.
    const settings = { env: { ...env, ...Object.fromEntries(bypass.map((name) => [name, ""])) } };
    const files: PrivateFile[] = [
      { name: "claude-settings", content: `${JSON.stringify(settings, null, 2)}\n`, flag: "--settings" },
    ];
    if (mcp) {
      files.push({ name: "claude-mcp", content: claudeMcpConfig(mcp, key), flag: "--mcp-config" });
      notes.push(mcpNote(mcp));
    }
    return { env, unset: bypass, args: [], notes, files };
  },
};

/** A TOML basic string (JSON's escapes are TOML's). */
const toml = (s: string) => JSON.stringify(s);

const codex: ToolSpec = {
  name: "codex",
  title: "Codex CLI",
  bin: "codex",
  binEnv: "LLMUX_CODEX_BIN",
  npm: "@openai/codex",
  docs: "docs/clients/codex.md",
  smallModel: false,
  example: 'llmux codex -- exec --skip-git-repo-check "explain this repository"',
  setup({ url, key, model, websocket, mcp, headers, limits }): Setup {
    // -c overrides apply to this run only; ~/.codex/config.toml is left as it is.
    const quiet = ["-c", "analytics.enabled=false", "-c", "check_for_update_on_startup=false"];
    const notes = model ? [] : ["model: Codex's own default (or `model` in ~/.codex/config.toml); llmux must route it"];
    const limit = model ? limits?.[model] : undefined;
    const chosen = model ? ["-c", `model=${toml(model)}`, ...codexLimitArgs(limit)] : [];
    if (limit?.contextWindow !== undefined) notes.push(codexLimitNote(limit.contextWindow));
    const tools = mcp ? codexMcpArgs(mcp) : [];
    if (mcp) notes.push(mcpNote(mcp));
    const extra = headers && Object.keys(headers).length > 0 ? headers : undefined;
    // Codex's built-in provider takes no headers of ours: with --tag, the custom provider below carries them.
    if (websocket && !extra) {
      // The built-in provider pointed at llmux: one WebSocket for the whole session (a prewarm, then every
      // turn on it, each sending only what is new), the key from CODEX_API_KEY.
      const args = [
        "-c",
        "model_provider=openai",
        "-c",
        `openai_base_url=${toml(`${url}/v1`)}`,
        ...quiet,
        ...chosen,
        ...tools,
      ];
      notes.push("transport: Codex's built-in provider over a Responses WebSocket");
      return { env: { CODEX_API_KEY: key }, unset: ["OPENAI_API_KEY"], args, notes };
    }
    // llmux answers the WebSocket upgrade 426 (server.websocket: false): a custom provider with wire_api
    // "responses", one plain POST per turn.
    const httpHeaders = extra
      ? `,http_headers={${Object.entries(extra)
          .map(([k, v]) => `${toml(k)}=${toml(v)}`)
          .join(",")}}`
      : "";
    const provider = `{name="llmux",base_url=${toml(`${url}/v1`)},env_key="LLMUX_KEY",wire_api="responses"${httpHeaders}}`;
    const args = [
      "-c",
      "model_provider=llmux",
      "-c",
      `model_providers.llmux=${provider}`,
      ...quiet,
      ...chosen,
      ...tools,
    ];
    notes.push(
      websocket
        ? "transport: a custom provider over HTTP (it carries the --tag header; Codex's built-in provider cannot)"
        : "transport: a custom provider over HTTP (llmux does not accept WebSockets: server.websocket)",
    );
    return { env: { LLMUX_KEY: key }, unset: [], args, notes };
  },
};

/** OpenCode's configuration for llmux, given in OPENCODE_CONFIG_CONTENT (merged over the user's own files). */
export function opencodeConfigContent(input: SetupInput, main: string, small: string): Record<string, unknown> {
  const names = [...new Set([main, small, ...(input.listed ?? [])])];
  const models: Record<string, unknown> = {};
  for (const n of names) {
    const l = input.limits?.[n];
    const limit = { context: l?.contextWindow ?? 200000, output: l?.maxOutputTokens ?? 32000 };
    models[n] = { name: n, tool_call: true, reasoning: true, limit };
  }
  return {
    $schema: "https://opencode.ai/config.json",
    autoupdate: false,
    share: "disabled",
    model: `llmux/${main}`,
    small_model: `llmux/${small}`,
    ...(input.mcp ? { mcp: opencodeMcp(input.mcp) } : {}),
    provider: {
      llmux: {
        npm: OPENCODE_SDKS[input.sdk ?? "openai-compatible"],
        name: "llmux",
        options: {
          baseURL: `${input.url}/v1`,
          apiKey: "{env:LLMUX_KEY}",
          ...(input.headers && Object.keys(input.headers).length > 0 ? { headers: { ...input.headers } } : {}),
        },
        models,
      },
    },
  };
}

/** The variables of docs/clients/opencode.md that keep OpenCode from fetching updates and lists. */
export const OPENCODE_QUIET = {
  OPENCODE_DISABLE_AUTOUPDATE: "1",
  OPENCODE_DISABLE_MODELS_FETCH: "1",
  OPENCODE_DISABLE_LSP_DOWNLOAD: "1",
  OPENCODE_DISABLE_SHARE: "1",
} as const;

const opencode: ToolSpec = {
  name: "opencode",
  title: "OpenCode",
  bin: "opencode",
  binEnv: "LLMUX_OPENCODE_BIN",
  npm: "opencode-ai",
  docs: "docs/clients/opencode.md",
  smallModel: true,
  example: "llmux opencode --model coder -- run explain this repository",
  setup(input) {
    const main = input.model ?? input.listed?.[0];
    if (!main) {
      throw new Error(
        "OpenCode needs a model name and llmux lists none (only patterns): pass --model NAME (one your configuration routes)",
      );
    }
    const small = input.smallModel ?? main;
    const content = opencodeConfigContent(input, main, small);
    return {
      env: { OPENCODE_CONFIG_CONTENT: JSON.stringify(content), LLMUX_KEY: input.key, ...OPENCODE_QUIET },
      unset: [],
      args: [],
      notes: [
        `model: llmux/${main}, small model: llmux/${small} (${OPENCODE_SDKS[input.sdk ?? "openai-compatible"]})`,
        ...(input.mcp ? [mcpNote(input.mcp)] : []),
      ],
    };
  },
};

const gemini: ToolSpec = {
  name: "gemini",
  title: "Gemini CLI",
  bin: "gemini",
  binEnv: "LLMUX_GEMINI_BIN",
  npm: "@google/gemini-cli",
  docs: "docs/clients/gemini-cli.md",
  smallModel: false,
  example: 'llmux gemini --model gemini-2.5-pro -- -p "explain this repository"',
  setup({ url, key, model, env: userEnv, mcp, headers, limits }) {
    // The Gemini API key route: the SDK calls {GOOGLE_GEMINI_BASE_URL}/v1beta/models/…, which llmux serves.
    const env: Record<string, string> = { GOOGLE_GEMINI_BASE_URL: url, GEMINI_API_KEY: key };
    if (model) env.GEMINI_MODEL = model;
    // GEMINI_CLI_CUSTOM_HEADERS is `Name: value` pairs split on commas: a tag list is sent with semicolons.
    if (headers && Object.keys(headers).length > 0) {
      const ours = Object.entries(headers).map(([k, v]) => `${k}: ${v.replaceAll(",", ";")}`);
      env.GEMINI_CLI_CUSTOM_HEADERS = [userEnv?.GEMINI_CLI_CUSTOM_HEADERS, ...ours].filter((h) => h).join(", ");
    }
    const notes = model ? [] : ["model: Gemini CLI's own default (gemini-…); llmux must route it"];
    if (mcp) notes.push(mcpNote(mcp));
    const userHome = userEnv?.GEMINI_CLI_HOME || userEnv?.HOME || homedir();
    const links: Record<string, string> = {};
    for (const name of GEMINI_LINKED) links[join(GEMINI_DIR, name)] = join(userHome, GEMINI_DIR, name);
    return {
      env,
      // GOOGLE_API_KEY wins over GEMINI_API_KEY in Google's SDK; the others switch to Vertex AI or Code Assist.
      unset: ["GOOGLE_API_KEY", "GOOGLE_GENAI_USE_VERTEXAI", "GOOGLE_GENAI_USE_GCA"],
      args: [],
      notes,
      home: {
        name: "gemini-home",
        variable: "GEMINI_CLI_HOME",
        files: {
          [join(GEMINI_DIR, "settings.json")]: geminiUserSettings(
            userHome,
            mcp ? geminiMcpServers(mcp, key) : undefined,
            model ? limits?.[model] : undefined,
          ),
        },
        links,
      },
    };
  },
};

function mcpNote(mcp: string): string {
  return `MCP: llmux's tools (${mcp}) registered as '${MCP_NAME}' for this run (--no-mcp: not)`;
}

export const TOOLS: Record<ToolName, ToolSpec> = { claude, codex, opencode, gemini, copilot: copilotSpec };
