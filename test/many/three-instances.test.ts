/**
 * Three llmux processes behind HAProxy (Debian's package, installed by scripts/system-deps.sh), sharing one
 * PostgreSQL database and one Redis prefix: they behave as one gateway.
 */
import { randomBytes } from "node:crypto";
import { request } from "node:http";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type MockServer, startMockServer } from "../../src/mock/server.js";
import { freshPostgres, type TestLocation } from "../support/engines.js";
import {
  type Balancer,
  type Instance,
  startHaproxy,
  startInstance,
  stopInstance,
  writeConfig,
} from "../support/instances.js";
import { type TcpProxy, tcpProxy } from "../support/tcp-proxy.js";
import { ADMIN, call, MASTER } from "../team/helpers.js";

const REDIS = process.env.LLMUX_TEST_REDIS ?? "redis://127.0.0.1:6379";

let where: TestLocation;
let mock: MockServer;
let instances: Instance[] = [];
let lb: Balancer;
let configFile: string;
let redis: TcpProxy;

beforeAll(async () => {
  where = await freshPostgres();
  mock = await startMockServer({ validate: true });
  // Redis behind a proxy the test can cut ("Redis stopped mid-run") without stopping the machine's Redis.
  const r = new URL(REDIS);
  redis = await tcpProxy(r.hostname, Number(r.port || 6379));
  configFile = writeConfig({
    store: { url: where.url },
    state: {
      url: `redis://127.0.0.1:${redis.port}`,
      prefix: `llmux-test:${process.pid}:${randomBytes(4).toString("hex")}:`,
    },
    admin: { keys: [ADMIN] },
    secrets: { master_key: MASTER },
    logging: { pretty: false },
    providers: {
      up: { type: "openai", base_url: `${mock.url}/v1`, api_key: "oa-key", api: "chat" },
      anthropic: { type: "anthropic", base_url: mock.url, api_key: "an-key" },
    },
    models: {
      "gpt-a": { provider: "up", model: "gpt-4.1" },
      claude: { provider: "anthropic", model: "claude-sonnet-4-5", thinking: { budget_tokens: 4000 } },
    },
  });
  // Started together: all three migrate the same empty database under the lock.
  instances = await Promise.all([startInstance(configFile), startInstance(configFile), startInstance(configFile)]);
  lb = await startHaproxy(instances.map((i) => i.port));
}, 90_000);

afterAll(async () => {
  await lb?.close();
  await Promise.all(instances.map(stopInstance));
  await mock?.close();
  await redis?.close();
  await where?.drop();
});

async function mintWithId(
  models: string[] = ["gpt-a", "claude"],
  more: object = {},
): Promise<{ key: string; id: string }> {
  const minted = await call(lb.url, "POST", "/admin/v1/keys", ADMIN, {
    name: `k-${randomBytes(3).toString("hex")}`,
    models,
    ...more,
  });
  expect(minted.status).toBe(201);
  return { key: minted.body.key as string, id: minted.body.id as string };
}

const mint = async () => (await mintWithId()).key;

const chatBody = { model: "gpt-a", messages: [{ role: "user", content: "hi" }] };

describe("three instances behind HAProxy on one PostgreSQL and Redis", () => {
  it("a key minted through the balancer works on every instance; revoked, it is refused everywhere within 2 s", async () => {
    const { key, id } = await mintWithId();
    for (const i of instances)
      expect((await call(i.url, "POST", "/v1/chat/completions", key, chatBody)).status).toBe(200);
    // Listed on another instance, then revoked there.
    const list = await call(instances[1]!.url, "GET", "/admin/v1/keys", ADMIN);
    expect(list.body.data.map((k: { id: string }) => k.id)).toContain(id);
    expect((await call(instances[1]!.url, "DELETE", `/admin/v1/keys/${id}`, ADMIN)).status).toBe(200);
    const start = Date.now();
    for (const i of instances) {
      for (;;) {
        const s = (await call(i.url, "POST", "/v1/chat/completions", key, chatBody)).status;
        if (s === 401) break;
        expect(Date.now() - start).toBeLessThan(2_000);
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  });

  it("previous_response_id works when consecutive turns land on different instances", async () => {
    const key = await mint();
    const [a, b, c] = instances.map((i) => new OpenAI({ apiKey: key, baseURL: `${i.url}/v1`, maxRetries: 0 }));
    const r1 = await a!.responses.create({ model: "gpt-a", input: "My name is Ada.", store: true });
    const r2 = await b!.responses.create({
      model: "gpt-a",
      input: "What is my name?",
      previous_response_id: r1.id,
      store: true,
    });
    // The second upstream call carried the first turn, stored by another instance.
    expect(JSON.stringify(mock.requests.at(-1)!.body)).toContain("My name is Ada.");
    const r3 = await c!.responses.retrieve(r2.id);
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
    const first = new OpenAI({ apiKey: key, baseURL: `${instances[0]!.url}/v1`, maxRetries: 0 });
    const second = new OpenAI({ apiKey: key, baseURL: `${instances[2]!.url}/v1`, maxRetries: 0 });
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

  it("one instance killed with SIGKILL mid-run: only requests in flight on it fail, the rest succeed", async () => {
    const key = await mint();
    const total = 2000;
    const concurrency = 16;
    let next = 0;
    let ok = 0;
    const failed: string[] = [];
    const completed: string[] = [];
    const one = () =>
      new Promise<void>((resolve) => {
        const req = request(`${lb.url}/v1/chat/completions`, {
          method: "POST",
          agent: false,
          headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
        });
        req.on("response", (res) => {
          let body = "";
          res.on("data", (d: Buffer) => {
            body += d.toString();
          });
          res.on("end", () => {
            if (res.statusCode === 200 && body.includes('"choices"')) {
              ok++;
              completed.push(String(res.headers["x-request-id"]));
            } else failed.push(`${res.statusCode} ${body.slice(0, 80)}`);
            resolve();
          });
          res.on("error", () => {
            failed.push("reset mid-answer");
            resolve();
          });
        });
        req.on("error", (e) => {
          failed.push(e.message);
          resolve();
        });
        req.end(JSON.stringify(chatBody));
      });
    const worker = async () => {
      while (next < total) {
        const n = next++;
        if (n === 600) instances[1]!.child.kill("SIGKILL");
        await one();
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    // At most the requests that were in flight on the killed instance (one per client connection) fail.
    expect(failed.length).toBeLessThanOrEqual(concurrency);
    expect(ok + failed.length).toBe(total);
    expect(ok).toBeGreaterThanOrEqual(total - concurrency);
    // Restarted (as a supervisor would), the killed instance writes what its journal still held.
    instances[1] = await startInstance(configFile);
    const db = await ledgerIds(completed);
    expect(db.missing).toEqual([]);
    expect(db.duplicates).toBe(0);
  }, 120_000);

  it("a 60 rpm key admits 60 of 200 requests spread over the three (not 180)", async () => {
    const { key } = await mintWithId(["gpt-a"], { limits: { rpm: 60 } });
    const started = Date.now();
    const statuses = await Promise.all(
      Array.from({ length: 200 }, (_, i) => call(instances[i % 3]!.url, "POST", "/v1/chat/completions", key, chatBody)),
    );
    const elapsed = Date.now() - started;
    // GCRA: a full bucket of 60, refilled by one request a second while the burst lasts.
    const admitted = statuses.filter((r) => r.status === 200).length;
    expect(admitted).toBeGreaterThanOrEqual(60);
    // (The refill is counted from the first request; a request that lands on a second's edge may take it.)
    expect(admitted).toBeLessThanOrEqual(60 + Math.ceil(elapsed / 1000));
    expect(statuses.filter((r) => r.status === 429)).toHaveLength(200 - admitted);
  });

  it("a budget is shared: 50 concurrent requests over the three overspend by at most one request's worth", async () => {
    // A request here reserves about 300 nano-dollars … set the budget to ten requests' worth of their real cost.
    const probe = await mintWithId(["gpt-a"]);
    expect(
      (await call(lb.url, "POST", "/v1/chat/completions", probe.key, { ...chatBody, max_tokens: 20 })).status,
    ).toBe(200);
    const one = await until(async () => (await costs([probe.id]))[0]);
    const { key, id } = await mintWithId(["gpt-a"], { budget: { usd: (10 * one) / 1e9, period: "day" } });
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        call(instances[i % 3]!.url, "POST", "/v1/chat/completions", key, { ...chatBody, max_tokens: 20 }),
      ),
    );
    const admitted = results.filter((r) => r.status === 200).length;
    expect(admitted).toBeGreaterThan(0);
    expect(results.filter((r) => r.status === 429).every((r) => r.body.error.code === "insufficient_quota")).toBe(true);
    const spent = await until(async () => {
      const c = await costs([id]);
      return c.length === 1 ? c[0] : undefined;
    });
    expect(spent).toBeLessThanOrEqual(11 * one);
  });

  it("Redis stopped mid-run: serving continues under the default policy, with a log line saying so", async () => {
    const { key } = await mintWithId(["gpt-a"], { limits: { rpm: 1000 } });
    expect((await call(lb.url, "POST", "/v1/chat/completions", key, chatBody)).status).toBe(200);
    redis.cut();
    try {
      for (let i = 0; i < 9; i++)
        expect((await call(instances[i % 3]!.url, "POST", "/v1/chat/completions", key, chatBody)).status).toBe(200);
      expect(instances.some((i) => /Redis \(state\.url\) is unreachable/.test(i.output.join("")))).toBe(true);
    } finally {
      redis.restore();
    }
  });
});

async function until<T>(check: () => Promise<T | undefined>, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function pgQuery<T>(sql: string, params: unknown[]): Promise<T[]> {
  const pg = (await import("pg")).default;
  const c = new pg.Client({ connectionString: where.url });
  await c.connect();
  try {
    return (await c.query(sql, params)).rows as T[];
  } finally {
    await c.end();
  }
}

/** Which of these request ids have no ledger row (waiting until the rows arrive), and how many twice. */
async function ledgerIds(ids: string[]): Promise<{ missing: string[]; duplicates: number }> {
  let rows: { id: string }[] = [];
  const end = Date.now() + 20_000;
  for (;;) {
    rows = await pgQuery<{ id: string }>("select id from ledger where id = any($1)", [ids]);
    if (rows.length >= ids.length || Date.now() > end) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  const seen = new Set(rows.map((r) => r.id));
  return { missing: ids.filter((i) => !seen.has(i)), duplicates: rows.length - seen.size };
}

/** Each key's summed cost in nano-dollars. */
async function costs(keyIds: string[]): Promise<number[]> {
  const rows = await pgQuery<{ n: string }>(
    "select sum(cost_nanos) as n from ledger where key_id = any($1) group by key_id",
    [keyIds],
  );
  return rows.map((r) => Number(r.n));
}
