/**
 * Envelopes that cannot be forged, no foreign reasoning after an alias switch, Responses state
 * (store / previous_response_id / GET / DELETE) on upstreams that have none, surviving a restart, and the
 * repair of interrupted tool loops.
 */
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/load.js";
import type { MockBlock } from "../../src/mock/index.js";
import { type MockServer, startMockServer } from "../../src/mock/server.js";
import { Gateway } from "../../src/server/gateway.js";
import { INTERRUPTED_RESULT } from "../../src/translate/repair-pairing.js";
import { type Body, type Harness, startHarness, tempStorePath, upstreamsConfig } from "../support/gateway.js";

const WEATHER = { type: "object" as const, properties: { city: { type: "string" } } };
const thinking = (n: string): Extract<MockBlock, { type: "reasoning" }> => ({
  type: "reasoning",
  text: `thought ${n}`,
  summary: [`summary ${n}`],
  signature: `SIG_${n}_xyz==`,
  encrypted: `gAAAA_ENC_${n}`,
});

let h: Harness;
beforeAll(async () => {
  h = await startHarness(
    () => ({
      models: {
        claude: { provider: "anthropic", model: "claude-sonnet-4-5", thinking: { budget_tokens: 2000 } },
        azure: { provider: "azure-responses", model: "gpt-5-codex" },
      },
    }),
    { validate: true },
  );
});
afterAll(async () => {
  await h.close();
});

const anthropic = () => new Anthropic({ apiKey: "k", baseURL: h.url, maxRetries: 0 });
const openai = () => new OpenAI({ apiKey: "k", baseURL: `${h.url}/v1`, maxRetries: 0 });

describe("envelopes", () => {
  it("an Anthropic client gets the Responses reasoning sealed in the signature, and a forged one never reaches the upstream", async () => {
    h.mock.enqueue({
      blocks: [thinking("F1"), { type: "tool_call", id: "call_f1", name: "get_weather", arguments: "{}" }],
    });
    const m = await anthropic()
      .messages.stream({
        model: "azure",
        max_tokens: 500,
        messages: [{ role: "user", content: "go" }],
        tools: [{ name: "get_weather", input_schema: WEATHER }],
      })
      .finalMessage();
    const block = m.content.find((b) => b.type === "thinking")!;
    expect(block.type === "thinking" && block.signature.startsWith("llmux1.")).toBe(true);
    const signature = (block as { signature: string }).signature;
    // Flip one character of the payload: the envelope no longer verifies.
    const forged = signature.slice(0, 20) + (signature[20] === "A" ? "B" : "A") + signature.slice(21);
    h.mock.enqueue({ blocks: [{ type: "text", text: "ok" }], expect: { absent: ["gAAAA_ENC_F1", "llmux1."] } });
    const res = await fetch(`${h.url}/v1/messages`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        model: "azure",
        max_tokens: 500,
        messages: [
          { role: "user", content: "go" },
          {
            role: "assistant",
            content: [{ ...block, signature: forged }, ...m.content.filter((b) => b.type !== "thinking")],
          },
          { role: "user", content: [{ type: "tool_result", tool_use_id: "call_f1", content: "sunny" }] },
        ],
      }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("llmux-warnings")).toMatch(/envelope signature does not verify/);
    expect(h.mock.requests.at(-1)!.failure).toBeUndefined();
  });

  it("a Responses client gets Anthropic thinking and redacted thinking sealed, and back in their order", async () => {
    h.mock.enqueue({
      blocks: [
        thinking("R1"),
        { type: "redacted_reasoning", data: "REDACTED_DATA_R2" },
        { type: "tool_call", id: "call_r1", name: "get_weather", arguments: "{}" },
      ],
    });
    const r = await openai()
      .responses.stream({
        model: "claude",
        input: "go",
        store: false,
        tools: [{ type: "function", name: "get_weather", parameters: WEATHER, strict: false }],
      })
      .finalResponse();
    const kinds = r.output.map((i) => i.type);
    expect(kinds).toEqual(["reasoning", "reasoning", "function_call"]);
    for (const i of r.output) if (i.type === "reasoning") expect(i.encrypted_content).toMatch(/^llmux1\./);
    h.mock.enqueue({
      blocks: [{ type: "text", text: "done" }],
      expect: { contains: ['"signature":"SIG_R1_xyz=="', '"data":"REDACTED_DATA_R2"'] },
    });
    const again = await openai().responses.create({
      model: "claude",
      store: false,
      input: [
        { role: "user", content: "go" },
        ...(r.output as never[]),
        { type: "function_call_output", call_id: "call_r1", output: "sunny" },
      ],
    });
    expect(again.output_text).toBe("done");
    const sent = h.mock.requests.at(-1)!.body as Body;
    expect(sent.messages[1].content.map((b: Body) => b.type)).toEqual(["thinking", "redacted_thinking", "tool_use"]);
  });
});

describe("switching alias mid-conversation", () => {
  it("Anthropic → Responses: the Claude signature is not sent to Azure, and nothing fails", async () => {
    h.mock.enqueue({
      blocks: [thinking("S1"), { type: "tool_call", id: "call_s1", name: "get_weather", arguments: "{}" }],
    });
    const m = await anthropic()
      .messages.stream({
        model: "claude",
        max_tokens: 5000,
        messages: [{ role: "user", content: "go" }],
        tools: [{ name: "get_weather", input_schema: WEATHER }],
      })
      .finalMessage();
    h.mock.enqueue({ blocks: [{ type: "text", text: "switched" }], expect: { absent: ["SIG_S1_xyz"] } });
    const next = await anthropic().messages.create({
      model: "azure",
      max_tokens: 500,
      messages: [
        { role: "user", content: "go" },
        { role: "assistant", content: m.content },
        { role: "user", content: [{ type: "tool_result", tool_use_id: "call_s1", content: "sunny" }] },
      ],
    });
    expect(next.content[0]).toMatchObject({ text: "switched" });
  });

  it("Responses → Anthropic: Azure's encrypted reasoning is not sent to Claude, thinking is off for that turn, nothing fails", async () => {
    h.mock.enqueue({
      blocks: [thinking("S2"), { type: "tool_call", id: "call_s2", name: "get_weather", arguments: "{}" }],
    });
    const r = await openai()
      .responses.stream({
        model: "azure",
        input: "go",
        store: false,
        tools: [{ type: "function", name: "get_weather", parameters: WEATHER, strict: false }],
      })
      .finalResponse();
    h.mock.enqueue({ blocks: [{ type: "text", text: "switched" }], expect: { absent: ["gAAAA_ENC_S2"] } });
    const res = await fetch(`${h.url}/v1/responses`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        model: "claude",
        store: false,
        input: [
          { role: "user", content: "go" },
          ...r.output,
          { type: "function_call_output", call_id: "call_s2", output: "sunny" },
        ],
      }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("llmux-warnings")).toMatch(/thinking was turned off for this turn/);
    const sent = h.mock.requests.at(-1)!.body as Body;
    expect(sent.thinking).toBeUndefined();
  });
});

describe("Responses state on upstreams without it", () => {
  let mock: MockServer;
  const storePath = tempStorePath();
  const gatewayOn = async () => {
    const config = parseConfig({ store: { path: storePath }, ...upstreamsConfig(mock.url) }, {});
    const g = new Gateway(config, pino({ level: "silent" }));
    const { port } = await g.listen(0, "127.0.0.1");
    return {
      g,
      client: new OpenAI({ apiKey: "k", baseURL: `http://127.0.0.1:${port}/v1`, maxRetries: 0 }),
      url: `http://127.0.0.1:${port}`,
    };
  };
  beforeAll(async () => {
    mock = await startMockServer();
  });
  afterAll(async () => {
    await mock.close();
  });

  for (const alias of ["via-anthropic", "via-compat"]) {
    it(`previous_response_id chains of 3 against ${alias}, surviving a restart`, async () => {
      let { g, client } = await gatewayOn();
      mock.enqueue({ blocks: [{ type: "text", text: `first answer ${alias}` }] });
      const r1 = await client.responses.create({ model: alias, input: `first question ${alias}` });
      mock.enqueue({
        blocks: [{ type: "text", text: `second answer ${alias}` }],
        expect: { contains: [`first question ${alias}`, `first answer ${alias}`] },
      });
      const r2 = await client.responses.create({
        model: alias,
        input: `second question ${alias}`,
        previous_response_id: r1.id,
      });
      expect(r2.output_text).toBe(`second answer ${alias}`);
      await g.close();
      ({ g, client } = await gatewayOn()); // a restart: state comes from the store file
      mock.enqueue({
        blocks: [{ type: "text", text: `third answer ${alias}` }],
        expect: {
          contains: [
            `first question ${alias}`,
            `first answer ${alias}`,
            `second question ${alias}`,
            `second answer ${alias}`,
          ],
        },
      });
      const r3 = await client.responses
        .stream({ model: alias, input: `third question ${alias}`, previous_response_id: r2.id })
        .finalResponse();
      expect(r3.output_text).toBe(`third answer ${alias}`);
      const order = (mock.requests.at(-1)!.raw.match(/(first|second|third) (question|answer)/g) ?? []).join(",");
      expect(order).toBe("first question,first answer,second question,second answer,third question");
      await g.close();
    });
  }

  it("GET /v1/responses/{id}, its input_items, and DELETE", async () => {
    const { g, client, url } = await gatewayOn();
    mock.enqueue({ blocks: [{ type: "text", text: "kept" }] });
    const r = await client.responses.stream({ model: "via-anthropic", input: "keep this" }).finalResponse();
    const got = await client.responses.retrieve(r.id);
    expect(got.id).toBe(r.id); // The stream helper adds `parsed` to text parts on the client side; the server's items are otherwise equal.
    const withoutParsed = (output: unknown) =>
      JSON.parse(JSON.stringify(output, (k, v) => (k === "parsed" ? undefined : v)));
    expect(got.output).toEqual(withoutParsed(r.output));
    const items = await client.responses.inputItems.list(r.id);
    expect(JSON.stringify(items.data)).toContain("keep this");
    const del = await fetch(`${url}/v1/responses/${r.id}`, { method: "DELETE" });
    expect(await del.json()).toEqual({ id: r.id, object: "response", deleted: true });
    await expect(client.responses.retrieve(r.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    await expect(
      client.responses.create({ model: "via-anthropic", input: "x", previous_response_id: r.id }),
    ).rejects.toThrow(/not found/);
    await g.close();
  });

  it("store: false keeps nothing", async () => {
    const { g, client } = await gatewayOn();
    mock.enqueue({ blocks: [{ type: "text", text: "ephemeral" }] });
    const r = await client.responses.create({ model: "via-anthropic", input: "x", store: false });
    await expect(client.responses.retrieve(r.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    await g.close();
  });

  it("item_reference items are resolved from stored output", async () => {
    const { g, client } = await gatewayOn();
    mock.enqueue({ blocks: [{ type: "text", text: "referenced answer" }] });
    const r = await client.responses.create({ model: "via-compat", input: "q1" });
    const itemId = r.output[0]!.id!;
    mock.enqueue({ blocks: [{ type: "text", text: "ok" }], expect: { contains: ["referenced answer"] } });
    const next = await client.responses.create({
      model: "via-compat",
      input: [
        { role: "user", content: "q1" },
        { type: "item_reference", id: itemId },
        { role: "user", content: "q2" },
      ] as never,
    });
    expect(next.output_text).toBe("ok");
    await g.close();
  });
});

describe("interrupted tool loops", () => {
  it("a call without a result is answered as interrupted; a result without a call becomes user text", async () => {
    h.mock.enqueue({ blocks: [{ type: "text", text: "recovered" }] });
    const res = await fetch(`${h.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        model: "via-anthropic",
        messages: [
          { role: "user", content: "read two files" },
          {
            role: "assistant",
            content: null,
            tool_calls: [
              { id: "call_a", type: "function", function: { name: "read", arguments: "{}" } },
              { id: "call_b", type: "function", function: { name: "read", arguments: "{}" } },
            ],
          },
          { role: "tool", tool_call_id: "call_a", content: "A" },
          { role: "tool", tool_call_id: "call_zzz", content: "stray result" },
          { role: "user", content: "never mind" },
        ],
      }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("llmux-warnings")).toMatch(/interrupted/);
    const sent = h.mock.requests.at(-1)!.body as Body;
    expect(h.mock.requests.at(-1)!.failure).toBeUndefined();
    const results = (sent.messages[2].content as Body[]).filter((b) => b.type === "tool_result");
    expect(results.map((b) => [b.tool_use_id, b.is_error === true])).toEqual([
      ["call_a", false],
      ["call_b", true],
    ]);
    expect(JSON.stringify(results[1]!.content)).toContain(INTERRUPTED_RESULT);
    expect(JSON.stringify(sent.messages[2].content)).toContain("stray result");
  });
});
