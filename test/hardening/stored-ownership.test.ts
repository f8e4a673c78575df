/**
 * A user's stored data belongs to that user: stored Responses, their input items and previous_response_id
 * chains are owned by the key that made them (a config key, a pass-through key by its digest). Another key
 * gets 404, cannot read or overwrite items by reference, and ids are llmux's own: an upstream that repeats
 * its ids (as some local servers do) does not merge two conversations.
 */
import { randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { foreignReference } from "../../src/responses/ownership.js";
import { MemoryState } from "../../src/state/memory.js";
import type { ResponseStore } from "../../src/store/types.js";
import { ENGINES, type TestLocation } from "../support/engines.js";
import { type Harness, startHarness, tempStorePath } from "../support/gateway.js";
import { admin, teamHarness } from "../support/team.js";

type Sent = { messages: { role: string; content: unknown }[] };

/** A Chat upstream that always answers with the same id, echoing the last user message. */
async function startRepeatingUpstream(): Promise<{ url: string; bodies: Sent[]; server: Server }> {
  const bodies: Sent[] = [];
  const server = createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on("data", (c: Buffer) => parts.push(c));
    req.on("end", () => {
      const body = JSON.parse(Buffer.concat(parts).toString("utf8")) as Sent;
      bodies.push(body);
      const users = body.messages.filter((m) => m.role === "user");
      const last = users.at(-1)?.content;
      const text = `echo:${typeof last === "string" ? last : JSON.stringify(last)}`;
      const chunk = (delta: object, finish: string | null = null) =>
        `data: ${JSON.stringify({ id: "chatcmpl-same", object: "chat.completion.chunk", created: 1, model: "m", choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.end(`${chunk({ role: "assistant", content: text })}${chunk({}, "stop")}data: [DONE]\n\n`);
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, bodies, server };
}

const conversationOf = (body: Sent | undefined): string[] =>
  (body?.messages ?? []).map((m) => (typeof m.content === "string" ? m.content : JSON.stringify(m.content)));

describe.each([
  { how: "config keys", auth: { keys: ["key-alice", "key-bob"] } },
  { how: "pass-through keys (owner by digest)", auth: { passthrough: true } },
])("stored responses belong to their key ($how)", ({ auth }) => {
  let h: Harness;
  let up: Awaited<ReturnType<typeof startRepeatingUpstream>>;
  let alice: OpenAI;
  let bob: OpenAI;
  beforeAll(async () => {
    up = await startRepeatingUpstream();
    h = await startHarness(() => ({
      auth,
      providers: { local: { type: "openai-compatible", base_url: `${up.url}/v1`, api_key: "k" } },
      models: { local: { provider: "local", model: "llama" } },
    }));
    alice = new OpenAI({ apiKey: "key-alice", baseURL: `${h.url}/v1`, maxRetries: 0 });
    bob = new OpenAI({ apiKey: "key-bob", baseURL: `${h.url}/v1`, maxRetries: 0 });
  });
  afterAll(async () => {
    await h.close();
    await new Promise<void>((r) => up.server.close(() => r()));
  });

  const status = (p: Promise<unknown>) =>
    p.then(
      () => 200,
      (e: unknown) => (e as { status?: number }).status,
    );

  it("ids are llmux's: an upstream repeating its ids merges nothing", async () => {
    const a1 = await alice.responses.create({ model: "local", input: "alice secret one", store: true });
    const b1 = await bob.responses.create({ model: "local", input: "bob secret", store: true });
    const a2 = await alice.responses.create({ model: "local", input: "alice two", store: true });
    const ids = [a1.id, b1.id, a2.id];
    expect(new Set(ids).size).toBe(3);
    for (const id of ids) expect(id).not.toContain("chatcmpl-same");
    expect(new Set([...a1.output, ...b1.output, ...a2.output].map((o) => o.id)).size).toBe(3);
    // Alice's first answer is still hers, untouched by the later ones.
    expect((await alice.responses.retrieve(a1.id)).output_text).toBe("echo:alice secret one");
    // A chain continues the right conversation.
    await alice.responses.create({ model: "local", input: "and then", previous_response_id: a1.id, store: true });
    const sent = conversationOf(up.bodies.at(-1));
    expect(sent.join("|")).toContain("alice secret one");
    expect(sent.join("|")).not.toContain("alice two");
    expect(sent.join("|")).not.toContain("bob");
  });

  it("another key gets 404 on GET, input_items, DELETE and previous_response_id", async () => {
    const a = await alice.responses.create({ model: "local", input: "private", store: true });
    expect(await status(bob.responses.retrieve(a.id))).toBe(404);
    expect(await status(bob.responses.inputItems.list(a.id))).toBe(404);
    expect(await status(bob.responses.delete(a.id))).toBe(404);
    const before = up.bodies.length;
    expect(await status(bob.responses.create({ model: "local", input: "continue", previous_response_id: a.id }))).toBe(
      404,
    );
    expect(up.bodies.length).toBe(before);
    // Still Alice's, whole.
    expect((await alice.responses.retrieve(a.id)).output_text).toBe("echo:private");
    expect((await alice.responses.inputItems.list(a.id)).data.length).toBe(1);
  });

  it("an item_reference can neither read nor overwrite another key's item", async () => {
    const a = await alice.responses.create({ model: "local", input: "alice item", store: true });
    const itemId = a.output[0]!.id!;
    const viaRef = await bob.responses.create({
      model: "local",
      input: [
        { type: "item_reference", id: itemId },
        { role: "user", content: "what was said?" },
      ] as never,
      store: true,
    });
    expect(JSON.stringify(up.bodies.at(-1))).not.toContain("alice item");
    expect(viaRef.output_text).toBe("echo:what was said?");
    // Bob stores an item under Alice's id: hers is unchanged.
    await bob.responses.create({
      model: "local",
      input: [
        { type: "message", id: itemId, role: "assistant", content: [{ type: "output_text", text: "forged" }] },
        { role: "user", content: "x" },
      ] as never,
      store: true,
    });
    await alice.responses.create({
      model: "local",
      input: [
        { type: "item_reference", id: itemId },
        { role: "user", content: "again" },
      ] as never,
    });
    const sent = JSON.stringify(up.bodies.at(-1));
    expect(sent).toContain("echo:alice item");
    expect(sent).not.toContain("forged");
  });
});

describe.each(ENGINES)("minted keys own their stored responses by key id, not by team ($engine)", ({ fresh }) => {
  let where: TestLocation;
  let h: Harness;
  let up: Awaited<ReturnType<typeof startRepeatingUpstream>>;
  beforeAll(async () => {
    where = await fresh();
    up = await startRepeatingUpstream();
    h = await teamHarness(where, {
      providers: { local: { type: "openai-compatible", base_url: `${up.url}/v1`, api_key: "k" } },
      models: { local: { provider: "local", model: "llama" } },
    });
  });
  afterAll(async () => {
    await h.close();
    await where.drop();
    await new Promise<void>((r) => up.server.close(() => r()));
  });

  it("a key of the same team gets 404; the owner keeps it", async () => {
    const team = await admin(h, "POST", "/teams", { name: "crew" });
    const k1 = await admin(h, "POST", "/keys", { name: "one", team_id: team.body.id });
    const k2 = await admin(h, "POST", "/keys", { name: "two", team_id: team.body.id });
    const one = new OpenAI({ apiKey: k1.body.key, baseURL: `${h.url}/v1`, maxRetries: 0 });
    const two = new OpenAI({ apiKey: k2.body.key, baseURL: `${h.url}/v1`, maxRetries: 0 });
    const r = await one.responses.create({ model: "local", input: "team secret", store: true });
    const status = (p: Promise<unknown>) =>
      p.then(
        () => 200,
        (e: unknown) => (e as { status?: number }).status,
      );
    expect(await status(two.responses.retrieve(r.id))).toBe(404);
    expect(await status(two.responses.create({ model: "local", input: "x", previous_response_id: r.id }))).toBe(404);
    expect((await one.responses.retrieve(r.id)).output_text).toBe("echo:team secret");
  });
});

const HOT = [
  { hot: "memory", state: {} },
  {
    hot: "Redis",
    state: {
      url: process.env.LLMUX_TEST_REDIS ?? "redis://127.0.0.1:6379",
      prefix: `llmux-test:${process.pid}:${randomBytes(4).toString("hex")}:`,
    },
  },
];

describe.each(HOT)(
  "responses kept by a Responses upstream (passed through) belong to their key too ($hot)",
  ({ state }) => {
    let h: Harness;
    let alice: OpenAI;
    let bob: OpenAI;
    beforeAll(async () => {
      h = await startHarness(() => ({ auth: { keys: ["key-alice", "key-bob"] }, state }));
      alice = new OpenAI({ apiKey: "key-alice", baseURL: `${h.url}/v1`, maxRetries: 0 });
      bob = new OpenAI({ apiKey: "key-bob", baseURL: `${h.url}/v1`, maxRetries: 0 });
    });
    afterAll(() => h.close());

    const status = (p: Promise<unknown>) =>
      p.then(
        () => 200,
        (e: unknown) => (e as { status?: number }).status,
      );

    it.each([
      ["streamed", true],
      ["not streamed", false],
    ])(
      "another key's previous_response_id or item_reference is a 404, and nothing goes upstream (%s)",
      async (_how, stream) => {
        const model = "via-azure-responses";
        const made = stream
          ? await alice.responses.stream({ model, input: "alice's secret plan" }).finalResponse()
          : await alice.responses.create({ model, input: "alice's secret plan" });
        expect(made.id).toMatch(/^resp_/);
        const itemId = made.output[0]!.id!;
        expect(itemId).toBeTruthy();
        const before = h.mock.requests.length;
        expect(await status(bob.responses.create({ model, input: "go on", previous_response_id: made.id }))).toBe(404);
        expect(
          await status(
            bob.responses.create({
              model,
              input: [
                { type: "item_reference", id: itemId },
                { role: "user", content: "what was it?" },
              ] as never,
            }),
          ),
        ).toBe(404);
        expect(h.mock.requests.length).toBe(before);
        // The owner goes on as before: both reach the upstream.
        await alice.responses.create({ model, input: "go on", previous_response_id: made.id });
        expect(h.mock.requests.length).toBe(before + 1);
        expect(JSON.stringify(h.mock.requests.at(-1)!.body)).toContain(made.id);
      },
    );

    it("an id llmux never relayed is a 404 for every key, and nothing goes upstream", async () => {
      const model = "via-azure-responses";
      const before = h.mock.requests.length;
      for (const who of [alice, bob])
        expect(
          await status(who.responses.create({ model, input: "go on", previous_response_id: "resp_elsewhere" })),
        ).toBe(404);
      expect(h.mock.requests.length).toBe(before);
    });

    it("the claims outlive the hot state: on a new, empty one the owner goes on and another key still gets 404", async () => {
      const path = tempStorePath();
      // A restart of the memory state, or a Redis that lost its keys: the same store, nothing in the hot state.
      const emptied = () =>
        "url" in state ? { ...state, prefix: `llmux-test:${process.pid}:${randomBytes(4).toString("hex")}:` } : state;
      const config = () => ({ auth: { keys: ["key-alice", "key-bob"] }, state: emptied(), store: { path } });
      const model = "via-azure-responses";
      const first = await startHarness(config);
      let made: { id: string };
      try {
        made = await new OpenAI({ apiKey: "key-alice", baseURL: `${first.url}/v1`, maxRetries: 0 }).responses.create({
          model,
          input: "alice's plan",
        });
        // Claimed in the data layer as the answer ended (written moments later).
        for (let t = 0; (await first.gateway.store.responses.owners([made.id])).size === 0; t++) {
          expect(t).toBeLessThan(250);
          await new Promise((r) => setTimeout(r, 20));
        }
      } finally {
        await first.close();
      }
      const second = await startHarness(config);
      try {
        const as = (key: string) => new OpenAI({ apiKey: key, baseURL: `${second.url}/v1`, maxRetries: 0 });
        const before = second.mock.requests.length;
        expect(
          await status(as("key-bob").responses.create({ model, input: "go on", previous_response_id: made.id })),
        ).toBe(404);
        expect(second.mock.requests.length).toBe(before);
        await as("key-alice").responses.create({ model, input: "go on", previous_response_id: made.id });
        expect(JSON.stringify(second.mock.requests.at(-1)!.body)).toContain(made.id);
      } finally {
        await second.close();
      }
    });
  },
);

describe("whose an upstream-kept response is, when a store cannot answer", () => {
  const responses = (owners: () => Promise<Map<string, string>>) => ({ owners }) as unknown as ResponseStore;
  const body = { model: "m", previous_response_id: "resp_1", input: "go on" };

  it("the hot state's answer is enough; without it the data layer's; with neither, a 503 to retry", async () => {
    const hot = new MemoryState();
    try {
      await hot.set("resp-owner:resp_1", "key:alice");
      const unreachable = responses(() => Promise.reject(new Error("connection refused")));
      expect(await foreignReference({ hot, responses: unreachable }, body, "key:alice")).toBeUndefined();
      expect((await foreignReference({ hot, responses: unreachable }, body, "key:bob"))?.status).toBe(404);
      await hot.del("resp-owner:resp_1");
      const stored = responses(async () => new Map([["resp_1", "key:alice"]]));
      expect(await foreignReference({ hot, responses: stored }, body, "key:alice")).toBeUndefined();
      expect((await foreignReference({ hot, responses: stored }, body, "key:bob"))?.status).toBe(404);
      const refused = await foreignReference({ hot, responses: unreachable }, body, "key:alice");
      expect([refused?.status, refused?.retryAfter]).toEqual([503, "5"]);
    } finally {
      await hot.close();
    }
  });
});
