/**
 * Prompt-cache breakpoints on translated requests (src/dialects/anthropic/cache-breakpoints.ts): a recorded
 * Codex tool round trip and a real Cursor body, sent through the gateway to an Anthropic upstream, reach it
 * with breakpoints on the last tool, the last system block, the last message and the user turn before it,
 * never more than the upstream's limit of 4; `cache: off` sends none; an Anthropic client's own body is left
 * as it is; Bedrock Converse gets the same places as cachePoint blocks. The rules themselves on small bodies.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_BREAKPOINTS, placeCacheBreakpoints } from "../../src/dialects/anthropic/cache-breakpoints.js";
import type { Json, JsonObject } from "../../src/ir/types.js";
import { codecs, upstreamCodecs } from "../../src/translate/codecs.js";
import { type Body, type Harness, startHarness } from "../support/gateway.js";

const SHARED = join(import.meta.dirname, "../../../shared/fixtures");
const load = (p: string) => JSON.parse(readFileSync(join(SHARED, p), "utf8")) as Body;
const CODEX = "real-clients/codex-responses-toolroundtrip-08-POST__v1_responses_function_call_output.json";
const CURSOR = "cursor-2026/clyde__agent-gpt54-responses-body-on-chat-completions__request.json";

/** Where the upstream body carries cache_control: "tools[i]", "system[i]", "messages[i].content[j]". */
function marks(body: Body): string[] {
  const out: string[] = [];
  for (const [i, t] of (body.tools ?? []).entries()) if ((t as Body).cache_control) out.push(`tools[${i}]`);
  if (Array.isArray(body.system))
    for (const [i, b] of (body.system as Body[]).entries()) if (b.cache_control) out.push(`system[${i}]`);
  body.messages.forEach((m: Body, i: number) => {
    if (Array.isArray(m.content))
      for (const [j, b] of (m.content as Body[]).entries())
        if (b.cache_control) out.push(`messages[${i}].content[${j}]`);
  });
  return out;
}

/** The expected places, from the body itself: last tool, last system block, last message, the user turn before. */
function expectedPlaces(body: Body): string[] {
  const msgs = body.messages as Body[];
  const lastOf = (i: number) => `messages[${i}].content[${(msgs[i]!.content as Body[]).length - 1}]`;
  const prevUser = msgs.slice(0, -1).findLastIndex((m) => m.role === "user");
  const out = [`tools[${body.tools.length - 1}]`, `system[${body.system.length - 1}]`, lastOf(msgs.length - 1)];
  if (prevUser >= 0) out.push(lastOf(prevUser));
  return out.sort();
}

describe("cache breakpoints through the gateway", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness((mock) => ({
      providers: { anthropic2: { type: "anthropic", base_url: mock, api_key: "an-key" } },
      models: {
        "claude-nocache": { provider: "anthropic2", model: "claude-sonnet-4-5", cache: "off" },
        "claude-hour": { provider: "anthropic2", model: "claude-sonnet-4-5", cache_ttl: "1h" },
      },
    }));
  });
  afterAll(() => h.close());

  const upstreamBody = async (path: string, body: Body): Promise<Body> => {
    const before = h.mock.requests.length;
    const res = await fetch(`${h.url}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    await res.text();
    expect(res.status).toBe(200);
    return h.mock.requests.slice(before).find((r) => r.path === "/v1/messages")!.body as Body;
  };

  it("a recorded Codex tool round trip: tools, system, the last message and the user turn before it", async () => {
    const codex = load(CODEX);
    const sent = await upstreamBody("/v1/responses", { ...codex.body, model: "via-anthropic" });
    expect(sent.messages.length).toBeGreaterThanOrEqual(3);
    const places = marks(sent);
    expect(places.sort()).toEqual(expectedPlaces(sent));
    expect(places.length).toBeLessThanOrEqual(MAX_BREAKPOINTS);
    // The last message is the tool result the client sent.
    const last = sent.messages.at(-1).content.at(-1);
    expect(last).toMatchObject({ type: "tool_result", cache_control: { type: "ephemeral" } });
  });

  it("a real Cursor body on the Chat route: the same places", async () => {
    const cursor = load(CURSOR);
    const sent = await upstreamBody("/v1/chat/completions", { ...cursor.body, model: "via-anthropic" });
    expect(marks(sent).sort()).toEqual(expectedPlaces(sent));
  });

  it("cache: off sends none; cache_ttl: 1h asks for an hour", async () => {
    const codex = load(CODEX);
    expect(marks(await upstreamBody("/v1/responses", { ...codex.body, model: "claude-nocache" }))).toEqual([]);
    const hour = await upstreamBody("/v1/responses", { ...codex.body, model: "claude-hour" });
    expect(hour.tools.at(-1).cache_control).toEqual({ type: "ephemeral", ttl: "1h" });
  });

  it("an Anthropic client's body keeps its own markers and gets no others", async () => {
    const claude = load("real-clients/claude-sonnet45-toolroundtrip-06-POST__v1_messages_tool_result.json");
    const own = marks(claude.body);
    const sent = await upstreamBody("/v1/messages", { ...claude.body, model: "via-anthropic" });
    expect(marks(sent)).toEqual(own);
  });
});

describe("placeCacheBreakpoints", () => {
  const body = (): JsonObject => ({
    tools: [{ name: "a", input_schema: {} }],
    system: "be brief",
    messages: [
      { role: "user", content: "one" },
      {
        role: "assistant",
        content: [
          { type: "thinking", thinking: "x", signature: "s" },
          { type: "text", text: "ok" },
        ],
      },
      { role: "user", content: [{ type: "text", text: "two" }] },
      {
        role: "assistant",
        content: [
          { type: "text", text: "yes" },
          { type: "thinking", thinking: "y", signature: "t" },
        ],
      },
    ],
  });

  it("counts the client's markers against the limit and never marks a block twice", () => {
    const b = body();
    const msgs = b.messages as JsonObject[];
    (b.tools as JsonObject[])[0]!.cache_control = { type: "ephemeral" };
    ((msgs[2]!.content as JsonObject[])[0] as JsonObject).cache_control = { type: "ephemeral" };
    (msgs[0] as JsonObject).content = [
      { type: "text", text: "a", cache_control: { type: "ephemeral" } },
      { type: "text", text: "b", cache_control: { type: "ephemeral" } },
    ];
    expect(placeCacheBreakpoints(b)).toBe(0);
    delete ((msgs[0]!.content as JsonObject[])[1] as JsonObject).cache_control;
    expect(placeCacheBreakpoints(b)).toBe(1);
    expect(b.system).toEqual([{ type: "text", text: "be brief", cache_control: { type: "ephemeral" } }]);
  });

  it("skips thinking blocks, turns string content into a block, marks the user turn before the last", () => {
    const b = body();
    expect(placeCacheBreakpoints(b)).toBe(4);
    const msgs = b.messages as JsonObject[];
    expect((msgs[3]!.content as JsonObject[])[0]).toMatchObject({ type: "text", cache_control: {} });
    expect((msgs[3]!.content as JsonObject[])[1]!.cache_control).toBeUndefined();
    expect((msgs[2]!.content as JsonObject[])[0]!.cache_control).toEqual({ type: "ephemeral" });
    expect(msgs[0]!.content).toBe("one");
  });

  it("reaches Bedrock Converse as cachePoint blocks in the same places", () => {
    const codex = load(CODEX);
    const ir = codecs["openai-responses"].decodeRequest(codex.body as Json);
    ir.model = "anthropic.claude-sonnet-4-5-20250929-v1:0";
    const converse = upstreamCodecs["bedrock-converse"].encodeRequest(ir, { cache: {} }).value.body as Body;
    const points = (list: Body[] | undefined) => (list ?? []).filter((b) => b.cachePoint).length;
    expect(points(converse.toolConfig?.tools)).toBe(1);
    expect(points(converse.system)).toBe(1);
    const inMessages = (converse.messages as Body[]).reduce((n, m) => n + points(m.content), 0);
    expect(inMessages).toBe(2);
    const none = upstreamCodecs["bedrock-converse"].encodeRequest(ir, {}).value.body as Body;
    expect(JSON.stringify(none)).not.toContain("cachePoint");
  });
});
