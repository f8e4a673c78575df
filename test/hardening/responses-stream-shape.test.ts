/**
 * A Responses stream relayed to a Responses client is judged as Chat streams are (issue 48, item 9): the
 * newest official `openai` SDK's stream helper is the oracle. An upstream whose lifecycle events change the
 * response id (GitHub Copilot's Responses API does) reaches the client with one id per stream, whether the id
 * changes at the start or only at the end; a minimal stream without `response.output` or `output_index` (the
 * shape Codex's own tests use) is decoded and re-encoded; a stream as OpenAI sends it is relayed byte for byte.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "../support/gateway.js";

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

const sse = (events: Record<string, unknown>[]) =>
  events.map((e) => `event: ${String(e.type)}\ndata: ${JSON.stringify(e)}\n\n`).join("");

const USAGE = {
  input_tokens: 5,
  input_tokens_details: { cached_tokens: 0 },
  output_tokens: 2,
  output_tokens_details: { reasoning_tokens: 0 },
  total_tokens: 7,
};

/** A stream as OpenAI's Responses API sends it, the response id of each lifecycle event given. */
function fullStream(ids: { created: string; inProgress: string; completed: string }, text = "Hello there") {
  const response = (id: string, status: string, output: unknown[]) => ({
    id,
    object: "response",
    created_at: 1_700_000_000,
    status,
    model: "gpt-5",
    output,
    ...(status === "completed" ? { usage: USAGE } : {}),
  });
  const item = (status: string, content: unknown[]) => ({
    id: "msg_1",
    type: "message",
    status,
    role: "assistant",
    content,
  });
  const part = { type: "output_text", text, annotations: [] };
  let n = 0;
  const seq = <T extends object>(e: T) => ({ ...e, sequence_number: n++ });
  return sse([
    seq({ type: "response.created", response: response(ids.created, "in_progress", []) }),
    seq({ type: "response.in_progress", response: response(ids.inProgress, "in_progress", []) }),
    seq({ type: "response.output_item.added", output_index: 0, item: item("in_progress", []) }),
    seq({
      type: "response.content_part.added",
      item_id: "msg_1",
      output_index: 0,
      content_index: 0,
      part: { ...part, text: "" },
    }),
    seq({ type: "response.output_text.delta", item_id: "msg_1", output_index: 0, content_index: 0, delta: text }),
    seq({ type: "response.output_text.done", item_id: "msg_1", output_index: 0, content_index: 0, text }),
    seq({ type: "response.content_part.done", item_id: "msg_1", output_index: 0, content_index: 0, part }),
    seq({ type: "response.output_item.done", output_index: 0, item: item("completed", [part]) }),
    seq({ type: "response.completed", response: response(ids.completed, "completed", [item("completed", [part])]) }),
  ]);
}

/** The minimal stream of Codex's own tests: no `response.output`, no `output_index`, no item added first. */
const minimalStream = (text: string) =>
  sse([
    { type: "response.created", response: { id: "resp_min" } },
    {
      type: "response.output_item.done",
      item: { type: "message", role: "assistant", id: "msg_min", content: [{ type: "output_text", text }] },
    },
    { type: "response.completed", response: { id: "resp_min", usage: USAGE } },
  ]);

let up: { url: string; server: Server };
let handler: Handler = (_q, res) => res.end();
let h: Harness;
let openai: OpenAI;

beforeAll(async () => {
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => handler(req, res));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  up = { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
  h = await startHarness(() => ({
    providers: { resp: { type: "openai", base_url: `${up.url}/v1`, api_key: "k", api: "responses" } },
    models: { resp: { provider: "resp", model: "gpt-5" }, "gpt-5": { provider: "resp", model: "gpt-5" } },
  }));
  openai = new OpenAI({ apiKey: "k", baseURL: `${h.url}/v1`, maxRetries: 0 });
});
afterAll(async () => {
  await h.close();
  await new Promise<void>((r) => up.server.close(() => r()));
});

const serve = (body: string) => {
  handler = (_q, res) => {
    res.writeHead(200, { "content-type": "text/event-stream" });
    res.end(body);
  };
};

/** Streams a turn with the SDK's stream helper: the lifecycle ids the client saw, and the final response. */
async function streamed() {
  const stream = openai.responses.stream({ model: "resp", input: "hi" });
  const ids: string[] = [];
  for await (const e of stream)
    if ("response" in e && e.response && typeof e.response === "object") ids.push((e.response as { id: string }).id);
  return { ids, final: await stream.finalResponse() };
}

describe("Responses streams relayed to a Responses client", () => {
  it("keeps one response id when the upstream changes it between lifecycle events (at the start)", async () => {
    serve(fullStream({ created: "resp_A", inProgress: "resp_B", completed: "resp_C" }));
    const { ids, final } = await streamed();
    expect(final.output_text).toBe("Hello there");
    expect(new Set(ids)).toEqual(new Set([final.id]));
    expect(ids.length).toBeGreaterThanOrEqual(3);
  });

  it("keeps one response id when only the last lifecycle event names another", async () => {
    serve(fullStream({ created: "resp_X", inProgress: "resp_X", completed: "resp_Y" }));
    const { ids, final } = await streamed();
    expect(final.output_text).toBe("Hello there");
    expect(final.id).toBe("resp_X");
    expect(new Set(ids)).toEqual(new Set(["resp_X"]));
    expect(final.usage?.output_tokens).toBe(2);
  });

  it("re-encodes a minimal stream without response.output or output_index", async () => {
    serve(minimalStream("Minimal answer"));
    const { final } = await streamed();
    expect(final.output_text).toBe("Minimal answer");
    expect(final.usage?.output_tokens).toBe(2);
  });

  it("relays a stream as OpenAI sends it byte for byte", async () => {
    const body = fullStream({ created: "resp_same", inProgress: "resp_same", completed: "resp_same" });
    serve(body);
    const res = await fetch(`${h.url}/v1/responses`, {
      method: "POST",
      headers: { authorization: "Bearer k", "content-type": "application/json" },
      body: JSON.stringify({ model: "gpt-5", input: "hi", stream: true }),
    });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe(body);
    serve(body);
    const { final } = await streamed();
    expect(final.id).toBe("resp_same");
  });
});
