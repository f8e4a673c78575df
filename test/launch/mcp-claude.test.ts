/**
 * Real Claude Code, headless through `llmux claude`, lists and calls a tool that llmux serves at /mcp (a real
 * MCP server from the npm registry behind it), the model being the scripted mock that asks for the tool; the
 * call is a request-log row under the same key as the model requests, with its MCP session, in Claude Code's
 * coding session.
 */
import { randomBytes } from "node:crypto";
import { dirname } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { ensureClient } from "../support/clients.js";
import { launch } from "../support/launch.js";
import { loggedRows, mcpLaunchWorld, scriptToolRoundTrip } from "../support/mcp-launch.js";

let world: Awaited<ReturnType<typeof mcpLaunchWorld>>;
let claude: string;

beforeAll(async () => {
  claude = await ensureClient("claude-code");
  world = await mcpLaunchWorld();
}, 300_000);

afterAll(async () => {
  await world?.close();
});

it("llmux claude registers /mcp: Claude Code lists and calls a tool through llmux, logged under its key", async () => {
  const marker = `mcp-${randomBytes(4).toString("hex")}`;
  const done = `Done ${randomBytes(4).toString("hex")}.`;
  scriptToolRoundTrip(world.mock, "mcp__llmux__everything__echo", marker, done);
  const r = await launch(
    world.home,
    [
      "claude",
      "--config",
      world.config,
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
    {
      path: [dirname(claude)],
      timeoutMs: 170_000,
      // Claude Code's own bounds on an MCP server's start and a tool call (its defaults gave up once on a loaded
      // machine: the tool's result never reached the model): llmux's /mcp starts the stdio server behind it.
      env: { MCP_TIMEOUT: "120000", MCP_TOOL_TIMEOUT: "120000" },
    },
  );
  const run = `exit ${r.code}\n--- stdout ---\n${r.stdout}\n--- stderr ---\n${r.stderr}`;
  expect(r.code, run).toBe(0);
  expect(r.stdout.trim(), run).toBe(done);
  expect(r.stderr).toContain("MCP: llmux's tools");
  // Claude Code was offered the tool under llmux's name for it.
  const first = world.mock.requests.find((q) => JSON.stringify(q.body).includes("mcp__llmux__everything__echo"));
  expect(first, run).toBeDefined();
  const { calls, generations } = await loggedRows(world);
  expect(calls).toHaveLength(1);
  expect(calls[0]).toMatchObject({ mcp_tool: "echo", outcome: "ok", path: "/mcp" });
  expect(calls[0]!.mcp_session).toEqual(expect.any(String));
  expect(generations.length).toBeGreaterThan(0);
  expect(calls[0]!.key_name).toBe(generations[0]!.key_name);
  // In Claude Code's session: the call names the tool_use of the turn that asked for it (_meta
  // "claudecode/toolUseId"), and llmux logs it under that turn's session.
  expect(generations[0]!.session_id).toEqual(expect.any(String));
  expect(calls[0]!.session_id).toBe(generations[0]!.session_id);
}, 300_000);
