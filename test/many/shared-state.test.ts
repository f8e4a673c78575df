/**
 * What three instances must share beyond keys, limits and budgets (three-instances.test.ts): teams and
 * their limits, stored upstream credentials, concurrency slots, cooldowns and affinity bindings of
 * deployments, and the secret that seals reasoning envelopes. Each is set up on one instance and
 * checked on the others.
 */
import { randomBytes } from "node:crypto";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type MockServer, startMockServer } from "../../src/mock/server.js";
import { ADMIN, type Cluster, post, startCluster } from "../support/many.js";
import { type SwitchUpstream, switchUpstream } from "../support/switch-upstream.js";
import { call } from "../support/team.js";

let mock: MockServer;
let slow: MockServer;
let fronts: SwitchUpstream[] = [];
let c: Cluster;

beforeAll(async () => {
  mock = await startMockServer({ chunkDelayMs: 0 });
  slow = await startMockServer({ chunkDelayMs: 40 });
  fronts = await Promise.all([switchUpstream(mock.url), switchUpstream(mock.url)]);
  c = await startCluster({
    providers: {
      up: { type: "openai", base_url: `${mock.url}/v1`, api_key: "oa-key", api: "chat" },
      slowup: { type: "openai", base_url: `${slow.url}/v1`, api_key: "oa-key", api: "chat" },
      anthropic: { type: "anthropic", base_url: mock.url, api_key: "an-key" },
      f1: { type: "openai", base_url: `${fronts[0]!.url}/v1`, api_key: "k1", api: "chat" },
      f2: { type: "openai", base_url: `${fronts[1]!.url}/v1`, api_key: "k2", api: "chat" },
    },
    models: {
      "gpt-a": { provider: "up", model: "gpt-4.1" },
      "gpt-slow": { provider: "slowup", model: "gpt-4.1" },
      claude: { provider: "anthropic", model: "claude-sonnet-4-5", thinking: { budget_tokens: 4000 } },
      spread: {
        deployments: [
          { provider: "f1", model: "gpt-4.1", name: "f1" },
          { provider: "f2", model: "gpt-4.1", name: "f2" },
        ],
      },
    },
  });
}, 120_000);

afterAll(async () => {
  await c?.close();
  for (const f of fronts) await f.close();
  await slow?.close();
  await mock?.close();
});

const admin = (i: number, method: string, path: string, body?: unknown) =>
  call(c.instances[i]!.url, method, `/admin/v1${path}`, ADMIN, body);

async function mint(i: number, more: object): Promise<{ key: string; id: string }> {
  const r = await admin(i, "POST", "/keys", { name: `k-${randomBytes(3).toString("hex")}`, ...more });
  expect(r.status).toBe(201);
  return { key: r.body.key as string, id: r.body.id as string };
}

const chatOn = (i: number, key: string, model = "gpt-a", headers: object = {}) =>
  post(
    c.instances[i]!.url,
    "/v1/chat/completions",
    key,
    { model, messages: [{ role: "user", content: "hi" }] },
    headers,
  );

describe("shared by three instances", () => {
  it("teams: one made on the first is seen on the third; its rpm holds across all three", async () => {
    const team = await admin(0, "POST", "/teams", { name: `t-${randomBytes(3).toString("hex")}`, limits: { rpm: 4 } });
    expect(team.status).toBe(201);
    const seen = await admin(2, "GET", `/teams/${team.body.id}`);
    expect(seen.status).toBe(200);
    expect(seen.body.name).toBe(team.body.name);
    const { key } = await mint(1, { team_id: team.body.id, models: ["gpt-a"] });
    const statuses = await Promise.all(Array.from({ length: 9 }, (_, n) => chatOn(n % 3, key).then((r) => r.status)));
    // A bucket of 4 (GCRA, refilling one every 15 s) for the team, wherever its requests land.
    expect(statuses.filter((s) => s === 200)).toHaveLength(4);
    expect(statuses.filter((s) => s === 429)).toHaveLength(5);
  });

  it("stored upstream credentials: a key's credential given on one instance is used upstream by another", async () => {
    const planted = `sk-ant-planted-${randomBytes(6).toString("hex")}`;
    const { key } = await mint(0, { models: ["claude"], credentials: { anthropic: planted } });
    const from = mock.requests.length;
    const r = await post(c.instances[2]!.url, "/v1/messages", key, {
      model: "claude",
      max_tokens: 5000,
      messages: [{ role: "user", content: "hi" }],
    });
    expect(r.status).toBe(200);
    const sent = mock.requests.slice(from).filter((x) => x.path === "/v1/messages");
    expect(sent).toHaveLength(1);
    expect(sent[0]!.headers["x-api-key"]).toBe(planted);
    expect(c.instances.map((i) => i.output.join("")).join("")).not.toContain(planted);
  });

  it("concurrency: a key allowed 2 at once gets 2 of 6 simultaneous streams, whichever instances they reach", async () => {
    const { key } = await mint(2, { models: ["gpt-slow"], limits: { concurrency: 2 } });
    const long = "word ".repeat(80);
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, n) =>
        post(c.instances[n % 3]!.url, "/v1/chat/completions", key, {
          model: "gpt-slow",
          stream: true,
          messages: [{ role: "user", content: `${long} ${n}` }],
        }),
      ),
    );
    expect(results.filter((r) => r.status === 200)).toHaveLength(2);
    expect(results.filter((r) => r.status === 429)).toHaveLength(4);
    // The slots come back when the streams end.
    expect((await chatOn(1, key, "gpt-slow")).status).toBe(200);
  });

  it("cooldowns: a deployment throttled on one instance gets no traffic from the others until its retry-after", async () => {
    const { key } = await mint(0, { models: ["spread"] });
    fronts[1]!.mode = {
      kind: "status",
      status: 429,
      headers: { "retry-after": "30" },
      body: { error: { message: "Rate limit reached", type: "rate_limit_error", code: "rate_limit_exceeded" } },
    };
    try {
      const before = fronts[1]!.hits.length;
      for (let n = 0; n < 40 && fronts[1]!.hits.length === before; n++) {
        const r = await post(c.instances[0]!.url, "/v1/chat/completions", key, {
          model: "spread",
          messages: [{ role: "user", content: `cool ${n}` }],
        });
        expect(r.status).toBe(200);
      }
      expect(fronts[1]!.hits.length).toBe(before + 1);
      for (let n = 0; n < 20; n++) {
        const r = await post(c.instances[1 + (n % 2)]!.url, "/v1/chat/completions", key, {
          model: "spread",
          messages: [{ role: "user", content: `elsewhere ${n}` }],
        });
        expect(r.status).toBe(200);
      }
      // Weighted 1:1, twenty requests would have sent it about ten.
      expect(fronts[1]!.hits.length).toBe(before + 1);
      const health = await admin(2, "GET", "/deployments");
      const f2 = (health.body.data as { name: string; healthy: boolean }[]).find((d) => d.name === "f2");
      expect(f2?.healthy).toBe(false);
    } finally {
      fronts[1]!.mode = { kind: "pass" };
    }
  });

  it("affinity: a conversation stays on its deployment whichever instance each turn reaches", async () => {
    const { key } = await mint(1, { models: ["spread"] });
    // f2 may still be cooling from the test before: the conversation then binds to f1, as it should.
    const session = { "x-session-affinity": `conv-${randomBytes(4).toString("hex")}` };
    const served = new Set<string>();
    for (let n = 0; n < 12; n++) {
      const res = await fetch(`${c.instances[n % 3]!.url}/v1/chat/completions`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${key}`, ...session },
        body: JSON.stringify({ model: "spread", messages: [{ role: "user", content: `turn ${n}` }] }),
      });
      await res.text();
      expect(res.status).toBe(200);
      served.add((res.headers.get("llmux-route") ?? "").split(";")[0]!);
    }
    expect(served.size).toBe(1);
  });

  it("the reasoning envelope secret: reasoning sealed by one instance is opened by another", async () => {
    const { key } = await mint(0, { models: ["claude"] });
    const signature = `EuYBCkQIBhgCIkB${randomBytes(6).toString("hex")}AAAA==`;
    mock.enqueue({
      blocks: [
        { type: "reasoning", text: "Weather needs a tool.", signature },
        { type: "tool_call", id: "toolu_many_1", name: "get_weather", arguments: '{"city":"Oslo"}' },
      ],
    });
    mock.enqueue({
      blocks: [{ type: "text", text: "Oslo is 5°." }],
      expect: { contains: [`"signature":"${signature}"`] },
    });
    const tools = [{ type: "function" as const, name: "get_weather", parameters: { type: "object" }, strict: false }];
    const first = new OpenAI({ apiKey: key, baseURL: `${c.instances[0]!.url}/v1`, maxRetries: 0 });
    const second = new OpenAI({ apiKey: key, baseURL: `${c.instances[1]!.url}/v1`, maxRetries: 0 });
    const r1 = await first.responses.create({
      model: "claude",
      input: "Weather in Oslo?",
      store: false,
      include: ["reasoning.encrypted_content"],
      tools,
    });
    const reasoning = r1.output.find((i) => i.type === "reasoning");
    expect(reasoning && "encrypted_content" in reasoning ? reasoning.encrypted_content : "").toMatch(/^llmux1\./);
    const fc = r1.output.find((i) => i.type === "function_call");
    if (fc?.type !== "function_call") throw new Error("expected a function call");
    const r2 = await second.responses.create({
      model: "claude",
      store: false,
      tools,
      input: [
        { role: "user", content: "Weather in Oslo?" },
        ...(r1.output as never[]),
        { type: "function_call_output", call_id: fc.call_id, output: "5°" },
      ],
    });
    expect(r2.output_text).toBe("Oslo is 5°.");
    expect(mock.requests.at(-1)!.failure).toBeUndefined();
  });
});
