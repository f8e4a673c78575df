/**
 * Callers llmux does not know: once keys are minted, a gateway without `auth.keys` refuses a request with no
 * key or an unknown key (it is no longer open). With pass-through, llmux's own admin and metrics keys are
 * never taken for a caller's own key.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { UNKNOWN_CALLER_ROWS_PER_MINUTE } from "../../src/requestlog/unknown-callers.js";
import { ENGINES, type TestLocation } from "../support/engines.js";
import { type Harness, startHarness } from "../support/gateway.js";
import { ADMIN, admin, CHAT, call, chat, teamHarness } from "../support/team.js";

describe.each(ENGINES)("a gateway without auth.keys on $engine", ({ fresh }) => {
  let where: TestLocation;
  let h: Harness;
  beforeAll(async () => {
    where = await fresh();
    h = await teamHarness(where, { auth: { keys: [] } });
  });
  afterAll(async () => {
    await h.close();
    await where.drop();
  });

  it("is open until a key is minted, then refuses no key and unknown keys with a 401", async () => {
    const from = h.mock.requests.length;
    expect((await call(h.url, "POST", "/v1/chat/completions", undefined, CHAT("via-openai-chat"))).status).toBe(200);
    const minted = await admin(h, "POST", "/keys", { name: "first" });
    expect(minted.status).toBe(201);
    const served = h.mock.requests.length;
    expect(served).toBe(from + 1);
    const none = await call(h.url, "POST", "/v1/chat/completions", undefined, CHAT("via-openai-chat"));
    expect(none.status).toBe(401);
    expect((await chat(h, "sk-not-an-llmux-key", "via-openai-chat")).status).toBe(401);
    expect((await chat(h, `lx-${"A".repeat(43)}`, "via-openai-chat")).status).toBe(401);
    expect(h.mock.requests.length).toBe(served);
    // The minted key is served, and refused again once revoked: the gateway stays closed.
    expect((await chat(h, minted.body.key, "via-openai-chat")).status).toBe(200);
    expect((await admin(h, "DELETE", `/keys/${minted.body.id}`)).status).toBe(200);
    expect((await chat(h, minted.body.key, "via-openai-chat")).status).toBe(401);
    expect((await call(h.url, "POST", "/v1/chat/completions", undefined, CHAT("via-openai-chat"))).status).toBe(401);
  });
});

describe.each([
  { how: "passthrough_providers", auth: { passthrough_providers: ["openai-chat"] } },
  { how: "passthrough", auth: { passthrough: true } },
])("llmux's own keys are never a caller's own key ($how)", ({ auth }) => {
  const METRICS = "metrics-key-0123456789abcdef";
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(() => ({ auth, admin: { keys: [ADMIN] }, metrics: { key: METRICS } }));
  });
  afterAll(() => h.close());

  it("an admin or metrics key on a client route is refused, never sent upstream", async () => {
    const from = h.mock.requests.length;
    for (const key of [ADMIN, METRICS]) expect((await chat(h, key, "via-openai-chat")).status).toBe(401);
    const sent = h.mock.requests.slice(from).map((r) => JSON.stringify(r.headers));
    expect(sent.filter((t) => t.includes(ADMIN) || t.includes(METRICS))).toEqual([]);
    // A caller's own key still goes through.
    expect((await chat(h, "sk-callers-own-key-0001", "via-openai-chat")).status).toBe(200);
  });
});

describe.each(ENGINES)("requests refused before their caller is known, on $engine", ({ fresh }) => {
  let where: TestLocation;
  let h: Harness;
  beforeAll(async () => {
    where = await fresh();
    h = await teamHarness(where);
  });
  afterAll(async () => {
    await h.close();
    await where.drop();
  });

  it("write a few request-log rows a minute, not one each; the metrics count every one", async () => {
    const n = 150;
    const started = Date.now();
    await Promise.all(Array.from({ length: n }, (_, i) => chat(h, i % 2 ? `sk-unknown-${i}` : "", "via-openai-chat")));
    // The rows are counted per minute from the first: a busy machine that takes over a minute for the 150
    // requests gives each minute they span its own rows.
    const minutes = 1 + Math.floor((Date.now() - started) / 60_000);
    await h.gateway.requestLog!.flush();
    const rows = (await admin(h, "GET", "/requests?limit=500")).body.rows as { status: number }[];
    const refused = rows.filter((r) => r.status === 401).length;
    expect(refused).toBeGreaterThan(0);
    expect(refused).toBeLessThanOrEqual(UNKNOWN_CALLER_ROWS_PER_MINUTE * minutes);
    expect(refused).toBeLessThan(n);
    const metrics = await (await fetch(`${h.url}/metrics`, { headers: { authorization: `Bearer ${ADMIN}` } })).text();
    const counted = metrics
      .split("\n")
      .filter((l) => l.startsWith("llmux_requests_total{") && l.includes('status="401"'))
      .reduce((sum, l) => sum + Number(l.split(" ").at(-1)), 0);
    expect(counted).toBe(n);
  });
});
