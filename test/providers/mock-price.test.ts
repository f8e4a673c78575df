/**
 * The built-in mock (`type: mock`) through the gateway tells the truth about money: it stops at the client's
 * output cap (read by the official SDKs, across a translation) and its answers are priced, by default at
 * $3 / $15 per million input / output tokens, or at the `price` its configuration sets, in the ledger.
 */
import { randomBytes } from "node:crypto";
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freshSqlite, type TestLocation } from "../support/engines.js";
import type { Harness } from "../support/gateway.js";
import { ADMIN, call, teamHarness } from "../support/team.js";

const LONG = "Every budget holds under every fault. ".repeat(30);

let where: TestLocation;
let h: Harness;
let key: string;

beforeAll(async () => {
  where = await freshSqlite();
  h = await teamHarness(where, {
    providers: {
      "mock-anthropic": { type: "mock", dialect: "anthropic" },
      "mock-responses": { type: "mock", dialect: "openai-responses" },
      "mock-free": { type: "mock", dialect: "openai-chat", price: { input: 0, output: 0 } },
      "mock-cheap": { type: "mock", dialect: "openai-chat", price: { input: 1, output: 2 } },
    },
    models: {
      "mock-a": { provider: "mock-anthropic" },
      "mock-r": { provider: "mock-responses" },
      "mock-free": { provider: "mock-free" },
      "mock-cheap": { provider: "mock-cheap" },
    },
  });
  const r = await call(h.url, "POST", "/admin/v1/keys", ADMIN, { name: `k-${randomBytes(3).toString("hex")}` });
  expect(r.status).toBe(201);
  key = r.body.key;
}, 30_000);
afterAll(async () => {
  await h?.close();
  await where?.drop();
});

/** The ledger row of the request the gateway answered with `id` (its x-request-id), once it is written. */
async function ledgerRow(id: string) {
  const db = await h.gateway.team!.data.db();
  const end = Date.now() + 10_000;
  for (;;) {
    const row = await db.selectFrom("ledger").selectAll().where("id", "=", id).executeTakeFirst();
    if (row) return row;
    if (Date.now() > end) throw new Error(`no ledger row for ${id}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe("the built-in mock through the gateway", () => {
  it("stops at max_completion_tokens across a translation, and is billed $3 / $15 per million by default", async () => {
    const sdk = new OpenAI({ apiKey: key, baseURL: `${h.url}/v1`, maxRetries: 0 });
    const { data, response } = await sdk.chat.completions
      .create({ model: "mock-a", messages: [{ role: "user", content: LONG }], max_completion_tokens: 5 })
      .withResponse();
    expect(data.choices[0]!.finish_reason).toBe("length");
    expect(data.usage!.completion_tokens).toBe(5);
    expect((data.choices[0]!.message.content ?? "").length).toBeLessThanOrEqual(20);
    const row = await ledgerRow(response.headers.get("x-request-id")!);
    expect(Number(row.output_tokens)).toBe(5);
    const input = Number(row.input_tokens);
    // A token per four characters of the prompt.
    expect(input).toBe(Math.ceil(LONG.length / 4));
    // $3 per million input tokens is 3,000 nano-dollars a token; $15 per million output, 15,000.
    expect(Number(row.cost_nanos)).toBe(input * 3000 + 5 * 15_000);
    expect(JSON.parse(row.price!)).toMatchObject({ input: 3, output: 15, source: "mock" });
  });

  it("stops at Anthropic's max_tokens from a Responses-dialect mock, streamed", async () => {
    const sdk = new Anthropic({ apiKey: key, baseURL: h.url, maxRetries: 0 });
    const stream = sdk.messages.stream({
      model: "mock-r",
      max_tokens: 40,
      messages: [{ role: "user", content: LONG }],
    });
    const final = await stream.finalMessage();
    expect(final.stop_reason).toBe("max_tokens");
    expect(final.usage.output_tokens).toBe(40);
    const id = (await stream.withResponse()).response.headers.get("x-request-id")!;
    const row = await ledgerRow(id);
    expect(Number(row.output_tokens)).toBe(40);
    expect(Number(row.cost_nanos)).toBe(Number(row.input_tokens) * 3000 + 40 * 15_000);
  });

  it("costs what its configured price says: nothing, or $1 / $2 per million", async () => {
    const sdk = new OpenAI({ apiKey: key, baseURL: `${h.url}/v1`, maxRetries: 0 });
    const messages = [{ role: "user" as const, content: "Hello there" }];
    const free = await sdk.chat.completions.create({ model: "mock-free", messages }).withResponse();
    const freeRow = await ledgerRow(free.response.headers.get("x-request-id")!);
    expect(Number(freeRow.output_tokens)).toBeGreaterThan(0);
    expect(Number(freeRow.cost_nanos)).toBe(0);
    const cheap = await sdk.chat.completions.create({ model: "mock-cheap", messages }).withResponse();
    const row = await ledgerRow(cheap.response.headers.get("x-request-id")!);
    expect(Number(row.cost_nanos)).toBe(Number(row.input_tokens) * 1000 + Number(row.output_tokens) * 2000);
    expect(Number(row.cost_nanos)).toBeGreaterThan(0);
  });
});
