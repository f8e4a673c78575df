import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Dialect } from "../../src/ir/types.js";
import {
  anthropicBody,
  anthropicStream,
  type ChatFlavour,
  chatBody,
  chatStream,
  type MockScript,
  providerErrorBody,
  responsesBody,
  responsesStream,
} from "../../src/mock/index.js";
import { type ReplayServer, startReplayServer } from "../support/replay-server.js";
import { consumeWithSdk, type Outcome } from "../support/sdk.js";

const DIALECTS: Dialect[] = ["anthropic", "openai-chat", "openai-responses"];
let server: ReplayServer;
beforeAll(async () => {
  server = await startReplayServer();
});
afterAll(() => server.close());

/** What the emitter for `d` sends for `s`: the joined SSE text, or the JSON body. */
function render(d: Dialect, s: MockScript, stream: boolean, flavour: ChatFlavour = {}): string | object {
  if (d === "anthropic") return stream ? anthropicStream(s).join("") : anthropicBody(s);
  if (d === "openai-chat") return stream ? chatStream(s, flavour).join("") : chatBody(s, flavour);
  return stream ? responsesStream(s).join("") : responsesBody(s);
}

/** Serves `s` (in odd-sized TCP pieces, to exercise reassembly) and reads it back with the official SDK. */
function viaSdk(d: Dialect, s: MockScript, stream: boolean, flavour?: ChatFlavour): Promise<Outcome> {
  server.setReply({ body: render(d, s, stream, flavour), chunkBytes: 61 });
  return consumeWithSdk(d, server.url, stream);
}

/** The data payloads of an emitted stream. */
const payloads = (events: string[]): Record<string, unknown>[] =>
  events.filter((e) => !e.startsWith("data: [DONE]")).map((e) => JSON.parse(e.slice(e.indexOf("data: ") + 6)));

/** What the script says, reduced to the SDK helper's Outcome for dialect `d`. */
function expected(d: Dialect, s: MockScript): Omit<Outcome, "toolCalls"> & { toolCalls: unknown[] } {
  const tools = s.blocks.flatMap((b) => (b.type === "tool_call" ? [b] : []));
  const stop = s.stop ?? (tools.length > 0 ? "tool_use" : "end_turn");
  const textOf = (types: string[]) =>
    s.blocks.map((b) => (types.includes(b.type) && "text" in b ? b.text : "")).join("");
  let reasoning = "";
  for (const b of s.blocks) {
    if (b.type !== "reasoning") continue;
    if (d === "anthropic") reasoning += b.text;
    if (d === "openai-responses") reasoning += (b.summary ?? [b.text]).join("");
  }
  const incomplete = stop === "max_tokens" ? "length" : stop === "content_filter" ? "content_filter" : undefined;
  const mapped = { end_turn: "stop", stop_sequence: "stop", max_tokens: "length", tool_use: "tool_calls" } as const;
  const u = s.usage!;
  return {
    text: textOf(d === "anthropic" ? ["text", "refusal"] : ["text"]),
    reasoning,
    toolCalls: tools.map((t) => ({
      name: t.name,
      arguments: t.custom ? (d === "anthropic" ? { input: t.arguments } : t.arguments) : JSON.parse(t.arguments),
    })),
    stop:
      d === "openai-responses"
        ? (incomplete ?? (tools.length ? "tool_calls" : "stop"))
        : (incomplete ?? mapped[stop as keyof typeof mapped]),
    usage:
      d === "anthropic"
        ? { input: u.input, output: u.output, cacheRead: u.cacheRead ?? 0 }
        : { input: u.input, output: u.output, cacheRead: u.cacheRead ?? 0, reasoning: u.reasoning ?? 0 },
  };
}

const usage = { input: 120, output: 40, cacheRead: 100, cacheWrite: 0, reasoning: 12 };
const call = (name: string, args: object, id?: string) =>
  ({ type: "tool_call", name, arguments: JSON.stringify(args), ...(id ? { id } : {}) }) as const;
const threeCalls = [
  call("get_weather", { city: "Paris", units: "metric" }, "call_w1"),
  call("get_time", { tz: "Europe/Paris" }),
  call("search", { q: "llm gateways", limit: 3 }),
];

const SCENARIOS: Record<string, MockScript> = {
  "plain text (multibyte, cache read)": { blocks: [{ type: "text", text: "Héllo wörld 🌍, naïve café — ok." }], usage },
  "reasoning with summary parts then text": {
    blocks: [
      { type: "reasoning", text: "Let me think step by step.", summary: ["**Plan**\n\nfirst", " then second"] },
      { type: "text", text: "Answer: 42" },
    ],
    usage,
  },
  "single tool call after text": { blocks: [{ type: "text", text: "Checking." }, threeCalls[0]!], usage },
  "three parallel tool calls": { blocks: [...threeCalls], usage, chunkChars: 5 },
  "custom tool call": {
    blocks: [{ type: "tool_call", name: "apply_patch", arguments: "*** Begin Patch\n+x", custom: true }],
    usage,
  },
  "max_tokens in text": { blocks: [{ type: "text", text: "This answer is cut o" }], stop: "max_tokens", usage },
  "stop sequence": { blocks: [{ type: "text", text: "1, 2, 3" }], stop: "stop_sequence", stopSequence: "4", usage },
  "refusal with content_filter": {
    blocks: [{ type: "refusal", text: "I can't help with that." }],
    stop: "content_filter",
    usage,
  },
};

describe.each(DIALECTS)("%s emitter read back by the official SDK", (d) => {
  for (const [name, script] of Object.entries(SCENARIOS)) {
    it.each([true, false])(`${name} (stream=%s)`, async (stream) => {
      const out = await viaSdk(d, script, stream);
      const { toolCalls, ...rest } = expected(d, script);
      expect({ ...out, toolCalls: out.toolCalls.map(({ name, arguments: a }) => ({ name, arguments: a })) }).toEqual({
        ...rest,
        toolCalls,
      });
      const given = script.blocks.flatMap((b) => (b.type === "tool_call" && b.id ? [b.id] : []));
      for (const id of given) expect(out.toolCalls.map((t) => t.id)).toContain(id);
    });
  }
});

describe("reasoning artefacts", () => {
  const script: MockScript = {
    blocks: [
      { type: "reasoning", text: "hidden chain", summary: ["S1", "S2"], signature: "EqSIG==", encrypted: "gAAAAABenc" },
      { type: "redacted_reasoning", data: "EmwKAhgBEgy3redacted" },
      { type: "text", text: "done" },
    ],
  };
  it.each([true, false])("anthropic keeps signature and redacted_thinking (stream=%s)", async (stream) => {
    server.setReply({ body: render("anthropic", script, stream) });
    const client = new Anthropic({ apiKey: "k", baseURL: server.url, maxRetries: 0 });
    const p = { model: "m", max_tokens: 10, messages: [{ role: "user" as const, content: "hi" }] };
    const msg = stream ? await client.messages.stream(p).finalMessage() : await client.messages.create(p);
    expect(msg.content.map((b) => b.type)).toEqual(["thinking", "redacted_thinking", "text"]);
    expect(msg.content[0]).toMatchObject({ thinking: "hidden chain", signature: "EqSIG==" });
    expect(msg.content[1]).toMatchObject({ data: "EmwKAhgBEgy3redacted" });
  });
  it.each([true, false])("responses keep encrypted_content and summaries (stream=%s)", async (stream) => {
    server.setReply({ body: render("openai-responses", script, stream) });
    const client = new OpenAI({ apiKey: "k", baseURL: server.url, maxRetries: 0 });
    const r = stream
      ? await client.responses.stream({ model: "m", input: "hi" }).finalResponse()
      : await client.responses.create({ model: "m", input: "hi" });
    const [rs, redacted, msg] = r.output;
    expect(rs).toMatchObject({ type: "reasoning", encrypted_content: "gAAAAABenc" });
    expect(rs?.type === "reasoning" && rs.summary.map((x) => x.text)).toEqual(["S1", "S2"]);
    expect(redacted).toMatchObject({ type: "reasoning", encrypted_content: "EmwKAhgBEgy3redacted", summary: [] });
    expect(msg).toMatchObject({ type: "message" });
  });
  it("fakes a signature and encrypted content deterministically when the script gives none", () => {
    const s: MockScript = { blocks: [{ type: "reasoning", text: "x" }] };
    const sig = payloads(anthropicStream(s)).find((p) => (p.delta as { type?: string })?.type === "signature_delta");
    expect((sig!.delta as { signature: string }).signature).toMatch(/^E[A-Za-z0-9+/]{100,}={0,2}$/);
    expect(JSON.stringify(responsesBody(s))).toMatch(/"encrypted_content":"gAAAAAB[A-Za-z0-9_-]{100,}"/);
  });
});

describe("chat flavours", () => {
  const tools: MockScript = { blocks: [...threeCalls], usage, chunkChars: 4 };
  it.each<[string, ChatFlavour]>([
    ["interleaved", { interleaveToolCalls: true }],
    ["whole calls", { wholeToolCalls: true }],
    ["azure", { azure: true }],
    ["usage in finish chunk", { usageInFinishChunk: true }],
  ])("%s is accepted by the SDK", async (_name, flavour) => {
    const out = await viaSdk("openai-chat", tools, true, flavour);
    expect(out.toolCalls.map((t) => [t.name, t.arguments])).toEqual(
      threeCalls.map((c) => [c.name, JSON.parse(c.arguments)]),
    );
    expect(out.stop).toBe("tool_calls");
    expect(out.usage).toEqual(expected("openai-chat", tools).usage);
  });
  it("interleaves argument fragments round-robin after announcing every call", () => {
    const frags = payloads(chatStream(tools, { interleaveToolCalls: true })).flatMap(
      (p) => (p.choices as { delta: { tool_calls?: { index: number; id?: string }[] } }[])[0]?.delta.tool_calls ?? [],
    );
    expect(frags.slice(0, 3).map((f) => [f.index, typeof f.id])).toEqual([
      [0, "string"],
      [1, "string"],
      [2, "string"],
    ]);
    expect(frags.slice(3, 6).map((f) => f.index)).toEqual([0, 1, 2]);
  });
  it("azure: first chunk has empty choices and prompt_filter_results; later chunks carry content_filter_results", async () => {
    const p = payloads(chatStream(SCENARIOS["plain text (multibyte, cache read)"]!, { azure: true }));
    expect(p[0]).toMatchObject({ choices: [], id: "", object: "", created: 0, model: "" });
    expect(p[0]!.prompt_filter_results).toBeInstanceOf(Array);
    for (const c of p.slice(1, -1)) expect((c.choices as object[])[0]).toHaveProperty("content_filter_results");
    const body = await viaSdk("openai-chat", SCENARIOS["plain text (multibyte, cache read)"]!, false, { azure: true });
    expect(body.text).toBe("Héllo wörld 🌍, naïve café — ok.");
  });
  it("noUsage sends no usage; the SDK reports none", async () => {
    const p = payloads(chatStream(tools, { noUsage: true }));
    expect(p.every((c) => !("usage" in c))).toBe(true);
    expect((await viaSdk("openai-chat", tools, true, { noUsage: true })).usage).toBeUndefined();
  });
  it.each(["reasoning_content", "reasoning"] as const)("%s streams reasoning before content", async (field) => {
    const s = SCENARIOS["reasoning with summary parts then text"]!;
    const deltas = payloads(chatStream(s, { reasoningField: field })).flatMap((p) =>
      ((p.choices ?? []) as { delta: Record<string, string> }[]).map((c) => c.delta),
    );
    const reasoning = deltas.map((d) => d[field] ?? "").join("");
    expect(reasoning).toBe("Let me think step by step.");
    expect(deltas.findLastIndex((d) => field in d)).toBeLessThan(
      deltas.findIndex((d) => d.content && d.content !== ""),
    );
    expect((await viaSdk("openai-chat", s, true, { reasoningField: field })).text).toBe("Answer: 42");
    const body = chatBody(s, { reasoningField: field }) as { choices: { message: Record<string, unknown> }[] };
    expect(body.choices[0]!.message[field]).toBe("Let me think step by step.");
    if (field === "reasoning_content")
      expect((await viaSdk("openai-chat", s, false, { reasoningField: field })).reasoning).toBe(reasoning);
  });
  it("omitToolIndex drops index from every fragment (the official SDK loses such tool calls)", async () => {
    const events = chatStream(tools, { omitToolIndex: true });
    const frags = payloads(events).flatMap(
      (p) => (p.choices as { delta: { tool_calls?: object[] } }[])[0]?.delta.tool_calls ?? [],
    );
    expect(frags.length).toBeGreaterThan(3);
    expect(frags.every((f) => !("index" in f))).toBe(true);
    server.setReply({ body: events.join("") });
    // The official SDK (7.x) refuses a stream of tool calls without an index (6.x dropped them): the calls are lost.
    await expect(consumeWithSdk("openai-chat", server.url, true)).rejects.toThrow(/invalid tool call index/);
  });
});

describe("max_tokens inside a tool call", () => {
  const s: MockScript = {
    blocks: [
      { type: "text", text: "Writing." },
      { type: "tool_call", name: "write", arguments: '{"path": "/tmp/a.t' },
    ],
    stop: "max_tokens",
  };
  it("anthropic leaves the tool_use block unclosed, like the real API", async () => {
    const types = payloads(anthropicStream(s)).map((p) => `${p.type}${"index" in p ? p.index : ""}`);
    expect(types).toContain("content_block_stop0");
    expect(types).not.toContain("content_block_stop1");
    const out = await viaSdk("anthropic", s, true);
    expect(out.stop).toBe("length");
    expect(out.toolCalls[0]?.name).toBe("write");
  });
  it.each(["openai-chat", "openai-responses"] as const)("%s keeps the truncated arguments", async (d) => {
    for (const stream of [true, false]) {
      const out = await viaSdk(d, s, stream);
      expect(out.stop).toBe("length");
      expect(out.toolCalls[0]).toMatchObject({ name: "write", arguments: '{"path": "/tmp/a.t' });
    }
  });
});

describe("stream errors", () => {
  it.each(DIALECTS.flatMap((d) => (["overloaded", "server", "rate_limit"] as const).map((k) => [d, k] as const)))(
    "%s %s: the SDK throws the message",
    async (d, kind) => {
      const message = `mock ${kind} failure`;
      const s: MockScript = {
        blocks: [{ type: "text", text: "partial" }, ...threeCalls],
        streamError: { afterBlocks: 2, message, kind },
      };
      const events = (d === "anthropic" ? anthropicStream : d === "openai-chat" ? chatStream : responsesStream)(s);
      const last = events.at(-1)!;
      if (d === "openai-responses") {
        expect(last).toMatch(/^event: response\.failed\n/);
        expect(JSON.parse(events.at(-2)!.split("data: ")[1]!)).toMatchObject({
          type: "error",
          message,
          error: { message },
        });
      } else expect(last).toContain(message);
      expect(events.join("")).not.toContain("[DONE]");
      await expect(viaSdk(d, s, true)).rejects.toThrow(message);
    },
  );
});

describe("HTTP error bodies", () => {
  const cases =
    "anthropic 529,anthropic 429,anthropic 401,anthropic 400,anthropic 500,openai 400,openai 401,openai 429,openai 500,azure 429,azure 400,azure 404"
      .split(",")
      .map((c) => c.split(" ") as ["anthropic" | "openai" | "azure", string])
      .map(([provider, status]) => [provider, Number(status)] as const);
  it.each(cases)("%s %d", async (provider, status) => {
    const body = providerErrorBody(provider, status, `mock error ${status}`);
    server.setReply({ body, status });
    const d: Dialect = provider === "anthropic" ? "anthropic" : "openai-chat";
    const err = await consumeWithSdk(d, server.url, false).catch((e: unknown) => e);
    expect(err).toMatchObject({ status });
    expect((err as Error).message).toContain(`mock error ${status}`);
    if (provider === "anthropic") expect(body).toMatchObject({ type: "error", error: { type: expect.any(String) } });
  });
  it("maps statuses to provider error types", () => {
    const type = (s: number) => (providerErrorBody("anthropic", s, "m") as { error: { type: string } }).error.type;
    const want = { 529: "overloaded_error", 429: "rate_limit_error", 401: "authentication_error", 500: "api_error" };
    for (const [status, t] of Object.entries(want)) expect(type(Number(status))).toBe(t);
    expect(type(400)).toBe("invalid_request_error");
    expect(providerErrorBody("azure", 429, "slow down")).toEqual({ error: { code: "429", message: "slow down" } });
    expect(providerErrorBody("openai", 400, "bad")).toEqual({
      error: { message: "bad", type: "invalid_request_error", param: null, code: null },
    });
  });
});

describe("determinism", () => {
  const emitters = [anthropicStream, anthropicBody, chatStream, chatBody, responsesStream, responsesBody];
  const all = (s: MockScript) => JSON.stringify([...emitters.map((f) => f(s)), chatStream(s, { azure: true })]);
  it("gives byte-identical output for the same script, and ids follow the content", () => {
    const s = SCENARIOS["three parallel tool calls"]!;
    expect(all(structuredClone(s))).toBe(all(s));
    expect(all({ ...s, model: "other" })).not.toBe(all(s));
    expect((responsesBody({ ...s, id: "resp_fixed" }) as { id: string }).id).toBe("resp_fixed");
    expect((anthropicBody(s) as { id: string }).id).toMatch(/^msg_01[A-Za-z0-9]{22}$/);
    expect((chatBody(s) as { id: string }).id).toMatch(/^chatcmpl-[A-Za-z0-9]{29}$/);
  });
  it("numbers Responses events from 0 without gaps", () => {
    const seq = payloads(responsesStream(SCENARIOS["reasoning with summary parts then text"]!)).map(
      (p) => p.sequence_number,
    );
    expect(seq).toEqual(seq.map((_, i) => i));
  });
});
