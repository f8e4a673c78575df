/**
 * The world of the launcher MCP tests: llmux's configuration with a real MCP server (server-everything over
 * stdio) behind /mcp and the scripted mock as the model, the mock's script for one tool round trip, and the
 * request-log rows a run leaves.
 */
import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { type MockServer, startMockServer } from "../../src/mock/server.js";
import { freePort } from "./instances.js";
import { type Home, makeHome, removeHome, stopAll } from "./launch.js";
import { everythingStdio } from "./mcp-servers.js";

export interface McpLaunchWorld {
  mock: MockServer;
  home: Home;
  /** llmux's configuration file (its port fixed, so the rows can be read once the launcher stopped it). */
  config: string;
  url: string;
  close(): Promise<void>;
}

/** Models: `sonnet-alias`, and `haiku-alias` for a tool's small model; keys: a service key and an admin key. */
export async function mcpLaunchWorld(): Promise<McpLaunchWorld & { admin: string }> {
  const mock = await startMockServer();
  const home = makeHome();
  const port = await freePort();
  const config = join(home.root, "llmux.yaml");
  const admin = `admin-${randomBytes(8).toString("hex")}`;
  writeFileSync(
    config,
    JSON.stringify({
      server: { port },
      auth: { keys: [`llmux-mcp-${randomBytes(6).toString("hex")}`] },
      admin: { keys: [admin] },
      store: { path: join(home.root, "llmux.db") },
      providers: { anthropic: { type: "anthropic", base_url: mock.url, api_key: "an-key" } },
      models: {
        "sonnet-alias": { provider: "anthropic", model: "claude-sonnet-4-5" },
        "haiku-alias": { provider: "anthropic", model: "claude-haiku-4-5" },
      },
      mcp: { servers: { everything: everythingStdio() } },
    }),
  );
  return {
    mock,
    home,
    config,
    admin,
    url: `http://127.0.0.1:${port}`,
    async close() {
      await stopAll([home.state]);
      await mock.close();
      removeHome(home);
    },
  };
}

/** The model asks for `tool` with `marker`, then answers `done` once the tool's echo is in its next turn. */
export function scriptToolRoundTrip(mock: MockServer, tool: string, marker: string, done: string): void {
  mock.enqueue(
    {
      match: { model: "claude-sonnet-4-5" },
      model: "claude-sonnet-4-5",
      blocks: [{ type: "tool_call", name: tool, arguments: JSON.stringify({ message: marker }) }],
    },
    {
      match: { model: "claude-sonnet-4-5" },
      model: "claude-sonnet-4-5",
      // The tool's result, as the MCP server answered it through llmux, is in the next turn.
      expect: { contains: [`Echo: ${marker}`] },
      blocks: [{ type: "text", text: done }],
    },
  );
}

/** The run's tool-call rows (waited for: the log is written in batches) and its model calls' rows. */
export async function loggedRows(
  world: McpLaunchWorld & { admin: string },
): Promise<{ calls: Record<string, unknown>[]; generations: Record<string, unknown>[] }> {
  const rows = async (query: string) => {
    const res = await fetch(`${world.url}/admin/v1/requests?${query}`, {
      headers: { authorization: `Bearer ${world.admin}` },
    });
    return ((await res.json()) as { rows: Record<string, unknown>[] }).rows;
  };
  let calls: Record<string, unknown>[] = [];
  for (let i = 0; i < 50 && calls.length === 0; i++) {
    calls = await rows("mcp_server=everything");
    if (calls.length === 0) await new Promise((res) => setTimeout(res, 100));
  }
  return { calls, generations: await rows("model=sonnet-alias") };
}
