/**
 * No key reaches a model its allow-lists do not admit, whatever the spelling: exact aliases, patterns and
 * allow-lists follow one case rule, and the allow-list is checked against the alias that resolved. A signup
 * key reaches only the provider it brought a key for.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ENGINES, type TestLocation } from "../support/engines.js";
import type { Harness } from "../support/gateway.js";
import { admin, call, chat, SERVICE, teamHarness } from "../support/team.js";

/** An upstream that accepts any key on GET /v1/models (a signup's check) and nothing else. */
async function modelsOnly(): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    if (req.method === "GET" && req.url === "/v1/models") res.writeHead(200).end('{"data":[]}');
    else res.writeHead(404).end("{}");
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

describe.each(ENGINES)("allow-lists on $engine", ({ fresh }) => {
  let where: TestLocation;
  let h: Harness;
  let byo: Awaited<ReturnType<typeof modelsOnly>>;
  beforeAll(async () => {
    where = await fresh();
    byo = await modelsOnly();
    h = await teamHarness(where, (mock) => ({
      auth: { keys: [SERVICE], passthrough_providers: ["openai-chat"] },
      signup: { enabled: true, providers: ["byo"] },
      providers: {
        cheap: { type: "anthropic", base_url: mock, api_key: "cheap-provider-key" },
        dear: { type: "anthropic", base_url: mock, api_key: "dear-provider-key" },
        byo: { type: "anthropic", base_url: byo.url },
        down: { type: "openai-compatible", base_url: "http://127.0.0.1:9/v1", api_key: "down-key" },
      },
      models: {
        "claude-haiku": { provider: "cheap", model: "claude-haiku-4-5" },
        "claude-*": { provider: "dear" },
        "byo-*": { provider: "byo" },
        "byo-opus": { provider: "dear", model: "claude-opus-4-1" },
        primary: { provider: "down", model: "gpt-4.1-nano", fallbacks: ["premium"] },
        premium: { provider: "dear", model: "claude-opus-4-1" },
      },
    }));
  });
  afterAll(async () => {
    await h.close();
    await new Promise<void>((r) => byo.server.close(() => r()));
    await where.drop();
  });

  /** The provider keys the upstream saw since `from`. */
  const keysSeen = (from: number) => h.mock.requests.slice(from).map((r) => r.headers["x-api-key"]);

  it("a key limited to an alias asking for it in another case is not served by a pattern of another provider", async () => {
    const minted = await admin(h, "POST", "/keys", { name: "haiku-only", models: ["claude-haiku"] });
    expect(minted.status).toBe(201);
    const from = h.mock.requests.length;
    for (const model of ["CLAUDE-HAIKU", "Claude-Haiku", "claude-haiku"]) {
      const r = await chat(h, minted.body.key, model);
      expect([200, 403]).toContain(r.status);
    }
    expect(keysSeen(from).filter((k) => k === "dear-provider-key")).toEqual([]);
    expect(keysSeen(from).length).toBeGreaterThan(0);
    // A name only the pattern serves stays refused, whatever its case.
    expect((await chat(h, minted.body.key, "CLAUDE-OPUS-4-1")).status).toBe(403);
    expect((await chat(h, minted.body.key, "claude-haiku-4-5")).status).toBe(403);
  });

  const count = (key: string, model: string) =>
    call(h.url, "POST", "/v1/messages/count_tokens", key, { model, messages: [{ role: "user", content: "hi" }] });
  const geminiCount = (key: string, model: string) =>
    fetch(`${h.url}/v1beta/models/${model}:countTokens`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-goog-api-key": key },
      body: JSON.stringify({ contents: [{ role: "user", parts: [{ text: "hi" }] }] }),
    });

  it("count_tokens and countTokens are held to the allow-list, rpm and the caller's providers", async () => {
    const minted = await admin(h, "POST", "/keys", {
      name: "haiku-counter",
      models: ["claude-haiku"],
      limits: { rpm: 2 },
    });
    expect(minted.status).toBe(201);
    const from = h.mock.requests.length;
    expect((await count(minted.body.key, "claude-opus-4-1")).status).toBe(403);
    expect((await geminiCount(minted.body.key, "via-gemini")).status).toBe(403);
    expect(keysSeen(from)).toEqual([]);
    expect((await count(minted.body.key, "claude-haiku")).status).toBe(200);
    expect((await count(minted.body.key, "claude-haiku")).status).toBe(200);
    expect((await count(minted.body.key, "claude-haiku")).status).toBe(429);
    // A caller's own key (pass-through for openai-chat only) is never sent to Anthropic or Gemini.
    const own = "sk-callers-own-openai-key-0001";
    expect((await count(own, "claude-haiku")).status).toBe(403);
    expect((await geminiCount(own, "via-gemini")).status).toBe(403);
    const sent = h.mock.requests.slice(from).map((r) => JSON.stringify(r.headers));
    expect(sent.filter((t) => t.includes(own))).toEqual([]);
  });

  const ask = (key: string, model: string) =>
    call(h.url, "POST", "/v1/chat/completions", key, {
      model,
      max_tokens: 4000,
      messages: [{ role: "user", content: "hi" }],
    });

  it("a fallback alias is checked against the key's and the team's allow-lists", async () => {
    const team = await admin(h, "POST", "/teams", { name: "primary-only", models: ["primary"] });
    expect(team.status).toBe(201);
    const byKey = await admin(h, "POST", "/keys", { name: "primary-key", models: ["primary"] });
    const byTeam = await admin(h, "POST", "/keys", { name: "primary-team", team_id: team.body.id });
    const both = await admin(h, "POST", "/keys", { name: "both", models: ["primary", "premium"] });
    const from = h.mock.requests.length;
    for (const k of [byKey, byTeam]) expect((await ask(k.body.key, "primary")).status).toBeGreaterThanOrEqual(400);
    expect(keysSeen(from)).toEqual([]);
    // Allowed both, the fallback serves.
    expect((await ask(both.body.key, "primary")).status).toBe(200);
    expect(keysSeen(from)).toEqual(["dear-provider-key"]);
  });

  it("a fallback alias is reserved at its own price", async () => {
    // $0.05 holds the first alias's reservation (4,000 output tokens of gpt-4.1-nano), not the fallback's (Opus).
    const k = await admin(h, "POST", "/keys", {
      name: "small-budget",
      models: ["primary", "premium"],
      budget: { usd: 0.05, period: "total" },
    });
    expect(k.status).toBe(201);
    const from = h.mock.requests.length;
    expect((await ask(k.body.key, "primary")).status).toBeGreaterThanOrEqual(400);
    expect(keysSeen(from)).toEqual([]);
  });

  it("a signup key reaches only the provider it brought a key for", async () => {
    const signed = await call(h.url, "POST", "/v1/signup", undefined, {
      provider: "byo",
      api_key: "sk-brought-by-caller-0001",
    });
    expect(signed.status).toBe(201);
    const from = h.mock.requests.length;
    // `byo-opus` matches the signup key's `byo-*` but is served by the operator's provider.
    const r = await chat(h, signed.body.key, "byo-opus");
    expect(r.status).toBe(403);
    expect(JSON.stringify(r.body)).toContain("byo");
    expect(keysSeen(from)).toEqual([]);
  });
});
