/**
 * Reading a stream's preamble: recorded provider streams (../shared/fixtures/upstream-streams) pass
 * through byte for byte, however they are cut into chunks; a failure before any output is told apart.
 */
import { describe, expect, it } from "vitest";
import type { Dialect } from "../../src/ir/types.js";
import { classifyReply } from "../../src/routing/error-class.js";
import { peek } from "../../src/upstream/inspect.js";
import { loadUpstreamFixtures } from "../support/upstream-fixtures.js";

/** The text cut into chunks of 1 to 97 bytes (a fixed pattern), as a network would deliver it. */
async function* chunked(text: string): AsyncGenerator<Uint8Array> {
  const bytes = Buffer.from(text);
  let at = 0;
  let n = 0;
  while (at < bytes.length) {
    const size = 1 + ((n++ * 37) % 97);
    yield bytes.subarray(at, at + size);
    at += size;
  }
}

async function collect(body: AsyncIterable<Uint8Array>): Promise<string> {
  const parts: Buffer[] = [];
  for await (const c of body) parts.push(Buffer.from(c));
  return Buffer.concat(parts).toString("utf8");
}

/** Recordings whose stream fails before any output: the only one is an in-stream quota error. */
const FAILS_FIRST = new Set(["openai-responses/error-event-insufficient-quota-then-response-failed.chunks.txt"]);

describe("recorded streams", () => {
  const fixtures = loadUpstreamFixtures().filter((f) => !f.format.startsWith("JSON-BODY"));
  it("there are recordings of every dialect", () => {
    expect(new Set(fixtures.map((f) => f.dialect))).toEqual(
      new Set(["openai-chat", "openai-responses", "anthropic", "gemini"]),
    );
  });
  it.each(fixtures)("$file: an answer passes through unchanged; a failure before output is caught", async (f) => {
    for (const body of f.bodies) {
      const seen = await peek(f.dialect, chunked(body));
      if (FAILS_FIRST.has(f.file)) {
        expect(seen.kind).toBe("failure");
        if (seen.kind !== "failure") return;
        expect(seen.text).toBe(body);
        // An account out of quota: another deployment may still serve.
        expect(classifyReply(seen.status, {}, seen.text).class).toBe("rate_limited");
      } else {
        expect(seen.kind).toBe("answer");
        if (seen.kind !== "answer") return;
        expect(await collect(seen.body)).toBe(body);
      }
    }
  });
});

const sse = (events: [string | undefined, object][]) =>
  events.map(([name, data]) => `${name ? `event: ${name}\n` : ""}data: ${JSON.stringify(data)}\n\n`).join("");

describe("failures before any output, in each provider's form", () => {
  const cases: { name: string; dialect: Dialect; text: string; cls: string }[] = [
    {
      // OpenAI and Azure Responses: HTTP 200, then created, in_progress, error, response.failed.
      name: "Responses: context_length_exceeded after response.created",
      dialect: "openai-responses",
      text: sse([
        ["response.created", { type: "response.created", sequence_number: 0, response: { id: "resp_1" } }],
        ["response.in_progress", { type: "response.in_progress", sequence_number: 1, response: { id: "resp_1" } }],
        [
          "error",
          {
            type: "error",
            sequence_number: 2,
            error: {
              type: "invalid_request_error",
              code: "context_length_exceeded",
              message: "Your input exceeds the context window of this model. Please adjust your input and try again.",
              param: "input",
            },
          },
        ],
        ["response.failed", { type: "response.failed", sequence_number: 3, response: { status: "failed" } }],
      ]),
      cls: "context_window",
    },
    {
      name: "Responses: server_error in response.failed",
      dialect: "openai-responses",
      text: sse([
        ["response.created", { type: "response.created", response: { id: "resp_2" } }],
        [
          "response.failed",
          {
            type: "response.failed",
            response: { status: "failed", error: { code: "server_error", message: "The server had an error" } },
          },
        ],
      ]),
      cls: "server",
    },
    {
      name: "Anthropic: overloaded_error after message_start",
      dialect: "anthropic",
      text: sse([
        ["message_start", { type: "message_start", message: { id: "msg_1", content: [] } }],
        ["ping", { type: "ping" }],
        ["error", { type: "error", error: { type: "overloaded_error", message: "Overloaded" } }],
      ]),
      cls: "overloaded",
    },
    {
      name: "Chat (OpenAI-compatible): an error as the first chunk",
      dialect: "openai-chat",
      text: sse([
        [
          undefined,
          {
            error: { message: "This model's maximum context length is 32768 tokens", code: "context_length_exceeded" },
          },
        ],
      ]),
      cls: "context_window",
    },
    {
      name: "Gemini: RESOURCE_EXHAUSTED as the first chunk",
      dialect: "gemini",
      text: sse([
        [undefined, { error: { code: 429, message: "Resource has been exhausted", status: "RESOURCE_EXHAUSTED" } }],
      ]),
      cls: "rate_limited",
    },
  ];
  it.each(cases)("$name", async ({ dialect, text, cls }) => {
    const seen = await peek(dialect, chunked(text));
    expect(seen.kind).toBe("failure");
    if (seen.kind !== "failure") return;
    expect(seen.text).toBe(text);
    expect(classifyReply(seen.status, {}, seen.text).class).toBe(cls);
  });

  it("an error after output has begun is the answer's own (the in-stream error, as before)", async () => {
    const text = sse([
      ["message_start", { type: "message_start", message: { id: "msg_1", content: [] } }],
      ["content_block_start", { type: "content_block_start", index: 0, content_block: { type: "text", text: "" } }],
      ["error", { type: "error", error: { type: "overloaded_error", message: "Overloaded" } }],
    ]);
    const seen = await peek("anthropic", chunked(text));
    expect(seen.kind).toBe("answer");
    if (seen.kind === "answer") expect(await collect(seen.body)).toBe(text);
  });

  it("lets go of the upstream when the consumer stops early", async () => {
    let released = false;
    async function* upstream(): AsyncGenerator<Uint8Array> {
      try {
        yield Buffer.from('event: message_start\ndata: {"type":"message_start"}\n\n');
        yield Buffer.from('event: content_block_start\ndata: {"type":"content_block_start"}\n\n');
        for (;;) yield Buffer.from('event: content_block_delta\ndata: {"type":"content_block_delta"}\n\n');
      } finally {
        released = true;
      }
    }
    const seen = await peek("anthropic", upstream());
    if (seen.kind !== "answer") throw new Error("expected an answer");
    for await (const _ of seen.body) break;
    expect(released).toBe(true);
  });
});
