/**
 * Claude Code's MCP tool calls in its session: they carry no session header, but `params._meta
 * ["claudecode/toolUseId"]` names the tool_use llmux relayed on /v1/messages under the session. The id is
 * the one the official Anthropic SDK read from llmux's answer, relayed as it came (an Anthropic upstream) or
 * translated (a Chat upstream); the MCP call is the official MCP SDK's.
 */
import Anthropic from "@anthropic-ai/sdk";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, type Harness, startHarness } from "../support/gateway.js";
import { everythingStdio, mcpClient } from "../support/mcp-servers.js";

const KEY = "claude-key-0123456789";
const OTHER = "other-key-0123456789";
const SESSION = "4f0c2a8e-6b7d-4e51-9c3a-2d1e0f9a8b7c";
let h: Harness;
let mcp: Client;
beforeAll(async () => {
  h = await startHarness(() => ({
    auth: { keys: [KEY, OTHER] },
    mcp: { servers: { everything: everythingStdio() } },
  }));
  mcp = await mcpClient(h.url, KEY);
});
afterAll(async () => {
  await mcp?.close();
  await h?.close();
});

/** A Claude Code turn that answers with one tool_use: its id as the client got it. */
async function toolUseTurn(model: string, id: string, stream: boolean): Promise<string> {
  h.mock.enqueue({
    blocks: [{ type: "tool_call", name: "mcp__llmux__everything__echo", arguments: '{"message":"hi"}', id }],
  });
  const sdk = new Anthropic({
    apiKey: KEY,
    baseURL: h.url,
    maxRetries: 0,
    defaultHeaders: { "x-claude-code-session-id": SESSION, "user-agent": "claude-cli/2.1.330 (external, cli)" },
  });
  const body = { model, max_tokens: 100, messages: [{ role: "user" as const, content: "echo hi" }] };
  const msg = stream ? await sdk.messages.stream(body).finalMessage() : await sdk.messages.create(body);
  const use = msg.content.find((b) => b.type === "tool_use");
  expect(use, JSON.stringify(msg.content)).toBeDefined();
  return (use as { id: string }).id;
}

/** Calls the MCP tool as Claude Code does, naming the tool_use; the session on its log line. */
async function mcpCallSession(client: Client, toolUseId: string): Promise<unknown> {
  const before = h.logs.length;
  await client.callTool({
    name: "everything__echo",
    arguments: { message: "hi" },
    _meta: { "claudecode/toolUseId": toolUseId },
  });
  // The tool call is the /mcp request logged at info level (the session's other requests are quiet).
  const line = await eventually(() => h.logs.slice(before).find((l) => l.path === "/mcp" && l.req_id !== undefined));
  return line.session;
}

describe("Claude Code's MCP calls land in its session", () => {
  for (const [model, how] of [
    ["via-anthropic", "relayed as it came"],
    ["via-openai-chat", "translated from Chat"],
  ] as const)
    for (const stream of [true, false])
      it(`a tool_use ${how} (${stream ? "streamed" : "whole"}): the MCP call naming it is in the session`, async () => {
        const id = await toolUseTurn(model, `toolu_${model.replace(/\W/g, "")}_${stream ? "s" : "w"}`, stream);
        expect(await mcpCallSession(mcp, id)).toBe(SESSION);
      });

  it("an id llmux never relayed, or relayed to another key, names no session", async () => {
    expect(await mcpCallSession(mcp, "toolu_never_seen_0001")).toBeUndefined();
    const id = await toolUseTurn("via-anthropic", "toolu_for_claude_key", true);
    const other = await mcpClient(h.url, OTHER);
    try {
      expect(await mcpCallSession(other, id)).toBeUndefined();
    } finally {
      await other.close();
    }
  });
});
