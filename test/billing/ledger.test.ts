/** The spend ledger through the gateway, on SQLite and PostgreSQL: one row per minted-key request, whatever happened. */
import { randomBytes } from "node:crypto";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spendBy } from "../../src/billing/spend.js";
import { ENGINES, freshPostgres, type TestLocation } from "../support/engines.js";
import { type Harness, startHarness } from "../support/gateway.js";
import { type TcpProxy, tcpProxy } from "../support/tcp-proxy.js";
import { ADMIN, call, MASTER } from "../support/team.js";

async function rows(h: Harness) {
  const db = await h.gateway.team!.data.db();
  return db.selectFrom("ledger").selectAll().orderBy("at").execute();
}

async function until<T>(check: () => Promise<T | undefined>, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function mint(h: Harness, body: object = {}): Promise<{ key: string; id: string }> {
  const r = await call(h.url, "POST", "/admin/v1/keys", ADMIN, {
    name: `k-${randomBytes(3).toString("hex")}`,
    ...body,
  });
  expect(r.status).toBe(201);
  return { key: r.body.key, id: r.body.id };
}

describe.each(ENGINES)("the ledger on $engine", ({ fresh }) => {
  let where: TestLocation;
  let h: Harness;
  beforeAll(async () => {
    where = await fresh();
    h = await startHarness((mockUrl) => ({
      store: where.url ? { url: where.url } : { path: where.path },
      admin: { keys: [ADMIN] },
      secrets: { master_key: MASTER },
      providers: {
        slow: { type: "openai", base_url: `${mockUrl}/v1`, api_key: "x", api: "chat", timeout_ms: 300 },
      },
      models: { "via-slow": { provider: "slow", model: "gpt-4.1" } },
    }));
  }, 30_000);
  afterAll(async () => {
    await h.close();
    await where.drop();
  });

  it("writes one row each for a success, an upstream error, a client abort mid-stream and a timeout", async () => {
    const { key, id } = await mint(h);
    const sdk = new OpenAI({ apiKey: key, baseURL: `${h.url}/v1`, maxRetries: 0 });
    // Success, reported usage.
    await sdk.chat.completions.create({ model: "via-openai-chat", messages: [{ role: "user", content: "hello" }] });
    // Upstream error.
    h.mock.enqueue({ httpError: { status: 500, message: "boom" } });
    await expect(
      sdk.chat.completions.create({ model: "via-openai-chat", messages: [{ role: "user", content: "x" }] }),
    ).rejects.toThrow();
    // Abort mid-stream: a long, slow answer the client walks away from.
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
    expect(seen).toBeLessThan(50);
    const r = await until(async () => {
      const all = (await rows(h)).filter((x) => x.key_id === id);
      return all.length >= 3 ? all : undefined;
    });
    const outcomes = r.map((x) => x.outcome);
    expect(outcomes).toContain("ok");
    expect(outcomes).toContain("error");
    expect(outcomes).toContain("aborted");
    const ok = r.find((x) => x.outcome === "ok")!;
    expect(Number(ok.cost_nanos)).toBeGreaterThan(0);
    expect(ok.estimated).toBe(0);
    expect(ok.alias).toBe("via-openai-chat");
    expect(ok.model).toBe("gpt-4.1");
    expect(ok.client).toBe("openai-chat");
    const err = r.find((x) => x.outcome === "error")!;
    expect(Number(err.cost_nanos)).toBe(0);
    const aborted = r.find((x) => x.outcome === "aborted")!;
    // Counted up to the abort (estimated from what was streamed), never zero.
    expect(Number(aborted.output_tokens)).toBeGreaterThan(0);
    expect(Number(aborted.cost_nanos)).toBeGreaterThan(0);
    // Spend API: the same money, summed in the database.
    const spend = await call(h.url, "GET", "/admin/v1/spend?group_by=key", ADMIN);
    const mine = spend.body.rows.find((x: { group: string }) => x.group === id);
    const sum = r.reduce((a, x) => a + Number(x.cost_nanos), 0);
    expect(mine.cost_nanos).toBe(sum);
    expect(mine.requests).toBe(r.length);
    const shown = await call(h.url, "GET", `/admin/v1/keys/${id}`, ADMIN);
    expect(shown.body.spend_usd).toBe(sum / 1e9);
  });

  it.each([
    { route: "Anthropic passed through", client: "anthropic", model: "via-anthropic", reportsInput: true },
    {
      route: "Anthropic translated for a Chat client",
      client: "openai-chat",
      model: "via-anthropic",
      reportsInput: true,
    },
    { route: "Chat passed through", client: "openai-chat", model: "via-openai-chat", reportsInput: false },
    {
      route: "Gemini translated for an Anthropic client",
      client: "anthropic",
      model: "via-gemini",
      reportsInput: false,
    },
  ] as const)(
    "a stream aborted mid-way ($route) counts the input reported and the output streamed until the abort",
    async (c) => {
      const { key, id } = await mint(h);
      // 2,000 characters (500 tokens) in 8-character pieces: the client walks away after about 400.
      h.mock.enqueue({
        blocks: [{ type: "text", text: "abcd".repeat(500) }],
        usage: { input: 1234, output: 500 },
        chunkDelayMs: 5,
      });
      const ac = new AbortController();
      const anthropic = c.client === "anthropic";
      const res = await fetch(`${h.url}${anthropic ? "/v1/messages" : "/v1/chat/completions"}`, {
        method: "POST",
        signal: ac.signal,
        headers: { "content-type": "application/json", authorization: `Bearer ${key}`, "x-api-key": key },
        body: JSON.stringify({
          model: c.model,
          stream: true,
          max_tokens: 1000,
          messages: [{ role: "user", content: "a long answer please" }],
        }),
      });
      expect(res.status).toBe(200);
      let received = 0;
      const reader = res.body!.getReader();
      const dec = new TextDecoder();
      try {
        while (received < 400) {
          const { value, done } = await reader.read();
          if (done) break;
          for (const m of dec.decode(value, { stream: true }).matchAll(/"(?:text|content)":"([a-d]*)"/g))
            received += m[1]!.length;
        }
        ac.abort();
      } catch {
        // aborted
      }
      expect(received).toBeGreaterThanOrEqual(400);
      expect(received).toBeLessThan(2000);
      const [row] = await until(async () => {
        const all = (await rows(h)).filter((x) => x.key_id === id);
        return all.length >= 1 ? all : undefined;
      });
      expect(row!.outcome).toBe("aborted");
      expect(row!.estimated).toBe(1);
      // The output: at least what the client got, less than the whole answer.
      expect(Number(row!.output_tokens)).toBeGreaterThanOrEqual(Math.ceil(received / 4));
      expect(Number(row!.output_tokens)).toBeLessThan(500);
      if (c.reportsInput) expect(Number(row!.input_tokens)).toBe(1234);
      else expect(Number(row!.input_tokens)).toBeGreaterThan(0);
      expect(Number(row!.cost_nanos)).toBeGreaterThan(0);
    },
  );

  it("a timeout is a row too", async () => {
    const { key, id } = await mint(h);
    // The upstream answers after the provider's timeout_ms (300 ms).
    h.mock.enqueue({ blocks: [{ type: "text", text: "late" }], latencyMs: 3000 });
    const res = await fetch(`${h.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
      body: JSON.stringify({ model: "via-slow", messages: [{ role: "user", content: "x" }] }),
    });
    const text = await res.text();
    expect(res.status, text).toBeGreaterThanOrEqual(500);
    const r = await until(async () => {
      const all = (await rows(h)).filter((x) => x.key_id === id);
      return all.length >= 1 ? all : undefined;
    });
    expect(r).toHaveLength(1);
    expect(r[0]!.outcome).toBe("error");
    expect(r[0]!.status).toBe(504);
  });

  it("a model without a price costs 0 and is named in the spend report's no_price list", async () => {
    const { key, id } = await mint(h);
    const sdk = new OpenAI({ apiKey: key, baseURL: `${h.url}/v1`, maxRetries: 0 });
    await sdk.chat.completions.create({ model: "via-azure-chat", messages: [{ role: "user", content: "hi" }] });
    const r = await until(async () => {
      const all = (await rows(h)).filter((x) => x.key_id === id);
      return all.length >= 1 ? all : undefined;
    });
    expect(r[0]!.model).toBe("gpt-4o-deploy");
    expect(Number(r[0]!.cost_nanos)).toBe(0);
    const spend = await call(h.url, "GET", "/admin/v1/spend?group_by=model", ADMIN);
    expect(spend.status).toBe(200);
    const models = spend.body.no_price.map((m: { model: string }) => m.model);
    expect(models).toContain("gpt-4o-deploy");
    expect(models).not.toContain("gpt-4.1");
    expect(h.logs.filter((l) => String(l.msg).includes("no price for model 'gpt-4o-deploy'"))).toHaveLength(1);
  });

  it("a row has every column; spend groups by team and user, between from and to", async () => {
    const team = await call(h.url, "POST", "/admin/v1/teams", ADMIN, { name: `t-${randomBytes(3).toString("hex")}` });
    const user = `u-${randomBytes(3).toString("hex")}`;
    const { key, id } = await mint(h, { team_id: team.body.id, user });
    const sdk = new OpenAI({ apiKey: key, baseURL: `${h.url}/v1`, maxRetries: 0 });
    const before = Date.now();
    for (let i = 0; i < 2; i++)
      await sdk.chat.completions.create({ model: "via-anthropic", messages: [{ role: "user", content: `q${i}` }] });
    const r = await until(async () => {
      const all = (await rows(h)).filter((x) => x.key_id === id);
      return all.length >= 2 ? all : undefined;
    });
    expect(r[0]).toMatchObject({
      team_id: team.body.id,
      user_label: user,
      alias: "via-anthropic",
      provider: "anthropic",
      model: "claude-sonnet-4-5",
      client: "openai-chat",
      status: 200,
      outcome: "ok",
      estimated: 0,
    });
    expect(r[0]!.deployment).toBe("anthropic/claude-sonnet-4-5");
    expect(r[0]!.id).toMatch(/^req_/);
    expect(Number(r[0]!.at)).toBeGreaterThanOrEqual(before - 1000);
    expect(Number(r[0]!.input_tokens)).toBeGreaterThan(0);
    expect(Number(r[0]!.output_tokens)).toBeGreaterThan(0);
    expect(Number(r[0]!.latency_ms)).toBeGreaterThanOrEqual(Number(r[0]!.ttft_ms));
    const sum = r.reduce((a, x) => a + Number(x.cost_nanos), 0);
    const spend = async (q: string) => (await call(h.url, "GET", `/admin/v1/spend?${q}`, ADMIN)).body;
    const byTeam = await spend("group_by=team");
    expect(byTeam.rows.find((x: { group: string }) => x.group === team.body.id)).toMatchObject({
      requests: 2,
      cost_nanos: sum,
    });
    const byUser = await spend("group_by=user");
    expect(byUser.rows.find((x: { group: string }) => x.group === user)).toMatchObject({
      requests: 2,
      cost_nanos: sum,
    });
    const later = new Date(Date.now() + 60_000).toISOString();
    const earlier = new Date(before - 60_000).toISOString();
    expect((await spend(`group_by=user&from=${later}`)).rows.some((x: { group: string }) => x.group === user)).toBe(
      false,
    );
    expect((await spend(`group_by=user&to=${earlier}`)).rows.some((x: { group: string }) => x.group === user)).toBe(
      false,
    );
    expect(
      (await spend(`group_by=user&from=${earlier}&to=${later}`)).rows.some((x: { group: string }) => x.group === user),
    ).toBe(true);
    expect((await call(h.url, "GET", "/admin/v1/spend?group_by=user&from=yesterday", ADMIN)).status).toBe(400);
  });

  it("spend groups by model and day", async () => {
    const byModel = await spendBy(h.gateway.team!.data, "model", 0, Date.now() + 1000);
    expect(byModel.some((x) => x.group === "via-openai-chat" && x.requests >= 2)).toBe(true);
    const byDay = await spendBy(h.gateway.team!.data, "day", 0, Date.now() + 1000);
    expect(byDay.map((x) => x.group)).toContain(new Date().toISOString().slice(0, 10));
  });
});

describe("zero loss: PostgreSQL cut mid-load", () => {
  let where: TestLocation;
  let proxy: TcpProxy;
  let h: Harness;
  beforeAll(async () => {
    where = await freshPostgres();
    const url = new URL(where.url!);
    proxy = await tcpProxy("127.0.0.1", Number(url.port || 5432));
    url.port = String(proxy.port);
    url.hostname = "127.0.0.1";
    h = await startHarness(() => ({
      store: { url: url.toString(), path: where.path },
      admin: { keys: [ADMIN] },
      secrets: { master_key: MASTER },
    }));
  }, 30_000);
  afterAll(async () => {
    await h.close();
    await proxy.close();
    await where.drop();
  });

  it("keeps every row while the database is away and writes them when it returns; known keys keep working", async () => {
    const { key, id } = await mint(h);
    const send = async (n: number) => {
      const res = await fetch(`${h.url}/v1/chat/completions`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
        body: JSON.stringify({ model: "via-openai-chat", messages: [{ role: "user", content: `m${n}` }] }),
      });
      await res.text();
      return res.status;
    };
    const statuses: number[] = [];
    for (let i = 0; i < 40; i++) statuses.push(await send(i));
    proxy.cut();
    for (let i = 40; i < 120; i++) statuses.push(await send(i));
    // The key was known: it kept working while the database was unreachable.
    expect(statuses.every((s) => s === 200)).toBe(true);
    // The rows settled during the cut are spooled (not merely queued) before the database comes back.
    const spooled = /kept in .*ledger-\d+-[0-9a-f]+\.spool/;
    await until(async () => h.logs.some((l) => spooled.test(String(l.msg))) || undefined, 20_000);
    proxy.restore();
    for (let i = 120; i < 150; i++) statuses.push(await send(i));
    const all = await until(async () => {
      try {
        const r = (await rows(h)).filter((x) => x.key_id === id);
        return r.length >= 150 ? r : undefined;
      } catch {
        return undefined;
      }
    }, 20_000);
    expect(all).toHaveLength(150);
    expect(new Set(all.map((x) => x.id)).size).toBe(150);
    expect(h.logs.some((l) => /the ledger caught up/.test(String(l.msg)))).toBe(true);
  }, 60_000);
});
