import { describe, expect, it } from "vitest";
import { cursorMcpJson } from "../../src/launch/mcp.js";
import { TOOLS } from "../../src/launch/tools.js";

const URL_ = "http://127.0.0.1:4000";
const KEY = "lx-key-for-the-run";
const MCP = `${URL_}/mcp`;

/** Each launcher registers llmux's /mcp with its tool the tool's own way, and not without one. */
describe("launchers register llmux's MCP endpoint", () => {
  it("Claude Code: a --mcp-config file naming /mcp over HTTP with the key", () => {
    const s = TOOLS.claude.setup({ url: URL_, key: KEY, mcp: MCP });
    const file = s.files!.find((f) => f.flag === "--mcp-config")!;
    expect(JSON.parse(file.content)).toEqual({
      mcpServers: { llmux: { type: "http", url: MCP, headers: { Authorization: `Bearer ${KEY}` } } },
    });
    expect(TOOLS.claude.setup({ url: URL_, key: KEY }).files!.some((f) => f.flag === "--mcp-config")).toBe(false);
  });

  it("Codex CLI: -c mcp_servers.llmux with the key read from LLMUX_KEY", () => {
    const s = TOOLS.codex.setup({ url: URL_, key: KEY, mcp: MCP });
    const i = s.args.findIndex((a) => a.startsWith("mcp_servers.llmux="));
    expect(s.args[i - 1]).toBe("-c");
    expect(s.args[i]).toBe(`mcp_servers.llmux={url="${MCP}",bearer_token_env_var="LLMUX_KEY"}`);
    expect(s.env.LLMUX_KEY).toBe(KEY);
    expect(TOOLS.codex.setup({ url: URL_, key: KEY }).args.join(" ")).not.toContain("mcp_servers");
  });

  it("OpenCode: a remote server in OPENCODE_CONFIG_CONTENT", () => {
    const s = TOOLS.opencode.setup({ url: URL_, key: KEY, model: "m", mcp: MCP });
    const content = JSON.parse(s.env.OPENCODE_CONFIG_CONTENT!);
    expect(content.mcp.llmux).toEqual({
      type: "remote",
      url: MCP,
      enabled: true,
      headers: { Authorization: "Bearer {env:LLMUX_KEY}" },
    });
  });

  it("Gemini CLI: mcpServers in the run's settings", () => {
    const s = TOOLS.gemini.setup({ url: URL_, key: KEY, mcp: MCP, env: { HOME: "/nonexistent" } });
    const settings = JSON.parse(Object.values(s.home!.files)[0]!);
    expect(settings.mcpServers.llmux).toEqual({ httpUrl: MCP, headers: { Authorization: `Bearer ${KEY}` } });
  });

  it("Copilot CLI: an --additional-mcp-config file (@path) naming /mcp over HTTP with the key, all its tools", () => {
    const s = TOOLS.copilot.setup({ url: URL_, key: KEY, model: "m", mcp: MCP });
    const file = s.files!.find((f) => f.flag === "--additional-mcp-config")!;
    expect(file.prefix).toBe("@");
    expect(JSON.parse(file.content)).toEqual({
      mcpServers: { llmux: { type: "http", url: MCP, headers: { Authorization: `Bearer ${KEY}` }, tools: ["*"] } },
    });
    expect(TOOLS.copilot.setup({ url: URL_, key: KEY, model: "m" }).files).toEqual([]);
  });

  it("Cursor: the mcp.json snippet", () => {
    expect(JSON.parse(cursorMcpJson(MCP, KEY))).toEqual({
      mcpServers: { llmux: { url: MCP, headers: { Authorization: `Bearer ${KEY}` } } },
    });
  });
});
