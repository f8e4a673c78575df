/**
 * Real Copilot CLI, headless and offline through `llmux copilot`, lists and calls a tool that llmux serves at
 * /mcp (a real MCP server from the npm registry behind it, given to Copilot CLI with
 * `--additional-mcp-config`), the model being the scripted mock that asks for the tool; the call is a
 * request-log row under the same key as the model requests.
 */
import { randomBytes } from "node:crypto";
import { dirname } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { ensureClient } from "../support/clients.js";
import { launch } from "../support/launch.js";
import { loggedRows, mcpLaunchWorld, scriptToolRoundTrip } from "../support/mcp-launch.js";

let world: Awaited<ReturnType<typeof mcpLaunchWorld>>;
let copilot: string;

beforeAll(async () => {
  copilot = await ensureClient("copilot");
  world = await mcpLaunchWorld();
}, 300_000);

afterAll(async () => {
  await world?.close();
});

it("llmux copilot adds /mcp: Copilot CLI lists and calls a tool through llmux, logged under its key", async () => {
  const marker = `mcp-${randomBytes(4).toString("hex")}`;
  const done = `Done ${randomBytes(4).toString("hex")}.`;
  // Copilot CLI names an MCP tool `<server>-<tool>`: llmux's server, its `everything__echo` tool.
  const tool = "llmux-everything__echo";
  scriptToolRoundTrip(world.mock, tool, marker, done);
  const r = await launch(
    world.home,
    [
      "copilot",
      "--config",
      world.config,
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
  const first = world.mock.requests.find((q) => JSON.stringify(q.body).includes(tool));
  expect(first, run).toBeDefined();
  const { calls, generations } = await loggedRows(world);
  expect(calls).toHaveLength(1);
  expect(calls[0]).toMatchObject({ mcp_tool: "echo", outcome: "ok", path: "/mcp" });
  expect(generations.length).toBeGreaterThan(0);
  expect(calls[0]!.key_name).toBe(generations[0]!.key_name);
}, 300_000);
