import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect } from "vitest";
import { ConfigError } from "../../src/config/load.js";

/** A temporary directory for YAML files, removed when the test file ends. */
export function tempDir(): (name: string, text: string) => string {
  const dir = mkdtempSync(join(tmpdir(), "llmux-config-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return (name, text) => {
    const path = join(dir, name);
    writeFileSync(path, text, "utf8");
    return path;
  };
}

/** Runs `fn`, expects a ConfigError, and returns its problems. */
export function problemsOf(fn: () => unknown): string[] {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(caught, "expected a ConfigError").toBeInstanceOf(ConfigError);
  const err = caught as ConfigError;
  // The message lists every problem, one per line, for the CLI to print.
  for (const p of err.problems) expect(err.message).toContain(p);
  return err.problems;
}

/** The full example from the configuration issue, with every variable it needs. */
export const ISSUE_EXAMPLE = `server: { host: 127.0.0.1, port: 4000 }
auth: { keys: ["\${LLMUX_KEY}"] }
providers:
  azure: { type: azure, base_url: https://res.openai.azure.com, api_key: "\${AZURE_API_KEY}", api: responses }
  azure-chat: { type: azure, base_url: https://res.openai.azure.com, api_key: "\${AZURE_API_KEY}", api: chat, api_version: "2024-10-21" }
  openai: { type: openai, api_key: "\${OPENAI_API_KEY}" }
  claude: { type: anthropic, api_key: "\${ANTHROPIC_API_KEY}" }
  kimi: { type: openai-compatible, preset: moonshot, api_key: "\${KIMI_API_KEY}" }
models:
  gpt-high: { provider: azure, model: gpt-5-codex, reasoning: { effort: high, summary: detailed }, verbosity: medium }
  claude-sonnet: { provider: claude, model: claude-sonnet-4-5, thinking: { budget_tokens: 8000 } }
  kimi-k2-thinking: { provider: kimi, model: kimi-k2-thinking }
  "claude-*haiku*": { provider: azure, model: gpt-5-mini }
`;

export const ISSUE_ENV = {
  LLMUX_KEY: "sk-llmux-test",
  AZURE_API_KEY: "azure-key",
  OPENAI_API_KEY: "openai-key",
  ANTHROPIC_API_KEY: "anthropic-key",
  KIMI_API_KEY: "kimi-key",
};
