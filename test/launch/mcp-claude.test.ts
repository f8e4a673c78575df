/**
 * Real Claude Code, headless through `llmux claude`, lists and calls a tool that llmux serves at /mcp (a real
 * MCP server from the npm registry behind it), the model being the scripted mock that asks for the tool; the
 * call is a request-log row under the same key as the model requests, with its MCP session.
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
let claude: string;

beforeAll(async () => {
  claude = await ensureClient("claude-code");
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
        "haiku-alias": { provider: "anthropic", model: "claude-haiku-4-5" },
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

it("llmux claude registers /mcp: Claude Code lists and calls a tool through llmux, logged under its key", async () => {
  const marker = `mcp-${randomBytes(4).toString("hex")}`;
  const done = `Done ${randomBytes(4).toString("hex")}.`;
  mock.enqueue(
    {
      match: { model: "claude-sonnet-4-5" },
      model: "claude-sonnet-4-5",
      blocks: [
        {
          type: "tool_call",
          name: "mcp__llmux__everything__echo",
          arguments: JSON.stringify({ message: marker }),
        },
      ],
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
      "claude",
      "--config",
      config,
      "--model",
      "sonnet-alias",
      "--small-model",
      "haiku-alias",
      "--",
      "-p",
      "Echo the marker with the tool.",
      "--allowedTools",
      "mcp__llmux__everything__echo",
    ],
    { path: [dirname(claude)], timeoutMs: 170_000 },
  );
  const run = `exit ${r.code}\n--- stdout ---\n${r.stdout}\n--- stderr ---\n${r.stderr}`;
  expect(r.code, run).toBe(0);
  expect(r.stdout.trim(), run).toBe(done);
  expect(r.stderr).toContain("MCP: llmux's tools");
  // Claude Code was offered the tool under llmux's name for it.
  const first = mock.requests.find((q) => JSON.stringify(q.body).includes("mcp__llmux__everything__echo"));
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
  expect(calls[0]!.mcp_session).toEqual(expect.any(String));
  const generations = await rows("model=sonnet-alias");
  expect(generations.length).toBeGreaterThan(0);
  expect(calls[0]!.key_name).toBe(generations[0]!.key_name);
}, 300_000);
