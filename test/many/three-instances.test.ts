/**
 * Three llmux processes behind HAProxy (Debian's package, installed by scripts/system-deps.sh), sharing one
 * PostgreSQL database and a Redis of the test's own: they behave as one gateway, and lose nothing but the
 * requests in flight on an instance that dies.
 */
import { randomBytes } from "node:crypto";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type MockServer, startMockServer } from "../../src/mock/server.js";
import {
  ADMIN,
  type Cluster,
  costs,
  ledgerRows,
  loadRun,
  post,
  requestLogRows,
  rowsOfKey,
  type Sent,
  startCluster,
  until,
} from "../support/many.js";
import { call, learnedElsewhere } from "../support/team.js";

let mock: MockServer;
let c: Cluster;

beforeAll(async () => {
  mock = await startMockServer({ validate: true });
  c = await startCluster({
    providers: {
      up: { type: "openai", base_url: `${mock.url}/v1`, api_key: "oa-key", api: "chat" },
      anthropic: { type: "anthropic", base_url: mock.url, api_key: "an-key" },
    },
    models: {
      "gpt-a": { provider: "up", model: "gpt-4.1" },
      claude: { provider: "anthropic", model: "claude-sonnet-4-5", thinking: { budget_tokens: 4000 } },
    },
  });
}, 120_000);

afterAll(async () => {
  await c?.close();
  await mock?.close();
});

async function mintWithId(
  models: string[] = ["gpt-a", "claude"],
  more: object = {},
): Promise<{ key: string; id: string }> {
  const minted = await call(c.lb.url, "POST", "/admin/v1/keys", ADMIN, {
    name: `k-${randomBytes(3).toString("hex")}`,
    models,
    ...more,
  });
  expect(minted.status).toBe(201);
  return { key: minted.body.key as string, id: minted.body.id as string };
}

const mint = async () => (await mintWithId()).key;

const chatBody = { model: "gpt-a", messages: [{ role: "user", content: "hi" }] };
const chat = (base: string, key: string) => post(base, "/v1/chat/completions", key, chatBody);
const completed = (s: Sent[]) => s.filter((r) => r.status === 200 && r.body.includes('"choices"'));

/** Requests from `concurrency` clients through the balancer for `ms`; `at` runs things at given times. */
async function timedRun(key: string, ms: number, concurrency: number, at: [number, () => Promise<void>][]) {
  const start = Date.now();
  const results: Sent[] = [];
  const events = Promise.all(
    at.map(async ([t, f]) => {
      await new Promise((r) => setTimeout(r, t));
      await f();
    }),
  );
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() - start < ms) results.push(await chat(c.lb.url, key));
    }),
  );
  await events;
  return results;
}

describe("three instances behind HAProxy on one PostgreSQL and Redis", () => {
  it("a key minted through the balancer works on every instance; revoked, it is refused everywhere from their next poll", async () => {
    const { key, id } = await mintWithId();
    for (const i of c.instances) expect((await chat(i.url, key)).status).toBe(200);
    // Listed on another instance, then revoked there.
    const list = await call(c.instances[1]!.url, "GET", "/admin/v1/keys", ADMIN);
    expect(list.body.data.map((k: { id: string }) => k.id)).toContain(id);
    expect((await call(c.instances[1]!.url, "DELETE", `/admin/v1/keys/${id}`, ADMIN)).status).toBe(200);
    // Each instance learns it at its next poll of the identity revision (awaited in-process in
    // test/identity/key-poll.test.ts; a poll of another process cannot be awaited from here).
    for (const [n, i] of c.instances.entries())
      await learnedElsewhere(`the revocation on instance ${n}`, async () => (await chat(i.url, key)).status === 401);
  });

  it("previous_response_id works when consecutive turns land on different instances", async () => {
    const key = await mint();
    const [a, b, d] = c.instances.map((i) => new OpenAI({ apiKey: key, baseURL: `${i.url}/v1`, maxRetries: 0 }));
    const r1 = await a!.responses.create({ model: "gpt-a", input: "My name is Ada.", store: true });
    const r2 = await b!.responses.create({
      model: "gpt-a",
      input: "What is my name?",
      previous_response_id: r1.id,
      store: true,
    });
    // The second upstream call carried the first turn, stored by another instance.
    expect(JSON.stringify(mock.requests.at(-1)!.body)).toContain("My name is Ada.");
    const r3 = await d!.responses.retrieve(r2.id);
    expect(r3.id).toBe(r2.id);
  });

  it("Chat reasoning state carries a tool loop whose turns land on different instances", async () => {
    const key = await mint();
    const signature = `EuYBCkQIBhgCIkB${randomBytes(6).toString("hex")}AAAA==`;
    mock.enqueue({
      blocks: [
        { type: "reasoning", text: "The user wants weather.", signature },
        { type: "tool_call", id: "call_many_1", name: "get_weather", arguments: '{"city":"Paris"}' },
      ],
    });
    mock.enqueue({
      blocks: [{ type: "text", text: "Paris is 20°." }],
      expect: { contains: [`"signature":"${signature}"`] },
    });
    const tools = [
      {
        type: "function" as const,
        function: { name: "get_weather", parameters: { type: "object", properties: { city: { type: "string" } } } },
      },
    ];
    const first = new OpenAI({ apiKey: key, baseURL: `${c.instances[0]!.url}/v1`, maxRetries: 0 });
    const second = new OpenAI({ apiKey: key, baseURL: `${c.instances[2]!.url}/v1`, maxRetries: 0 });
    const user = { role: "user" as const, content: "Weather in Paris?" };
    const c1 = await first.chat.completions.create({ model: "claude", messages: [user], tools });
    const call1 = c1.choices[0]!.message.tool_calls![0]!;
    // A Chat client sends back only content and tool calls: the signature must come from the shared store.
    const c2 = await second.chat.completions.create({
      model: "claude",
      tools,
      messages: [
        user,
        { role: "assistant", content: c1.choices[0]!.message.content ?? null, tool_calls: [call1] },
        { role: "tool", tool_call_id: call1.id, content: "20°" },
      ],
    });
    expect(c2.choices[0]!.message.content).toBe("Paris is 20°.");
    expect(mock.requests.at(-1)!.failure).toBeUndefined();
  });

  it("one instance killed with SIGKILL during 2,000 requests: only requests in flight on it fail; every completed one has exactly one ledger row and one request-log row", async () => {
    const { key, id } = await mintWithId();
    const total = 2000;
    const concurrency = 16;
    const results = await loadRun(total, concurrency, () => chat(c.lb.url, key), {
      600: () => {
        c.instances[1]!.child.kill("SIGKILL");
      },
    });
    const ok = completed(results);
    const failed = results.filter((r) => !(r.status === 200 && r.body.includes('"choices"')));
    // At most the requests that were in flight on the killed instance (one per client connection) fail,
    // and they failed as a broken connection (or HAProxy's 502 for it), not as an error llmux answered.
    expect(failed.length).toBeLessThanOrEqual(concurrency);
    for (const f of failed) expect(f.broken !== undefined || f.status === 502 || f.status === 503).toBe(true);
    expect(ok.length + failed.length).toBe(total);
    // Not restarted: the survivors, on the same spool directory, write what the killed one's journal held.
    const rows = await ledgerRows(
      c.where,
      ok.map((r) => r.id!),
    );
    expect(rows.missing).toEqual([]);
    expect(rows.extra).toBe(0);
    // The request log has the ledger's durability: the same requests, each once.
    expect(
      await requestLogRows(
        c.where,
        ok.map((r) => r.id!),
      ),
    ).toMatchObject({ missing: [], extra: 0 });
    await c.restart(1);
    // No row for anything else: at most the failed requests (the killed instance may have finished them upstream).
    const n = await rowsOfKey(c.where, id);
    expect(n).toBeGreaterThanOrEqual(ok.length);
    expect(n).toBeLessThanOrEqual(ok.length + failed.length);
  }, 180_000);

  it("a 60 rpm key admits exactly 60 of 200 requests spread over the three, plus one per full second the burst lasts", async () => {
    const { key } = await mintWithId(["gpt-a"], { limits: { rpm: 60 } });
    const started = Date.now();
    const statuses = await Promise.all(
      Array.from({ length: 200 }, (_, i) => chat(c.instances[i % 3]!.url, key).then((r) => r.status)),
    );
    const elapsed = Date.now() - started;
    const admitted = statuses.filter((s) => s === 200).length;
    // GCRA: a bucket of 60 that refills one request a second, shared by the three (Redis). Once the first
    // 60 took it, the next can pass only a full second after the first one arrived: exactly 60 while the
    // 200 arrive within a second, 60 + n if their arrivals span n full seconds (this machine is shared,
    // so the burst may take longer). Not 180: the limit is not per instance.
    expect(admitted).toBeGreaterThanOrEqual(60);
    expect(admitted).toBeLessThanOrEqual(60 + Math.floor(elapsed / 1000));
    expect(statuses.filter((s) => s === 429)).toHaveLength(200 - admitted);
  });

  it("a budget is shared: 50 concurrent requests over the three overspend by at most one request's worth", async () => {
    const probe = await mintWithId(["gpt-a"]);
    expect((await post(c.lb.url, "/v1/chat/completions", probe.key, { ...chatBody, max_tokens: 20 })).status).toBe(200);
    const one = await until(async () => (await costs(c.where, [probe.id]))[0]);
    // The budget: ten requests' worth of their real cost.
    const { key, id } = await mintWithId(["gpt-a"], { budget: { usd: (10 * one) / 1e9, period: "day" } });
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        post(c.instances[i % 3]!.url, "/v1/chat/completions", key, { ...chatBody, max_tokens: 20 }),
      ),
    );
    const admitted = results.filter((r) => r.status === 200).length;
    expect(admitted).toBeGreaterThan(0);
    expect(admitted).toBeLessThanOrEqual(11);
    const refused = results.filter((r) => r.status === 429);
    expect(refused.length).toBe(50 - admitted);
    for (const r of refused) expect(JSON.parse(r.body).error.code).toBe("insufficient_quota");
    const spent = await until(async () => {
      const n = await costs(c.where, [id]);
      return n.length === 1 ? n[0] : undefined;
    });
    expect(spent).toBeLessThanOrEqual(11 * one);
  });

  it("PostgreSQL connections cut for 10 s mid-run: known keys keep working, no ledger or request-log row is lost", async () => {
    const { key } = await mintWithId(["gpt-a"]);
    // Known: each instance has seen the key.
    for (const i of c.instances) expect((await chat(i.url, key)).status).toBe(200);
    const results = await timedRun(key, 16_000, 6, [
      [3_000, async () => c.pg.cut()],
      [13_000, async () => c.pg.restore()],
    ]);
    const ok = completed(results);
    expect(results.length).toBeGreaterThan(30);
    expect(
      results.filter((r) => r.status !== 200).map((r) => `${r.status} ${r.broken ?? r.body.slice(0, 80)}`),
    ).toEqual([]);
    const rows = await ledgerRows(
      c.where,
      ok.map((r) => r.id!),
      60_000,
    );
    expect(rows.missing).toEqual([]);
    expect(rows.extra).toBe(0);
    expect(
      await requestLogRows(
        c.where,
        ok.map((r) => r.id!),
        60_000,
      ),
    ).toMatchObject({ missing: [], extra: 0 });
    const said = c.instances.map((i) => i.output.join("")).join("\n");
    expect(said).toMatch(/ledger row\(s\): kept in .* \(ledger-\d+-[0-9a-f]+\.spool\) until it does/);
    expect(said).toMatch(/the ledger caught up/);
  }, 120_000);

  it("Redis stopped mid-run: serving continues under the default policy, with a log line saying so", async () => {
    const { key } = await mintWithId(["gpt-a"], { limits: { rpm: 100_000 } });
    for (const i of c.instances) expect((await chat(i.url, key)).status).toBe(200);
    try {
      const results = await timedRun(key, 6_000, 6, [[1_500, () => c.redis.stop()]]);
      expect(results.length).toBeGreaterThan(20);
      expect(
        results.filter((r) => r.status !== 200).map((r) => `${r.status} ${r.broken ?? r.body.slice(0, 80)}`),
      ).toEqual([]);
      const said = c.instances.map((i) => i.output.join("")).join("\n");
      expect(said).toMatch(/Redis \(state\.url\) is unreachable: counting with this instance's memory/);
    } finally {
      await c.redis.start();
    }
    // Back: the instances say so once a request touches the shared state again.
    await until(async () => {
      await chat(c.lb.url, key);
      const said = c.instances.map((i) => i.output.join("")).join("\n");
      return /Redis \(state\.url\) is reachable again/.test(said) ? true : undefined;
    }, 20_000);
  }, 60_000);
});
