/**
 * Real Copilot CLI, headless and offline through `llmux copilot`, lists and calls a tool that llmux serves at
 * /mcp (a real MCP server from the npm registry behind it, given to Copilot CLI with
 * `--additional-mcp-config`), the model being the scripted mock that asks for the tool; the call is a
 * request-log row under the same key as the model requests.
 */
import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type MockServer, startMockServer } from "../../src/mock/server.js";
import { ensureClient } from "../support/clients.js";
import { freePort } from "../support/instances.js";
import { type Home, launch, makeHome, removeHome, stopAll } from "../support/launch.js";
import { everythingStdio } from "../support/mcp-servers.js";

const KEY = `llmux-mcp-${randomBytes(6).toString("hex")}`;
const ADMIN = `admin-${randomBytes(8).toString("hex")}`;

let mock: MockServer;
let home: Home;
let port: number;
let config: string;
let copilot: string;

beforeAll(async () => {
  copilot = await ensureClient("copilot");
  mock = await startMockServer();
  home = makeHome();
  port = await freePort();
  config = join(home.root, "llmux.yaml");
  writeFileSync(
    config,
    JSON.stringify({
      server: { port },
      auth: { keys: [KEY] },
      admin: { keys: [ADMIN] },
      store: { path: join(home.root, "llmux.db") },
      providers: { anthropic: { type: "anthropic", base_url: mock.url, api_key: "an-key" } },
      models: {
        "sonnet-alias": { provider: "anthropic", model: "claude-sonnet-4-5" },
      },
      mcp: { servers: { everything: everythingStdio() } },
    }),
  );
}, 300_000);

afterAll(async () => {
  stopAll([home.state]);
  await mock?.close();
  removeHome(home);
});

it("llmux copilot adds /mcp: Copilot CLI lists and calls a tool through llmux, logged under its key", async () => {
  const marker = `mcp-${randomBytes(4).toString("hex")}`;
  const done = `Done ${randomBytes(4).toString("hex")}.`;
  // Copilot CLI names an MCP tool `<server>-<tool>`: llmux's server, its `everything__echo` tool.
  const tool = "llmux-everything__echo";
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
  const r = await launch(
    home,
    [
      "copilot",
      "--config",
      config,
      "--model",
      "sonnet-alias",
      "--",
      "-p",
      "Echo the marker with the tool.",
      "-s",
      "--allow-all-tools",
      "--no-ask-user",
    ],
    { path: [dirname(copilot)], timeoutMs: 170_000, env: { COPILOT_AUTO_UPDATE: "false" } },
  );
  const run = `exit ${r.code}\n--- stdout ---\n${r.stdout}\n--- stderr ---\n${r.stderr}`;
  expect(r.code, run).toBe(0);
  expect(r.stdout.trim(), run).toBe(done);
  expect(r.stderr).toContain("MCP: llmux's tools");
  const first = mock.requests.find((q) => JSON.stringify(q.body).includes(tool));
  expect(first, run).toBeDefined();
  const url = `http://127.0.0.1:${port}`;
  const rows = async (query: string) => {
    const res = await fetch(`${url}/admin/v1/requests?${query}`, { headers: { authorization: `Bearer ${ADMIN}` } });
    return ((await res.json()) as { rows: Record<string, unknown>[] }).rows;
  };
  let calls: Record<string, unknown>[] = [];
  for (let i = 0; i < 50 && calls.length === 0; i++) {
    calls = await rows("mcp_server=everything");
    if (calls.length === 0) await new Promise((res) => setTimeout(res, 100));
  }
  expect(calls).toHaveLength(1);
  expect(calls[0]).toMatchObject({ mcp_tool: "echo", outcome: "ok", path: "/mcp" });
  const generations = await rows("model=sonnet-alias");
  expect(generations.length).toBeGreaterThan(0);
  expect(calls[0]!.key_name).toBe(generations[0]!.key_name);
}, 300_000);
