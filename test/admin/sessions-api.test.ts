/**
 * `GET /admin/v1/sessions` and `/sessions/{id}` through the gateway, on SQLite and PostgreSQL: requests of a
 * main agent and two levels of sub-agents (llmux's own headers, as the launchers send them) and of another key;
 * the answers' totals equal the sums of the request log's own rows, the agents come as a tree, the self view
 * shows a key its own sessions only.
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ENGINES, type TestLocation } from "../support/engines.js";
import type { Body, Harness } from "../support/gateway.js";
import { admin, call, teamHarness, within } from "../support/team.js";

async function chatAs(h: Harness, key: string, headers: Record<string, string>, model = "via-anthropic") {
  const res = await fetch(`${h.url}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json", ...headers },
    body: JSON.stringify({ model, messages: [{ role: "user", content: "hello there" }] }),
  });
  await res.text();
  return res.status;
}

describe.each(ENGINES)("the sessions API on $engine", ({ fresh }) => {
  let where: TestLocation;
  let h: Harness;
  beforeAll(async () => {
    where = await fresh();
    h = await teamHarness(where, { prices: { "claude-sonnet-4-5": { input: 3, output: 15, cache_read: 0.3 } } });
  }, 30_000);
  afterAll(async () => {
    await h.close();
    await where.drop();
  });

  it("lists sessions with their sums, and one session with its agent tree, models and errors", async () => {
    const tag = randomBytes(3).toString("hex");
    const a = (await admin(h, "POST", "/keys", { name: `a-${tag}` })).body;
    const b = (await admin(h, "POST", "/keys", { name: `b-${tag}` })).body;
    const s1 = `s1-${tag}`;
    const s2 = `s2-${tag}`;
    const sent = [
      await chatAs(h, a.key, { "llmux-session": s1 }),
      await chatAs(h, a.key, { "llmux-session": s1, "llmux-agent": "sub1" }),
      await chatAs(h, a.key, { "llmux-session": s1, "llmux-agent": "sub2", "llmux-parent-agent": "sub1" }),
      await chatAs(h, a.key, { "llmux-session": s1, "llmux-agent": "sub2", "llmux-parent-agent": "sub1" }),
      await chatAs(h, a.key, { "llmux-session": s1 }, "no-such-model"),
      await chatAs(h, b.key, { "llmux-session": s2 }, "via-openai-chat"),
    ];
    expect(sent).toEqual([200, 200, 200, 200, 404, 200]);
    let rows: Body[] = [];
    expect(
      await within(10_000, async () => {
        rows = (await admin(h, "GET", `/requests?key_id=${a.id}&limit=100`)).body.rows ?? [];
        return rows.length === 5;
      }),
    ).toBe(true);
    await within(10_000, async () => (await admin(h, "GET", `/requests?key_id=${b.id}`)).body.rows?.length === 1);

    // The request log's rows name the session and agent, with each request's cache hit rate.
    expect(rows.map((r) => r.session_id)).toEqual([s1, s1, s1, s1, s1]);
    expect(rows.map((r) => r.agent_id).sort()).toEqual(["sub1", "sub2", "sub2", null, null].sort());
    for (const r of rows)
      expect(r.cache_hit_rate).toBe(r.input_tokens > 0 ? r.cache_read_tokens / r.input_tokens : null);

    const list = await admin(h, "GET", "/sessions?sort=cost");
    expect(list.status).toBe(200);
    const mine = list.body.rows.filter((r: Body) => r.id.endsWith(tag));
    expect(mine.map((r: Body) => r.id).sort()).toEqual([s1, s2]);
    const one = mine.find((r: Body) => r.id === s1);
    const sum = (k: string) => rows.reduce((x, r) => x + (r[k] as number), 0);
    expect(one).toMatchObject({ requests: 5, errors: 1, key_id: a.id, tool: null });
    expect(one.tokens.input).toBe(sum("input_tokens"));
    expect(one.tokens.output).toBe(sum("output_tokens"));
    expect(one.cost_usd).toBeCloseTo(sum("cost_usd"), 9);
    expect(one.cost_usd).toBeGreaterThan(0);
    expect((await admin(h, "GET", `/sessions?key_id=${b.id}`)).body.rows.map((r: Body) => r.id)).toEqual([s2]);
    expect((await admin(h, "GET", "/sessions?from=nonsense")).status).toBe(400);

    const d = await admin(h, "GET", `/sessions/${s1}`);
    expect(d.status).toBe(200);
    expect(d.body.agents.map((x: Body) => [x.id, x.parent_id, x.depth, x.requests])).toEqual([
      [null, null, 0, 2],
      ["sub1", null, 1, 1],
      ["sub2", "sub1", 2, 2],
    ]);
    expect(d.body.requests).toBe(5);
    expect(d.body.timeline).toHaveLength(5);
    expect(d.body.failures).toHaveLength(1);
    expect(d.body.failures[0].status).toBe(404);
    expect(d.body.models.reduce((x: number, m: Body) => x + m.requests, 0)).toBe(5);
    expect(d.body.cost_usd).toBeCloseTo(one.cost_usd, 12);
    expect(d.body.duration_ms).toBeGreaterThanOrEqual(0);
    expect((await admin(h, "GET", `/sessions/none-${tag}`)).status).toBe(404);

    // The self view: a key sees its own sessions, and nothing of another key's.
    const meA = await call(h.url, "GET", "/admin/v1/me/sessions", a.key);
    expect(meA.body.rows.map((r: Body) => r.id)).toEqual([s1]);
    expect((await call(h.url, "GET", `/admin/v1/me/sessions/${s2}`, a.key)).status).toBe(404);
    expect((await call(h.url, "GET", `/admin/v1/me/sessions/${s2}`, b.key)).body.timeline).toHaveLength(1);
    expect((await call(h.url, "GET", "/admin/v1/sessions", a.key)).status).toBe(403);
  });
});
