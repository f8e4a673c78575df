/**
 * `--tag` on the launchers: each tool is given the llmux-tags header the way it sends custom headers (Claude
 * Code's ANTHROPIC_CUSTOM_HEADERS lines, keeping the user's own; Codex's provider http_headers; OpenCode's
 * provider options.headers; Gemini CLI's comma-split GEMINI_CLI_CUSTOM_HEADERS, the tags joined with
 * semicolons), and llmux reads back the same tags from each form.
 */
import { describe, expect, it } from "vitest";
import { tagHeaders } from "../../src/cli/launch.js";
import { tagsOf } from "../../src/clients/tags.js";
import { TOOLS } from "../../src/launch/tools.js";

const base = { url: "http://127.0.0.1:4000", key: "lx-key", model: "m" };
const headers = { "llmux-tags": "project=checkout,cost-center=42" };
const WANT = ["cost-center=42", "project=checkout"];

/** Claude Code's reading of ANTHROPIC_CUSTOM_HEADERS: one `Name: value` per line. */
function claudeParse(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split(/\n|\r\n/)) {
    const at = line.indexOf(":");
    if (at > 0) out[line.slice(0, at).trim()] = line.slice(at + 1).trim();
  }
  return out;
}

/** Gemini CLI's reading of GEMINI_CLI_CUSTOM_HEADERS in its releases that split on every comma. */
function geminiParse(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of text.split(",")) {
    const at = entry.indexOf(":");
    if (at > 0) out[entry.slice(0, at).trim()] = entry.slice(at + 1).trim();
  }
  return out;
}

describe("launchers' --tag", () => {
  it("turns repeated --tag options into one llmux-tags header, refusing a malformed one", () => {
    const input = (tag: string[]) => ({ values: { tag }, args: [], env: {} }) as never;
    expect(tagHeaders(input(["project=checkout", "cost-center=42"]))).toEqual({
      "llmux-tags": "project=checkout,cost-center=42",
    });
    expect(() => tagHeaders(input(["not a tag"]))).toThrow(/--tag must be KEY=VALUE/);
  });

  it("Claude Code: ANTHROPIC_CUSTOM_HEADERS (also in its --settings env), keeping the user's own headers", () => {
    const s = TOOLS.claude.setup({
      ...base,
      headers,
      env: { ANTHROPIC_CUSTOM_HEADERS: "x-team: web\nllmux-tags: old=1" },
    });
    const sent = claudeParse(s.env.ANTHROPIC_CUSTOM_HEADERS!);
    expect(sent).toEqual({ "x-team": "web", "llmux-tags": headers["llmux-tags"] });
    expect(tagsOf({ "llmux-tags": sent["llmux-tags"] }).tags).toEqual(WANT);
    const settings = JSON.parse(s.files![0]!.content) as { env: Record<string, string> };
    expect(settings.env.ANTHROPIC_CUSTOM_HEADERS).toBe(s.env.ANTHROPIC_CUSTOM_HEADERS);
    expect(TOOLS.claude.setup(base).env.ANTHROPIC_CUSTOM_HEADERS).toBeUndefined();
  });

  it("Codex: the custom provider with http_headers, even where llmux takes WebSockets", () => {
    const s = TOOLS.codex.setup({ ...base, headers, websocket: true });
    const provider = s.args.find((a) => a.startsWith("model_providers.llmux="));
    expect(provider).toContain(`http_headers={"llmux-tags"="project=checkout,cost-center=42"}`);
    expect(s.args).toContain("model_provider=llmux");
    // Without tags, the built-in provider over a WebSocket, as before.
    expect(TOOLS.codex.setup({ ...base, websocket: true }).args).toContain("model_provider=openai");
  });

  it("OpenCode: the provider's options.headers", () => {
    const s = TOOLS.opencode.setup({ ...base, headers });
    const content = JSON.parse(s.env.OPENCODE_CONFIG_CONTENT!) as {
      provider: { llmux: { options: { headers?: Record<string, string> } } };
    };
    expect(content.provider.llmux.options.headers).toEqual(headers);
  });

  it("Gemini CLI: GEMINI_CLI_CUSTOM_HEADERS with the tags joined by semicolons (it splits on commas)", () => {
    const s = TOOLS.gemini.setup({ ...base, headers, env: { GEMINI_CLI_CUSTOM_HEADERS: "x-team: web" } });
    const sent = geminiParse(s.env.GEMINI_CLI_CUSTOM_HEADERS!);
    expect(sent["x-team"]).toBe("web");
    expect(tagsOf({ "llmux-tags": sent["llmux-tags"] }).tags).toEqual(WANT);
  });
});

describe("launchers' --tag with a tool that sends no headers of llmux's", () => {
  it("Copilot CLI refuses --tag, naming what tags its requests instead (never drops the tags silently)", () => {
    const copilot = TOOLS.copilot;
    expect(() => copilot.setup({ ...base, headers })).toThrow(/--tag is not available with Copilot CLI.*--tag k=v/);
    expect(copilot.setup(base).env.COPILOT_PROVIDER_BASE_URL).toBe("http://127.0.0.1:4000/v1");
  });
});
