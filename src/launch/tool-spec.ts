/**
 * What a launcher knows of a tool (src/launch/tools.ts holds each tool's): its names, what its setup is given
 * and what it returns. Apart from the tools so that a tool's own file can use it without an import cycle.
 */

export type ToolName = "claude" | "codex" | "opencode" | "gemini" | "copilot";

export const TOOL_NAMES: readonly ToolName[] = ["claude", "codex", "opencode", "gemini", "copilot"];

/** OpenCode's AI SDK providers (`--sdk`), by the dialect each speaks. */
export const OPENCODE_SDKS = {
  "openai-compatible": "@ai-sdk/openai-compatible",
  anthropic: "@ai-sdk/anthropic",
  openai: "@ai-sdk/openai",
} as const;
export type OpencodeSdk = keyof typeof OPENCODE_SDKS;

/** A model's limits as llmux lists them (GET /v1/models: `context_window`, `max_output_tokens`). */
export interface ModelLimits {
  contextWindow?: number;
  maxOutputTokens?: number;
}

export interface SetupInput {
  /** llmux's base URL, without a trailing slash. */
  url: string;
  key: string;
  model?: string | undefined;
  smallModel?: string | undefined;
  /** Model names llmux lists (OpenCode declares them all, so its picker offers them). */
  listed?: readonly string[] | undefined;
  /** The limits of listed names, by name (those llmux knows): passed to the tool's own settings. */
  limits?: Readonly<Record<string, ModelLimits>> | undefined;
  /** OpenCode: which AI SDK provider (default openai-compatible). */
  sdk?: OpencodeSdk | undefined;
  /** Copilot CLI: its wire API (default completions). */
  wire?: CopilotWire | undefined;
  /** The user's environment (what a tool's private settings may have to carry over). */
  env?: NodeJS.ProcessEnv | undefined;
  /** Codex: llmux accepts Responses over WebSocket (server.websocket), so its built-in provider can use it. */
  websocket?: boolean | undefined;
  /** llmux's MCP endpoint (`…/mcp`), registered with the tool for the run; absent: none (or --no-mcp). */
  mcp?: string | undefined;
  /** Headers of llmux's own the tool sends on every request (`llmux-tags` from --tag), by lowercase name. */
  headers?: Readonly<Record<string, string>> | undefined;
}

/**
 * A settings file of llmux's own for this run (in its private state directory, never the tool's), for what
 * the tool reads with a higher precedence than the user's files: given by a flag or a variable.
 */
export interface PrivateFile {
  /** File name stem (made unique per run). */
  name: string;
  content: string;
  /** The tool's flag that names the file (put before the user's arguments). */
  flag?: string;
  /** What the flag's value puts before the path (Copilot CLI: `@`). */
  prefix?: string;
  /** The variable that names the file. */
  variable?: string;
}

/**
 * A home folder of llmux's own for a tool that reads its settings from a fixed place under a home it lets a
 * variable name: kept in llmux's state directory between runs (the tool keeps its history there), its
 * settings file rewritten for each run, and links to what of the user's folder the tool should still see.
 */
export interface PrivateHome {
  /** Folder name in llmux's state directory. */
  name: string;
  /** The variable that names the folder. */
  variable: string;
  /** Files written for each run, by path inside the folder. */
  files: Record<string, string>;
  /** Links made when missing, by path inside the folder: to the user's own files (when those exist). */
  links: Record<string, string>;
}

/** How a tool is started: variables set and removed, and arguments put before the user's. */
export interface Setup {
  env: Record<string, string>;
  /** Variables removed from the tool's environment (they would send it elsewhere). */
  unset: string[];
  /** Arguments before the user's own. */
  args: string[];
  /** Lines shown to the user about what was chosen (model names). */
  notes: string[];
  /** Private settings files for this run (launcher only; `llmux env` cannot carry them). */
  files?: PrivateFile[];
  /** A private home folder (launcher only). */
  home?: PrivateHome;
}

export interface ToolSpec {
  name: ToolName;
  /** The tool's own name. */
  title: string;
  /** Its executable. */
  bin: string;
  /** The variable that names its executable instead of PATH (tests point it at the tools they install). */
  binEnv: string;
  /** The npm package that installs it. */
  npm: string;
  /** Its page in docs/clients/, when there is one. */
  docs: string;
  /** Whether the tool has a setting for a small/background model. */
  smallModel: boolean;
  /**
   * The names the tool asks for when it is given none (its main model, its small one), those that are known
   * and stable enough to check a key's allow-list against.
   */
  defaultModels?: { model?: string; small?: string };
  setup(input: SetupInput): Setup;
  /** An example invocation for help (arguments after --). */
  example: string;
}

/** Copilot CLI's wire APIs (`COPILOT_PROVIDER_WIRE_API`). */
export const COPILOT_WIRES = ["completions", "responses"] as const;
export type CopilotWire = (typeof COPILOT_WIRES)[number];
