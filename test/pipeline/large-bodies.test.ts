/**
 * A long Claude Code session's body (several hundred kB, parsed in pieces: src/http/json-pieces.ts) sent by the
 * official Anthropic SDK reaches the upstream whole: relayed to Anthropic message for message, translated to
 * OpenAI Chat with every text and tool call in place. Translated to every other dialect, its long strings are
 * copied from the client's bytes (src/http/long-strings.ts): the very bytes JSON.stringify makes of them, and the
 * client's own escapes when it wrote others. A large body that is not JSON is refused naming why.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import Anthropic from "@anthropic-ai/sdk";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { PIECES_FROM } from "../../src/http/decode-json.js";
import { LongStrings } from "../../src/http/long-strings.js";
import { type Harness, startHarness } from "../support/gateway.js";

const FIXTURE = join(
  import.meta.dirname,
  "..",
  "..",
  "..",
  "shared",
  "fixtures",
  "real-clients",
  "claude-07-POST__v1_messages_stream_tools.json",
);

type Message = { role: string; content: unknown };

/** The recorded Claude Code body grown by tool-use / tool-result turns (texts with newlines, quotes, arrows). */
function grownBody(bytes: number): Record<string, unknown> & { messages: Message[] } {
  const body = (JSON.parse(readFileSync(FIXTURE, "utf8")) as { body: Record<string, unknown> }).body;
  const messages = [...(body.messages as Message[])];
  for (let i = 0; Buffer.byteLength(JSON.stringify(messages)) < bytes; i++) {
    const id = `toolu_large_${i}`;
    messages.push(
      { role: "assistant", content: [{ type: "tool_use", id, name: "Read", input: { file_path: `/src/f${i}.ts` } }] },
      {
        role: "user",
        content: [
          { type: "tool_result", tool_use_id: id, content: `line ${i}\n\t"quoted" → ${"code();\n".repeat(400)}` },
        ],
      },
    );
  }
  messages.push({ role: "user", content: "and the last question — é?" });
  const { stream: _stream, ...rest } = body;
  return { ...rest, messages };
}

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

const client = () => new Anthropic({ baseURL: h.url, apiKey: "unused", maxRetries: 0 });

describe("large request bodies through the gateway", () => {
  it("relays a 700 kB Claude Code body to Anthropic message for message", async () => {
    const body = grownBody(700_000);
    expect(Buffer.byteLength(JSON.stringify(body))).toBeGreaterThan(4 * PIECES_FROM);
    h.mock.enqueue({ blocks: [{ type: "text", text: "relayed" }] });
    // Streamed, as Claude Code asks.
    const answer = await client()
      .messages.stream({ ...body, model: "via-anthropic" } as never)
      .finalMessage();
    expect(answer.content[0]).toMatchObject({ type: "text", text: "relayed" });
    const sent = h.mock.requests.at(-1)!.body as { messages: Message[]; tools: unknown[]; system: unknown };
    expect(sent.messages).toEqual(body.messages);
    expect(sent.tools).toEqual(body.tools);
    expect(sent.system).toEqual(body.system);
  });

  it("translates a 700 kB Claude Code body to OpenAI Chat with every tool call and text in place", async () => {
    const body = grownBody(700_000);
    h.mock.enqueue({ blocks: [{ type: "text", text: "translated" }] });
    const answer = await client()
      .messages.stream({ ...body, model: "via-openai-chat" } as never)
      .finalMessage();
    expect(answer.content[0]).toMatchObject({ type: "text", text: "translated" });
    const sent = h.mock.requests.at(-1)!.body as {
      messages: { role: string; content?: unknown; tool_calls?: { id: string }[]; tool_call_id?: string }[];
    };
    const calls = sent.messages.flatMap((m) => m.tool_calls ?? []).filter((c) => c.id.startsWith("toolu_large_"));
    const results = sent.messages.filter((m) => m.role === "tool" && m.tool_call_id?.startsWith("toolu_large_"));
    const turns = body.messages.filter((m) => JSON.stringify(m.content).includes("toolu_large_")).length / 2;
    expect(calls).toHaveLength(turns);
    expect(results).toHaveLength(turns);
    expect(JSON.stringify(results.at(-1)!.content)).toContain(
      JSON.stringify(`"quoted" → ${"code();\n".repeat(3)}`).slice(1, -1),
    );
    expect(JSON.stringify(sent.messages.at(-1))).toContain("and the last question — é?");
  });

  it("translates a large body to every dialect with its long strings copied: JSON.stringify's bytes, or the client's escapes", async () => {
    const text = JSON.stringify({ ...grownBody(400_000), stream: true });
    // The same value, each of its long tool results written with an escape JSON.stringify does not write (\u0063 is a c).
    const escaped = text.replaceAll("code();", "\\u0063ode();");
    expect(JSON.parse(escaped)).toEqual(JSON.parse(text));
    const send = async (model: string, body: string) => {
      h.mock.enqueue({ blocks: [{ type: "text", text: "ok" }] });
      const res = await fetch(`${h.url}/v1/messages`, {
        method: "POST",
        headers: { "content-type": "application/json", "anthropic-version": "2023-06-01" },
        body: body.replace(/"model":"[^"]*"/, `"model":"${model}"`),
      });
      expect(res.status).toBe(200);
      await res.text();
      return h.mock.requests.at(-1)!.raw;
    };
    // Without the long strings known (`unknown`), the body is written by JSON.stringify alone.
    let unknown = false;
    const real = LongStrings.prototype.find;
    const find = vi.spyOn(LongStrings.prototype, "find").mockImplementation(function (this: LongStrings, s: string) {
      return unknown ? undefined : real.call(this, s);
    });
    const copied = () => find.mock.results.filter((r) => r.value !== undefined).length;
    for (const model of ["via-azure-responses", "via-openai-chat", "via-gemini", "via-compat"]) {
      const before = copied();
      const sent = await send(model, text);
      const sentEscaped = await send(model, escaped);
      // Each long tool result copied, in both.
      expect(copied() - before, model).toBeGreaterThan(2 * 40);
      unknown = true;
      const written = await send(model, text);
      unknown = false;
      // Copied, the long strings are JSON.stringify's bytes of them.
      expect(sent.length).toBeGreaterThan(PIECES_FROM);
      expect(sent === written, model).toBe(true);
      // The client's own escapes, copied: the same JSON.
      expect(sentEscaped).toContain("\\u0063ode();");
      expect(written).not.toContain("\\u0063ode();");
      expect(JSON.parse(sentEscaped)).toEqual(JSON.parse(sent));
    }
    vi.restoreAllMocks();
  });

  it("refuses a large body with a trailing comma as not JSON (400), and keeps serving", async () => {
    const { messages, ...rest } = grownBody(300_000);
    // The messages last: the comma goes after their last element.
    const text = JSON.stringify({ ...rest, model: "via-anthropic", messages }).replace(/\]\}$/, ",]}");
    expect(text.endsWith(",]}")).toBe(true);
    const res = await fetch(`${h.url}/v1/messages`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: text,
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/not valid JSON/);
    h.mock.enqueue({ blocks: [{ type: "text", text: "still" }] });
    const again = await client().messages.create({
      model: "via-anthropic",
      max_tokens: 5,
      messages: [{ role: "user", content: "hi" }],
    });
    expect(again.content[0]!.type).toBe("text");
  });
});
