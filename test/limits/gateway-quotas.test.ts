/**
 * Budgets and rate limits as a client meets them through the gateway, in every dialect, with the official
 * SDKs where there is one: on the embedded default (SQLite, in-process state) and on PostgreSQL with Redis.
 */
import { randomBytes } from "node:crypto";
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freshPostgres, freshSqlite, type TestLocation } from "../support/engines.js";
import { type Harness, startHarness } from "../support/gateway.js";
import { ADMIN, call, MASTER } from "../support/team.js";

const REDIS = process.env.LLMUX_TEST_REDIS ?? "redis://127.0.0.1:6379";
const SETUPS = [
  { name: "SQLite, in-process state", fresh: freshSqlite, redis: false },
  { name: "PostgreSQL, Redis", fresh: freshPostgres, redis: true },
];

async function until<T>(check: () => Promise<T | undefined>, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe.each(SETUPS)("quotas through the gateway on $name", ({ fresh, redis }) => {
  let where: TestLocation;
  let h: Harness;
  beforeAll(async () => {
    where = await fresh();
    h = await startHarness(() => ({
      store: where.url ? { url: where.url } : { path: where.path },
      ...(redis
        ? { state: { url: REDIS, prefix: `llmux-test:${process.pid}:${randomBytes(4).toString("hex")}:` } }
        : {}),
      admin: { keys: [ADMIN] },
      secrets: { master_key: MASTER },
      billing: { users: { carol: { budget: { usd: 0.000001, period: "month" } } } },
    }));
  }, 30_000);
  afterAll(async () => {
    await h.close();
    await where.drop();
  });

  const mint = async (body: object = {}): Promise<{ key: string; id: string }> => {
    const r = await call(h.url, "POST", "/admin/v1/keys", ADMIN, {
      name: `q-${randomBytes(4).toString("hex")}`,
      ...body,
    });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    return { key: r.body.key, id: r.body.id };
  };
  const gemini = (key: string, text = "hi") =>
    fetch(`${h.url}/v1beta/models/via-openai-chat:generateContent`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-goog-api-key": key },
      body: JSON.stringify({ contents: [{ role: "user", parts: [{ text }] }] }),
    });

  it("rpm: 429 in each dialect with retry-after and the rate-limit headers its tools read", async () => {
    const chatKey = (await mint({ limits: { rpm: 1 } })).key;
    const openai = new OpenAI({ apiKey: chatKey, baseURL: `${h.url}/v1`, maxRetries: 0 });
    await openai.chat.completions.create({ model: "via-openai-chat", messages: [{ role: "user", content: "a" }] });
    const chatErr = await openai.chat.completions
      .create({ model: "via-openai-chat", messages: [{ role: "user", content: "b" }] })
      .catch((e: unknown) => e);
    expect(chatErr).toBeInstanceOf(OpenAI.RateLimitError);
    const ce = chatErr as InstanceType<typeof OpenAI.RateLimitError>;
    expect(ce.code).toBe("rate_limit_exceeded");
    expect(Number(ce.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(ce.headers.get("x-ratelimit-limit-requests")).toBe("1");
    expect(ce.headers.get("x-ratelimit-remaining-requests")).toBe("0");
    expect(ce.headers.get("x-ratelimit-reset-requests")).toMatch(/^\d+s$/);

    const respKey = (await mint({ limits: { rpm: 1 } })).key;
    const responses = new OpenAI({ apiKey: respKey, baseURL: `${h.url}/v1`, maxRetries: 0 });
    await responses.responses.create({ model: "via-azure-responses", input: "a" });
    const respErr = await responses.responses
      .create({ model: "via-azure-responses", input: "b" })
      .catch((e: unknown) => e);
    expect(respErr).toBeInstanceOf(OpenAI.RateLimitError);
    expect((respErr as InstanceType<typeof OpenAI.RateLimitError>).headers.get("x-ratelimit-limit-requests")).toBe("1");

    const anKey = (await mint({ limits: { rpm: 1 } })).key;
    const anthropic = new Anthropic({ apiKey: anKey, baseURL: h.url, maxRetries: 0 });
    const msg = { model: "via-anthropic", max_tokens: 50, messages: [{ role: "user" as const, content: "a" }] };
    await anthropic.messages.create(msg);
    const anErr = await anthropic.messages.create(msg).catch((e: unknown) => e);
    expect(anErr).toBeInstanceOf(Anthropic.RateLimitError);
    const ae = anErr as InstanceType<typeof Anthropic.RateLimitError>;
    expect((ae.error as { error?: { type?: string } }).error?.type).toBe("rate_limit_error");
    expect(Number(ae.headers?.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(ae.headers?.get("anthropic-ratelimit-requests-limit")).toBe("1");
    expect(ae.headers?.get("anthropic-ratelimit-requests-remaining")).toBe("0");
    expect(Date.parse(ae.headers?.get("anthropic-ratelimit-requests-reset") ?? "")).toBeGreaterThan(Date.now() - 1000);

    const geKey = (await mint({ limits: { rpm: 1 } })).key;
    expect((await gemini(geKey)).status).toBe(200);
    const refused = await gemini(geKey);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(((await refused.json()) as { error: { status: string } }).error.status).toBe("RESOURCE_EXHAUSTED");
  });

  it("concurrency: a second request while one is in flight is refused; it fits once the first is done", async () => {
    const { key } = await mint({ limits: { concurrency: 1 } });
    const openai = new OpenAI({ apiKey: key, baseURL: `${h.url}/v1`, maxRetries: 0 });
    h.mock.enqueue({ blocks: [{ type: "text", text: "slow" }], latencyMs: 800 });
    const slow = openai.chat.completions.create({
      model: "via-openai-chat",
      messages: [{ role: "user", content: "a" }],
    });
    await new Promise((r) => setTimeout(r, 300));
    const second = await openai.chat.completions
      .create({ model: "via-openai-chat", messages: [{ role: "user", content: "b" }] })
      .catch((e: unknown) => e);
    expect(second).toBeInstanceOf(OpenAI.RateLimitError);
    expect((second as Error).message).toMatch(/1 concurrent requests/);
    await slow;
    await openai.chat.completions.create({ model: "via-openai-chat", messages: [{ role: "user", content: "c" }] });
  });

  it("an exhausted budget: each dialect's don't-retry error, naming the budget and when it resets", async () => {
    const { key } = await mint({ budget: { usd: 0.000001, period: "day" } });
    const marker = `exhausted-${randomBytes(4).toString("hex")}`;
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    const openai = new OpenAI({ apiKey: key, baseURL: `${h.url}/v1`, maxRetries: 0 });
    const chatErr = (await openai.chat.completions
      .create({ model: "via-openai-chat", messages: [{ role: "user", content: marker }] })
      .catch((e: unknown) => e)) as InstanceType<typeof OpenAI.APIError>;
    expect(chatErr.status).toBe(429);
    expect(chatErr.code).toBe("insufficient_quota");
    expect(chatErr.message).toMatch(new RegExp(`daily budget of \\$0\\.000001; it resets at ${tomorrow}T00:00:00`));
    const respErr = (await openai.responses
      .create({ model: "via-azure-responses", input: marker })
      .catch((e: unknown) => e)) as InstanceType<typeof OpenAI.APIError>;
    expect([respErr.status, respErr.code]).toEqual([429, "insufficient_quota"]);
    const anthropic = new Anthropic({ apiKey: key, baseURL: h.url, maxRetries: 0 });
    const anErr = (await anthropic.messages
      .create({ model: "via-anthropic", max_tokens: 50, messages: [{ role: "user", content: marker }] })
      .catch((e: unknown) => e)) as InstanceType<typeof Anthropic.APIError>;
    expect(anErr.status).toBe(402);
    expect((anErr.error as { error?: { type?: string } }).error?.type).toBe("billing_error");
    // Nothing spent, but a budget smaller than one request: it says so (not "exhausted").
    expect(anErr.message).toMatch(
      /Budget nearly exhausted: this API key has spent \$0\.00 .* it resets at .* does not fit/,
    );
    const ge = await gemini(key, marker);
    expect(ge.status).toBe(403);
    expect(((await ge.json()) as { error: { status: string; message: string } }).error).toMatchObject({
      status: "PERMISSION_DENIED",
      message: expect.stringMatching(/Budget nearly exhausted/),
    });
    // The refusal says not to retry it (`x-should-retry: false`): each SDK, left its default retries, sends the
    // request once.
    expect(chatErr.headers?.get("x-should-retry")).toBe("false");
    let sent = 0;
    const counted: typeof fetch = (input, init) => {
      sent++;
      return fetch(input, init);
    };
    const openaiRetrying = new OpenAI({ apiKey: key, baseURL: `${h.url}/v1`, fetch: counted });
    const again = await openaiRetrying.chat.completions
      .create({ model: "via-openai-chat", messages: [{ role: "user", content: marker }] })
      .catch((e: unknown) => e);
    expect([(again as InstanceType<typeof OpenAI.APIError>).status, sent]).toEqual([429, 1]);
    const anthropicRetrying = new Anthropic({ apiKey: key, baseURL: h.url, fetch: counted });
    const anAgain = await anthropicRetrying.messages
      .create({ model: "via-anthropic", max_tokens: 50, messages: [{ role: "user", content: marker }] })
      .catch((e: unknown) => e);
    expect([(anAgain as InstanceType<typeof Anthropic.APIError>).status, sent]).toEqual([402, 2]);
    // Nothing went upstream for any of them.
    expect(h.mock.requests.filter((r) => JSON.stringify(r.body).includes(marker))).toHaveLength(0);
  });

  it("a team's budget binds its keys, and a user's budget (billing.users) every key of that user", async () => {
    const team = await call(h.url, "POST", "/admin/v1/teams", ADMIN, {
      name: `t-${randomBytes(3).toString("hex")}`,
      budget: { usd: 0.000001, period: "week" },
    });
    expect(team.status).toBe(201);
    const inTeam = await mint({ team_id: team.body.id });
    const r1 = await call(h.url, "POST", "/v1/chat/completions", inTeam.key, {
      model: "via-openai-chat",
      messages: [{ role: "user", content: "x" }],
    });
    expect(r1.status).toBe(429);
    expect(r1.body.error.code).toBe("insufficient_quota");
    expect(r1.body.error.message).toMatch(/this team has spent .* of its weekly budget/);
    const carols = [await mint({ user: "carol" }), await mint({ user: "carol" })];
    for (const k of carols) {
      const r = await call(h.url, "POST", "/v1/chat/completions", k.key, {
        model: "via-openai-chat",
        messages: [{ role: "user", content: "x" }],
      });
      expect(r.status).toBe(429);
      expect(r.body.error.message).toMatch(/this user has spent .* of its monthly budget/);
    }
    // Someone else's key is not bound by either.
    const other = await mint({ user: "dave" });
    expect(
      (
        await call(h.url, "POST", "/v1/chat/completions", other.key, {
          model: "via-openai-chat",
          messages: [{ role: "user", content: "x" }],
        })
      ).status,
    ).toBe(200);
  });

  it("the key's answer shows its spend, what is left, when it resets and the soft alert", async () => {
    const { key, id } = await mint({ budget: { usd: 1, period: "month" } });
    const openai = new OpenAI({ apiKey: key, baseURL: `${h.url}/v1`, maxRetries: 0 });
    await openai.chat.completions.create({ model: "via-openai-chat", messages: [{ role: "user", content: "hello" }] });
    const spent = await until(async () => {
      const r = await call(h.url, "GET", `/admin/v1/keys/${id}`, ADMIN);
      return r.body.spend_usd > 0 ? (r.body.spend_usd as number) : undefined;
    });
    const before = await call(h.url, "GET", `/admin/v1/keys/${id}`, ADMIN);
    expect(before.body.budget_remaining_usd).toBeCloseTo(1 - spent, 9);
    expect(before.body.budget_alert).toMatchObject({ at: 0.8, reached: false });
    const month = new Date();
    const next = new Date(Date.UTC(month.getUTCFullYear(), month.getUTCMonth() + 1, 1)).toISOString();
    expect(before.body.budget_resets_at).toBe(next);
    // A budget the spend is 90% of: the alert is reached.
    expect(
      (await call(h.url, "PATCH", `/admin/v1/keys/${id}`, ADMIN, { budget: { usd: spent / 0.9, period: "month" } }))
        .status,
    ).toBe(200);
    const after = await call(h.url, "GET", `/admin/v1/keys/${id}`, ADMIN);
    expect(after.body.budget_alert.reached).toBe(true);
    expect(after.body.budget_alert.spent_share).toBeGreaterThan(0.8);
    expect(after.body.budget_alert.spent_share).toBeLessThan(1);
  });
});
