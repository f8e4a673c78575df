/**
 * docs/clients/{claude-code,codex,opencode,gemini-cli,copilot}.md show exactly what the real-client suite (real-clients.test.ts)
 * runs: the tool's configuration files and variables are the ones the suite writes (rendered for llmux's
 * default address), and every llmux configuration they show is valid and routes every model name the tool
 * sends.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { parseConfig } from "../../src/config/load.js";
import { createProviders } from "../../src/providers/index.js";
import { ModelTable } from "../../src/routing/model-table.js";
import { REPO_ROOT } from "../support/clients.js";
import {
  builtInProviderToml,
  CODEX_MODEL,
  COPILOT_MODEL,
  claudeCodeEnv,
  codexConfigToml,
  copilotEnv,
  GEMINI_CLI_MODEL,
  geminiCliEnv,
  geminiCliSettings,
  OPENCODE_ENV,
  OPENCODE_MODELS,
  type OpenCodeSdk,
  opencodeConfig,
} from "./cells.js";

/** llmux's default address, as the documents use it. */
const URL = "http://127.0.0.1:4000";

const ENV = {
  LLMUX_KEY: "k",
  ANTHROPIC_API_KEY: "k",
  AZURE_API_KEY: "k",
  OPENAI_API_KEY: "k",
  KIMI_API_KEY: "k",
};

const reEscape = (s: string) => s.replace(/[.*+?^${}()|[\]\\"]/g, "\\$&");

const read = (name: string) => readFileSync(join(REPO_ROOT, "docs", "clients", name), "utf8");

function blocks(doc: string, lang: string): string[] {
  return [...doc.matchAll(new RegExp("```" + lang + "\\n([\\s\\S]*?)```", "g"))].map((m) => m[1]!);
}

/** Every llmux configuration of a document is valid and routes each name. */
function checkConfigs(doc: string, names: string[]): void {
  const configs = blocks(doc, "yaml");
  expect(configs.length).toBeGreaterThan(0);
  for (const text of configs) {
    const config = parseConfig(parseYaml(text), ENV);
    const table = new ModelTable(config.models, createProviders(config));
    for (const name of names) expect(table.resolve(name), `${name} in\n${text}`).toBeDefined();
  }
}

describe("docs/clients/claude-code.md", () => {
  const doc = read("claude-code.md");

  it("sets the variables the suite sets", () => {
    for (const [k, v] of Object.entries(claudeCodeEnv(URL, '"$LLMUX_KEY"'))) expect(doc).toContain(`export ${k}=${v}`);
  });

  it("routes Claude Code's model names (default, --model, small tasks) in every configuration", () => {
    checkConfigs(doc, ["claude-opus-4-8", "claude-sonnet-4-5", "claude-haiku-4-5", "claude-3-5-haiku-20241022"]);
  });
});

describe("docs/clients/codex.md", () => {
  const doc = read("codex.md");

  it("shows the ~/.codex/config.toml the suite writes", () => {
    expect(blocks(doc, "toml")).toContain(codexConfigToml(URL));
    expect(blocks(doc, "toml")).toContain(builtInProviderToml(URL));
  });

  it(`routes ${CODEX_MODEL} in every configuration`, () => {
    checkConfigs(doc, [CODEX_MODEL]);
  });
});

describe("docs/clients/opencode.md", () => {
  const doc = read("opencode.md");
  const sdks = Object.keys(OPENCODE_MODELS) as OpenCodeSdk[];

  it("shows the opencode.json the suite writes, for each AI SDK provider", () => {
    const shown = blocks(doc, "json").map((b) => JSON.parse(b) as unknown);
    for (const sdk of sdks) expect(shown, sdk).toContainEqual(opencodeConfig(sdk, URL));
  });

  it("sets the variables the suite sets", () => {
    for (const [k, v] of Object.entries(OPENCODE_ENV)) expect(doc).toContain(`export ${k}=${v}`);
  });

  it("routes every model name of the three providers in every configuration", () => {
    checkConfigs(
      doc,
      sdks.flatMap((s) => [OPENCODE_MODELS[s].main, OPENCODE_MODELS[s].small]),
    );
  });
});

describe("docs/clients/gemini-cli.md", () => {
  const doc = read("gemini-cli.md");

  it("shows the ~/.gemini/settings.json the suite writes", () => {
    const shown = blocks(doc, "json").map((b) => JSON.parse(b) as unknown);
    expect(shown).toContainEqual(geminiCliSettings());
  });

  it("sets the variables the suite sets", () => {
    const env = geminiCliEnv(URL, '"$LLMUX_KEY"');
    // Each line as the document writes it (a comment may follow the value).
    for (const [k, v] of Object.entries(env)) expect(doc).toMatch(new RegExp(`^export ${k}=${reEscape(v)}( |$)`, "m"));
    expect(doc).toContain(`gemini -m ${GEMINI_CLI_MODEL} -p`);
  });

  it(`routes ${GEMINI_CLI_MODEL} and its helper models in every configuration`, () => {
    checkConfigs(doc, [GEMINI_CLI_MODEL, "gemini-2.5-flash-lite", "gemini-3.1-pro-preview"]);
  });
});

describe("docs/clients/copilot.md", () => {
  const doc = read("copilot.md");

  it("sets the variables the suite sets (Chat Completions, the launcher's default)", () => {
    const env = copilotEnv(URL, '"$LLMUX_KEY"', "completions");
    for (const [k, v] of Object.entries(env)) expect(doc).toMatch(new RegExp(`^export ${k}=${reEscape(v)}( |$)`, "m"));
  });

  it(`routes ${COPILOT_MODEL} in every configuration`, () => {
    checkConfigs(doc, [COPILOT_MODEL, "gpt-high"]);
  });
});
