/**
 * The request log through the gateway, on SQLite and PostgreSQL: a row for every request however it ended
 * (success, upstream error, client abort, 401, 403, 404), filters and keyset pages, the detail with the
 * conversation decoded from the kept bodies, the stats, and the self-service routes scoped to their key.
 */
import { randomBytes } from "node:crypto";
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ENGINES, type TestLocation } from "../support/engines.js";
import { type Harness, startHarness } from "../support/gateway.js";
import { ADMIN, call, MASTER } from "../support/team.js";

const SERVICE = "svc-key-for-the-request-log";

async function until<T>(check: () => Promise<T | undefined>, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function mint(h: Harness, name = `k-${randomBytes(3).toString("hex")}`): Promise<{ key: string; id: string }> {
  const r = await call(h.url, "POST", "/admin/v1/keys", ADMIN, { name });
  expect(r.status).toBe(201);
  return { key: r.body.key, id: r.body.id };
}

const list = (h: Harness, query: string, key = ADMIN) => call(h.url, "GET", `/admin/v1/requests?${query}`, key);

/** The rows of one key once `n` of them are written. */
const rowsOf = (h: Harness, keyId: string, n: number) =>
  until(async () => {
    const r = await list(h, `key_id=${keyId}&limit=500`);
    return r.body.rows?.length >= n ? r.body.rows : undefined;
  });

describe.each(ENGINES)("the request log on $engine", ({ fresh }) => {
  let where: TestLocation;
  let h: Harness;
  beforeAll(async () => {
    where = await fresh();
    h = await startHarness(() => ({
      store: where.url ? { url: where.url } : { path: where.path },
      auth: { keys: [SERVICE] },
      admin: { keys: [ADMIN] },
      secrets: { master_key: MASTER },
      logging: { bodies: "all" },
    }));
  }, 30_000);
  afterAll(async () => {
    await h.close();
    await where.drop();
  });

  it("writes a row for a success, an upstream error, a client abort, a 401, a 403 and a 404", async () => {
    const { key, id } = await mint(h, "alice");
    const sdk = new OpenAI({ apiKey: key, baseURL: `${h.url}/v1`, maxRetries: 0 });
    await sdk.chat.completions.create({ model: "via-openai-chat", messages: [{ role: "user", content: "hello" }] });
    h.mock.enqueue({ httpError: { status: 429, message: "slow down" } });
    await expect(
      sdk.chat.completions.create({ model: "via-anthropic", messages: [{ role: "user", content: "x" }] }),
    ).rejects.toThrow();
    h.mock.enqueue({ blocks: [{ type: "text", text: "word ".repeat(400) }], chunkDelayMs: 20 });
    const ac = new AbortController();
    const stream = await sdk.chat.completions.create(
      { model: "via-openai-chat", messages: [{ role: "user", content: "long" }], stream: true },
      { signal: ac.signal },
    );
    let seen = 0;
    await (async () => {
      for await (const _ of stream) if (++seen === 5) ac.abort();
    })().catch(() => undefined);
    const rows = await rowsOf(h, id, 3);
    expect(rows.map((r: { outcome: string }) => r.outcome).sort()).toEqual(["aborted", "error", "ok"]);
    const ok = rows.find((r: { outcome: string }) => r.outcome === "ok");
    expect(ok).toMatchObject({
      key_id: id,
      key_name: "alice",
      method: "POST",
      path: "/v1/chat/completions",
      client_dialect: "openai-chat",
      client_tool: "openai-sdk-js",
      requested_model: "via-openai-chat",
      alias: "via-openai-chat",
      provider: "openai-chat",
      model: "gpt-4.1",
      stream: false,
      status: 200,
      error_class: null,
      attempts: 1,
      has_bodies: true,
    });
    expect(ok.cost_usd).toBeGreaterThan(0);
    expect(ok.input_tokens).toBeGreaterThan(0);
    expect(Date.parse(ok.time)).toBeGreaterThan(Date.now() - 60_000);
    const err = rows.find((r: { outcome: string }) => r.outcome === "error");
    expect(err).toMatchObject({ status: 429, error_class: "rate_limited", provider: "anthropic" });
    expect(err.reason).toMatch(/slow down/);
    const aborted = rows.find((r: { outcome: string }) => r.outcome === "aborted");
    expect(aborted.stream).toBe(true);
    expect(aborted.output_tokens).toBeGreaterThan(0);

    // No key, a wrong minted key (401), Cursor without a key (403), an unknown route (404): rows without a key id.
    const tag = randomBytes(4).toString("hex");
    const send = (path: string, headers: Record<string, string>) =>
      fetch(`${h.url}${path}`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "x-request-id": `${tag}-${path.length}-${headers.authorization ?? headers["user-agent"] ?? ""}`,
          ...headers,
        },
        body: JSON.stringify({ model: "via-openai-chat", messages: [{ role: "user", content: "hi" }] }),
      }).then(async (r) => {
        await r.arrayBuffer();
        return r.status;
      });
    expect(await send("/v1/chat/completions", {})).toBe(401);
    expect(await send("/v1/messages", { authorization: `Bearer lx-${"x".repeat(43)}` })).toBe(401);
    expect(await send("/v1/chat/completions", { "user-agent": "Cursor/1.7" })).toBe(403);
    expect(await send("/v1/nothing-here", { authorization: `Bearer ${SERVICE}` })).toBe(404);
    const refused = await until(async () => {
      const r = await list(h, "limit=50");
      const mine = r.body.rows.filter((x: { client_request_id: string | null }) =>
        x.client_request_id?.startsWith(tag),
      );
      return mine.length >= 4 ? mine : undefined;
    });
    const byStatus = Object.fromEntries(refused.map((r: { status: number }) => [r.status, r]));
    expect(Object.keys(byStatus).sort()).toEqual(["401", "403", "404"]);
    expect(refused.filter((r: { status: number }) => r.status === 401)).toHaveLength(2);
    expect(byStatus[401]).toMatchObject({ outcome: "refused", error_class: "auth", key_id: null });
    expect(byStatus[403]).toMatchObject({ outcome: "refused", error_class: "auth", client_tool: "cursor" });
    expect(byStatus[404]).toMatchObject({ outcome: "error", error_class: "not_found", path: "/v1/nothing-here" });
    // The admin API's own calls are not logged.
    const all = await list(h, "limit=500");
    expect(all.body.rows.some((r: { path: string }) => r.path.startsWith("/admin"))).toBe(false);
  });

  it("filters and pages newest first with a keyset cursor", async () => {
    const { key, id } = await mint(h);
    const sdk = new OpenAI({ apiKey: key, baseURL: `${h.url}/v1`, maxRetries: 0 });
    for (let i = 0; i < 7; i++)
      await sdk.chat.completions.create({
        model: i % 2 ? "via-anthropic" : "via-openai-chat",
        messages: [{ role: "user", content: `n${i}` }],
      });
    h.mock.enqueue({ httpError: { status: 500, message: "boom" } });
    await expect(
      sdk.chat.completions.create({ model: "via-openai-chat", messages: [{ role: "user", content: "x" }] }),
    ).rejects.toThrow();
    await rowsOf(h, id, 8);
    const seen: string[] = [];
    let before: string | null = null;
    let pages = 0;
    do {
      const r = await list(h, `key_id=${id}&limit=3${before ? `&before=${before}` : ""}`);
      expect(r.status).toBe(200);
      expect(r.body.rows.length).toBeLessThanOrEqual(3);
      seen.push(...r.body.rows.map((x: { id: string }) => x.id));
      before = r.body.next_before;
      pages++;
    } while (before);
    expect(pages).toBe(3);
    expect(new Set(seen).size).toBe(8);
    const whole = (await list(h, `key_id=${id}&limit=500`)).body.rows;
    expect(whole.map((x: { id: string }) => x.id)).toEqual(seen);
    const times = whole.map((x: { time: string }) => Date.parse(x.time));
    expect([...times].sort((a, b) => b - a)).toEqual(times);

    expect((await list(h, `key_id=${id}&model=via-anthropic`)).body.rows).toHaveLength(3);
    expect((await list(h, `key_id=${id}&model=claude-sonnet-4-5`)).body.rows).toHaveLength(3);
    expect((await list(h, `key_id=${id}&status=5xx`)).body.rows).toHaveLength(1);
    expect((await list(h, `key_id=${id}&status=200`)).body.rows).toHaveLength(7);
    expect((await list(h, `key_id=${id}&errors=true`)).body.rows).toHaveLength(1);
    expect((await list(h, `key_id=${id}&error_class=server`)).body.rows).toHaveLength(1);
    expect((await list(h, `key_id=${id}&provider=anthropic&outcome=ok`)).body.rows).toHaveLength(3);
    expect((await list(h, `key_id=${id}&from=${new Date(Date.now() + 60_000).toISOString()}`)).body.rows).toHaveLength(
      0,
    );
    const bad = await list(h, "status=abc");
    expect(bad.status).toBe(400);
    expect(bad.body.error.field).toBe("status");
    expect((await list(h, "limit=501")).body.error.field).toBe("limit");
    expect((await list(h, "before=bm9wZQ")).status).toBe(400);
  });

  it("shows one request with its bodies, the conversation as the model saw it, and the answer", async () => {
    const { key, id } = await mint(h);
    h.mock.enqueue({
      blocks: [
        { type: "reasoning", text: "The user wants a file listed." },
        { type: "text", text: "Listing it." },
        { type: "tool_call", name: "Bash", arguments: '{"command":"ls"}', id: "toolu_1" },
      ],
    });
    const sdk = new Anthropic({ apiKey: key, baseURL: h.url, maxRetries: 0 });
    await sdk.messages
      .stream({
        model: "via-anthropic",
        max_tokens: 2000,
        system: "You are a careful assistant.",
        tools: [{ name: "Bash", description: "Run a command", input_schema: { type: "object" } }],
        messages: [
          { role: "user", content: "What is here?" },
          {
            role: "assistant",
            content: [{ type: "tool_use", id: "toolu_0", name: "Bash", input: { command: "pwd" } }],
          },
          { role: "user", content: [{ type: "tool_result", tool_use_id: "toolu_0", content: "/home/me" }] },
        ],
      })
      .finalMessage();
    const [row] = await rowsOf(h, id, 1);
    const d = await call(h.url, "GET", `/admin/v1/requests/${row.id}`, ADMIN);
    expect(d.status).toBe(200);
    expect(d.body.id).toBe(row.id);
    expect(d.body.conversation).toEqual({
      system: "You are a careful assistant.",
      tools: [{ name: "Bash", description: "Run a command" }],
      messages: [
        { role: "user", parts: [{ type: "text", text: "What is here?" }] },
        {
          role: "assistant",
          parts: [{ type: "tool_call", id: "toolu_0", name: "Bash", arguments: '{"command":"pwd"}' }],
        },
        {
          role: "tool",
          parts: [{ type: "tool_result", tool_call_id: "toolu_0", content: "/home/me", is_error: false }],
        },
      ],
    });
    expect(d.body.answer).toEqual({
      role: "assistant",
      parts: [
        { type: "reasoning", text: "The user wants a file listed.", redacted: false },
        { type: "text", text: "Listing it." },
        { type: "tool_call", id: "toolu_1", name: "Bash", arguments: '{"command":"ls"}' },
      ],
    });
    expect(JSON.parse(d.body.bodies.client_request).system).toBe("You are a careful assistant.");
    expect(d.body.bodies.upstream_request).toContain('"model":"claude-sonnet-4-5"');
    expect(d.body.bodies.upstream_response).toContain("event: message_start");
    expect(d.body.bodies.client_response).toContain("event: message_stop");
    expect(d.body.truncated).toEqual([]);
    expect((await call(h.url, "GET", "/admin/v1/requests/req_nothing", ADMIN)).status).toBe(404);
  });

  it("sums stats by bucket, with errors by class and percentiles", async () => {
    const { key, id } = await mint(h);
    const sdk = new OpenAI({ apiKey: key, baseURL: `${h.url}/v1`, maxRetries: 0 });
    for (let i = 0; i < 4; i++)
      await sdk.chat.completions.create({ model: "via-openai-chat", messages: [{ role: "user", content: "s" }] });
    h.mock.enqueue({ httpError: { status: 429, message: "slow" } });
    await expect(
      sdk.chat.completions.create({ model: "via-openai-chat", messages: [{ role: "user", content: "x" }] }),
    ).rejects.toThrow();
    await rowsOf(h, id, 5);
    const s = await call(h.url, "GET", `/admin/v1/stats?key_id=${id}`, ADMIN);
    expect(s.status).toBe(200);
    expect(s.body.bucket).toBe("minute");
    expect(s.body.buckets.length).toBeGreaterThanOrEqual(60);
    const total = s.body.buckets.reduce((a: number, b: { requests: number }) => a + b.requests, 0);
    expect(total).toBe(5);
    const busy = s.body.buckets.filter((b: { requests: number }) => b.requests > 0);
    const errors = busy.reduce(
      (a: number, b: { errors: Record<string, number> }) => a + (b.errors.rate_limited ?? 0),
      0,
    );
    expect(errors).toBe(1);
    for (const b of busy) {
      expect(b.p50_latency_ms).toBeGreaterThan(0);
      expect(b.p95_latency_ms).toBeGreaterThanOrEqual(b.p50_latency_ms);
    }
    expect(s.body.top.keys).toEqual([expect.objectContaining({ id, requests: 5 })]);
    expect(s.body.top.models[0]).toMatchObject({ model: "via-openai-chat", requests: 5 });
    const cost = busy.reduce((a: number, b: { cost_usd: number }) => a + b.cost_usd, 0);
    expect(cost).toBeGreaterThan(0);
    expect((await call(h.url, "GET", "/admin/v1/stats?from=nope", ADMIN)).body.error.field).toBe("from");
  });

  it("the 30-day view reads the hourly rollup the settled writes keep, with the same figures", async () => {
    const { key, id } = await mint(h);
    const sdk = new OpenAI({ apiKey: key, baseURL: `${h.url}/v1`, maxRetries: 0 });
    for (let i = 0; i < 3; i++)
      await sdk.chat.completions.create({ model: "via-openai-chat", messages: [{ role: "user", content: "r" }] });
    await rowsOf(h, id, 3);
    const db = await h.gateway.team!.data.db();
    const rolled = await db
      .selectFrom("request_rollup")
      .select(["requests", "model"])
      .where("key_id", "=", id)
      .execute();
    expect(rolled.reduce((a, r) => a + Number(r.requests), 0)).toBe(3);
    const day = 86_400_000;
    const to = new Date(Math.floor(Date.now() / day) * day + day).toISOString();
    const from = new Date(Date.parse(to) - 30 * day).toISOString();
    const s = await call(h.url, "GET", `/admin/v1/stats?key_id=${id}&from=${from}&to=${to}&bucket=day`, ADMIN);
    expect(s.status).toBe(200);
    const busy = s.body.buckets.filter((b: { requests: number }) => b.requests > 0);
    expect(busy.reduce((a: number, b: { requests: number }) => a + b.requests, 0)).toBe(3);
    expect(busy[busy.length - 1].p50_latency_ms).toBeGreaterThan(0);
    expect(s.body.top.keys).toEqual([expect.objectContaining({ id, requests: 3 })]);
    expect(s.body.top.models[0]).toMatchObject({ model: "via-openai-chat", requests: 3 });
  });

  it("self-service: a minted key sees its own requests, stats and spend, and no other key's", async () => {
    const a = await mint(h, "self-a");
    const b = await mint(h, "self-b");
    for (const k of [a, b]) {
      const sdk = new OpenAI({ apiKey: k.key, baseURL: `${h.url}/v1`, maxRetries: 0 });
      await sdk.chat.completions.create({ model: "via-openai-chat", messages: [{ role: "user", content: "mine" }] });
    }
    const [rowA] = await rowsOf(h, a.id, 1);
    const [rowB] = await rowsOf(h, b.id, 1);
    const me = await call(h.url, "GET", "/admin/v1/me", a.key);
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ id: a.id, name: "self-a", budget: null, remaining_usd: null });
    expect(me.body.spend_usd).toBeGreaterThan(0);
    expect(me.body.key).toBeUndefined();
    const mine = await call(h.url, "GET", `/admin/v1/me/requests?key_id=${b.id}`, a.key);
    expect(mine.body.rows.map((r: { id: string }) => r.id)).toEqual([rowA.id]);
    expect(
      (await call(h.url, "GET", `/admin/v1/me/requests/${rowA.id}`, a.key)).body.conversation.messages,
    ).toHaveLength(1);
    expect((await call(h.url, "GET", `/admin/v1/me/requests/${rowB.id}`, a.key)).status).toBe(404);
    const stats = await call(h.url, "GET", "/admin/v1/me/stats", a.key);
    expect(stats.body.top.keys).toEqual([expect.objectContaining({ id: a.id, requests: 1 })]);
    const spend = await call(h.url, "GET", "/admin/v1/me/spend?group_by=key", a.key);
    expect(spend.body.rows.map((r: { group: string }) => r.group)).toEqual([a.id]);
    // Admin routes still refuse minted keys; self-service routes refuse admin, service and unknown keys.
    expect((await call(h.url, "GET", "/admin/v1/requests", a.key)).status).toBe(403);
    expect((await call(h.url, "GET", "/admin/v1/me", ADMIN)).status).toBe(403);
    expect((await call(h.url, "GET", "/admin/v1/me", SERVICE)).status).toBe(403);
    expect((await call(h.url, "GET", "/admin/v1/me", `lx-${"y".repeat(43)}`)).status).toBe(401);
    expect((await call(h.url, "GET", "/admin/v1/me")).status).toBe(401);
    await call(h.url, "DELETE", `/admin/v1/keys/${b.id}`, ADMIN);
    const revoked = await call(h.url, "GET", "/admin/v1/me", b.key);
    expect(revoked.status).toBe(401);
    expect(revoked.body.error.message).toMatch(/revoked|not a valid/);
  });
});
