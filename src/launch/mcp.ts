/**
 * How each coding tool is given llmux's MCP endpoint (`/mcp`, every tool the key may use) for a run, and the
 * check that the llmux it talks to serves one. The name the tools show it under is `llmux`.
 */

export const MCP_NAME = "llmux";

/** Whether the llmux at `url` serves MCP servers to this key: /mcp answers without a session (400), not 404. */
export async function servesMcp(url: string, key: string, timeoutMs = 3000): Promise<boolean> {
  try {
    const res = await fetch(`${url}/mcp`, {
      method: "GET",
      headers: { authorization: `Bearer ${key}`, accept: "text/event-stream" },
      signal: AbortSignal.timeout(timeoutMs),
    });
    await res.body?.cancel();
    return res.status !== 404 && res.status !== 401 && res.status < 500;
  } catch {
    return false;
  }
}

const bearer = (key: string) => ({ Authorization: `Bearer ${key}` });

/** Claude Code's `--mcp-config` file: the endpoint over Streamable HTTP (`type: http`) with the key. */
export function claudeMcpConfig(mcpUrl: string, key: string): string {
  const config = { mcpServers: { [MCP_NAME]: { type: "http", url: mcpUrl, headers: bearer(key) } } };
  return `${JSON.stringify(config, null, 2)}\n`;
}

/** Codex CLI's `-c` overrides: a Streamable HTTP server whose bearer token is read from LLMUX_KEY. */
export function codexMcpArgs(mcpUrl: string): string[] {
  return ["-c", `mcp_servers.${MCP_NAME}={url=${JSON.stringify(mcpUrl)},bearer_token_env_var="LLMUX_KEY"}`];
}

/** OpenCode's `mcp` setting: a remote server, the key read from LLMUX_KEY. */
export function opencodeMcp(mcpUrl: string): Record<string, unknown> {
  return {
    [MCP_NAME]: { type: "remote", url: mcpUrl, enabled: true, headers: { Authorization: "Bearer {env:LLMUX_KEY}" } },
  };
}

/** Gemini CLI's `mcpServers` setting: a Streamable HTTP server (`httpUrl`) with the key. */
export function geminiMcpServers(mcpUrl: string, key: string): Record<string, unknown> {
  return { [MCP_NAME]: { httpUrl: mcpUrl, headers: bearer(key) } };
}

/** Copilot CLI's `--additional-mcp-config` file: an HTTP server with the key, all of its tools allowed. */
export function copilotMcpConfig(mcpUrl: string, key: string): string {
  const config = { mcpServers: { [MCP_NAME]: { type: "http", url: mcpUrl, headers: bearer(key), tools: ["*"] } } };
  return `${JSON.stringify(config, null, 2)}\n`;
}

/** Cursor's `mcp.json` (~/.cursor/mcp.json, or .cursor/mcp.json in a project). */
export function cursorMcpJson(mcpUrl: string, key: string): string {
  return JSON.stringify({ mcpServers: { [MCP_NAME]: { url: mcpUrl, headers: bearer(key) } } }, null, 2);
}
