/**
 * Routing rules and soft budgets end to end, on SQLite with the in-process state and on PostgreSQL with
 * Redis: a sub-agent request from real Claude Code (a recorded body and its headers, with the sub-agent
 * header it adds) is served by the sub-agent rule's alias while the main loop keeps its model; a rule that
 * names an alias the key may not use is refused as that alias would be; a soft budget past `downgrade.at`
 * is served by the cheaper alias (llmux-route, llmux-warnings, the log row, the alert) and the budget still
 * refuses at its limit.
 */
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { explainRequest, requestFileOf } from "../../src/cli/route.js";
import { freshPostgres, freshSqlite, type TestLocation } from "../support/engines.js";
import type { Harness } from "../support/gateway.js";
import { ADMIN, admin, call, SERVICE, teamHarness, within } from "../support/team.js";
import { receiver } from "../support/webhook-receiver.js";

const REDIS = process.env.LLMUX_TEST_REDIS ?? "redis://127.0.0.1:6379";
const SETUPS = [
  { name: "SQLite, in-process state", fresh: freshSqlite, redis: false },
  { name: "PostgreSQL, Redis", fresh: freshPostgres, redis: true },
];

/** Claude Code 2.1.330's main-loop turn, as recorded (its body and headers). */
const FIXTURE = JSON.parse(
  readFileSync(
    join(
      import.meta.dirname,
      "../../../shared/fixtures/real-clients/claude-2.1.330-17-POST__v1_messages_stream_tools.json",
    ),
    "utf8",
  ),
) as { headers: Record<string, string>; body: Record<string, unknown> };

describe.each(SETUPS)("routing rules and soft budgets on $name", ({ fresh, redis }) => {
  let where: TestLocation;
  let h: Harness;
  let hook: Awaited<ReturnType<typeof receiver>>;
  const prefix = `llmux-test:${process.pid}:${randomBytes(4).toString("hex")}:`;
  beforeAll(async () => {
    where = await fresh();
    hook = await receiver();
    h = await teamHarness(where, {
      ...(redis ? { state: { url: REDIS, prefix } } : {}),
      prices: { "claude-sonnet-4-5": { input: 3, output: 15 }, "claude-haiku-4-5": { input: 1, output: 5 } },
      models: {
        "claude-*": { provider: "anthropic", model: "claude-sonnet-4-5" },
        cheap: { provider: "anthropic", model: "claude-haiku-4-5" },
        secret: { provider: "anthropic", model: "claude-opus-4-1" },
      },
      routing: {
        rules: [
          { name: "sub-agents", match: { client: "claude-code", agent: "sub" }, route: "cheap" },
          { name: "to-secret", match: { tag: "route=secret" }, route: "secret" },
        ],
      },
      // A soft budget: past half of it, requests go to `cheap`; at its limit, they are refused.
      tags: { "project=soft": { budget: { usd: 0.002, period: "month", downgrade: { at: 0.5, to: "cheap" } } } },
      alerts: {
        destinations: { ops: { type: "webhook", url: hook.url } },
        rules: [{ on: "budget_downgrade", to: ["ops"] }],
      },
    });
  }, 30_000);
  afterAll(async () => {
    await h?.close();
    hook?.server.close();
    await where?.drop();
  });

  /** Claude Code's recorded turn, sent as it sent it (with the service key), plus `extra` headers. */
  async function claudeCode(extra: Record<string, string> = {}) {
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(FIXTURE.headers))
      if (!["host", "content-length", "authorization", "x-api-key", "accept-encoding"].includes(k)) headers[k] = v;
    const from = h.mock.requests.length;
    const res = await fetch(`${h.url}/v1/messages?beta=true`, {
      method: "POST",
      headers: { ...headers, ...extra, "x-api-key": SERVICE },
      body: JSON.stringify(FIXTURE.body),
    });
    const text = await res.text();
    return { res, text, upstream: h.mock.requests.slice(from).map((r) => (r.body as { model?: string }).model) };
  }

  it("a sub-agent of real Claude Code is served by the sub-agent rule's alias; the main loop keeps its model", async () => {
    const main = await claudeCode();
    expect(main.res.status, main.text).toBe(200);
    expect(main.upstream).toEqual(["claude-sonnet-4-5"]);
    expect(main.res.headers.get("llmux-route")).toBe("anthropic/claude-sonnet-4-5 (pattern claude-*)");

    const sub = await claudeCode({ "x-claude-code-agent-id": "agent-7f3a", "x-claude-code-parent-agent-id": "main" });
    expect(sub.res.status, sub.text).toBe(200);
    expect(sub.upstream).toEqual(["claude-haiku-4-5"]);
    expect(sub.res.headers.get("llmux-route")).toBe(
      "anthropic/claude-haiku-4-5 (rule sub-agents: client claude-code, sub-agent)",
    );
    // The answer names the model Claude Code asked for.
    expect(sub.text).toContain(`"model":"${FIXTURE.body.model}"`);
    const id = sub.res.headers.get("x-request-id")!;
    let row: unknown;
    await within(10_000, async () => {
      const r = await call(h.url, "GET", `/admin/v1/requests/${id}`, ADMIN);
      row = r.body;
      return r.status === 200;
    });
    expect(row).toMatchObject({
      alias: "cheap",
      requested_model: FIXTURE.body.model,
      route: sub.res.headers.get("llmux-route"),
    });
  });

  it("a rule naming an alias the key may not use is refused as that alias would be", async () => {
    const k = await admin(h, "POST", "/keys", {
      name: `claude-only-${randomBytes(3).toString("hex")}`,
      models: ["claude-*"],
    });
    expect(k.status).toBe(201);
    const ask = (model: string, tags?: string) =>
      fetch(`${h.url}/v1/messages`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "x-api-key": k.body.key,
          ...(tags ? { "llmux-tags": tags } : {}),
        },
        body: JSON.stringify({ model, max_tokens: 16, messages: [{ role: "user", content: "hi" }] }),
      }).then(async (r) => ({
        status: r.status,
        body: (await r.json()) as { error: { type: string; message: string } },
      }));
    const from = h.mock.requests.length;
    const direct = await ask("secret");
    const ruled = await ask("claude-sonnet-4-5", "route=secret");
    expect(direct.status).toBe(403);
    expect(ruled.status).toBe(direct.status);
    expect(ruled.body.error.type).toBe(direct.body.error.type);
    expect(ruled.body.error.message).toContain("The model 'secret' is not allowed for this API key");
    expect(ruled.body.error.message).toContain("routing rule 'to-secret'");
    expect(h.mock.requests.length).toBe(from);
    // Without the tag, the key's own model.
    expect((await ask("claude-sonnet-4-5")).status).toBe(200);
  });

  it("llmux route --explain says what the gateway then does, request by request", async () => {
    const k = await admin(h, "POST", "/keys", {
      name: `explained-${randomBytes(3).toString("hex")}`,
      models: ["claude-*"],
    });
    const agent = { "x-claude-code-agent-id": "agent-9", "x-claude-code-parent-agent-id": "main" };
    const cases: { key: string; path: string; headers: Record<string, string>; body: Record<string, unknown> }[] = [
      { key: SERVICE, path: "/v1/messages?beta=true", headers: FIXTURE.headers, body: FIXTURE.body },
      { key: SERVICE, path: "/v1/messages?beta=true", headers: { ...FIXTURE.headers, ...agent }, body: FIXTURE.body },
      {
        key: SERVICE,
        path: "/v1/chat/completions",
        headers: {},
        body: { model: "CHEAP", messages: [{ role: "user", content: "hi" }] },
      },
      {
        key: k.body.key,
        path: "/v1/messages",
        headers: { "llmux-tags": "route=secret" },
        body: { model: "claude-x", max_tokens: 8, messages: [{ role: "user", content: "hi" }] },
      },
      {
        key: k.body.key,
        path: "/v1/messages",
        headers: {},
        body: { model: "secret", max_tokens: 8, messages: [{ role: "user", content: "hi" }] },
      },
    ];
    const said: string[] = [];
    for (const c of cases) {
      const file = requestFileOf(JSON.stringify({ url: c.path, headers: c.headers, body: c.body }));
      const told = await explainRequest(h.gateway.config, file, c.key);
      said.push(told.route ?? `refused ${told.refused?.status}`);
      const headers: Record<string, string> = { "content-type": "application/json", authorization: `Bearer ${c.key}` };
      for (const [n, v] of Object.entries(c.headers))
        if (!["host", "content-length", "authorization", "x-api-key", "accept-encoding"].includes(n)) headers[n] = v;
      const res = await fetch(`${h.url}${c.path}`, { method: "POST", headers, body: JSON.stringify(c.body) });
      await res.text();
      if (told.refused) {
        expect(res.status, JSON.stringify(told)).toBe(told.refused.status);
      } else {
        expect(res.status).toBe(200);
        expect(res.headers.get("llmux-route"), JSON.stringify(told)).toBe(told.route);
      }
    }
    expect(said).toEqual([
      "anthropic/claude-sonnet-4-5 (pattern claude-*)",
      "anthropic/claude-haiku-4-5 (rule sub-agents: client claude-code, sub-agent)",
      "anthropic/claude-haiku-4-5 (alias cheap, asked as CHEAP)",
      "refused 403",
      "refused 403",
    ]);
  });

  it("the admin API reads and replaces the rules (refused with the field named, audited), and the gateway routes by them at once", async () => {
    const before = await admin(h, "GET", "/routing/rules");
    expect(before.status).toBe(200);
    expect(before.body).toMatchObject({ source: "config", version: 0 });
    expect(before.body.rules.map((r: { name: string }) => r.name)).toEqual(["sub-agents", "to-secret"]);
    const bad = await admin(h, "POST", "/routing/rules", { rules: [{ name: "x", match: {}, route: "nowhere" }] });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain("rules.0.route: no model alias named 'nowhere'");
    const badMatch = await admin(h, "POST", "/routing/rules", {
      rules: [{ name: "x", match: { input_tokens: "lots" }, route: "cheap" }],
    });
    expect(badMatch.status).toBe(400);
    const rules = [{ name: "thinking", match: { reasoning: true }, route: "cheap" }];
    const put = await admin(h, "POST", "/routing/rules", { rules });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    expect(put.body).toMatchObject({ source: "stored", version: 1, rules: [{ name: "thinking", route: "cheap" }] });
    const ask = (thinking: boolean) =>
      fetch(`${h.url}/v1/messages`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-api-key": SERVICE },
        body: JSON.stringify({
          model: "claude-sonnet-4-5",
          max_tokens: 2000,
          ...(thinking ? { thinking: { type: "enabled", budget_tokens: 1024 } } : {}),
          messages: [{ role: "user", content: "hi" }],
        }),
      }).then(async (r) => {
        await r.text();
        return r.headers.get("llmux-route");
      });
    expect(await ask(true)).toBe("anthropic/claude-haiku-4-5 (rule thinking: reasoning (minimal))");
    expect(await ask(false)).toBe("anthropic/claude-sonnet-4-5 (pattern claude-*)");
    const audit = await admin(h, "GET", "/audit?action=routing_rules.update");
    expect(audit.status).toBe(200);
    // The change with what it replaced, and the two refusals with their reasons (newest first).
    expect(audit.body.rows).toHaveLength(3);
    expect(audit.body.rows[0]).toMatchObject({
      outcome: "ok",
      target_type: "routing_rules",
      before: { source: "config", version: 0 },
      after: { source: "stored", version: 1, rules },
    });
    expect(audit.body.rows[1]).toMatchObject({
      outcome: "refused",
      reason: expect.stringContaining("rules.0.match.input_tokens"),
    });
    expect(audit.body.rows[2]).toMatchObject({
      outcome: "refused",
      reason: "rules.0.route: no model alias named 'nowhere'",
    });
    // Back to the first rules, for the tests after this one.
    const back = await admin(h, "POST", "/routing/rules", { rules: before.body.rules });
    expect(back.status).toBe(200);
    expect(back.body.version).toBe(2);
  });

  it("a soft budget: past downgrade.at served by the cheaper alias (said so, alerted once), then refused at its limit", async () => {
    const statuses: number[] = [];
    const routes: string[] = [];
    const warnings: string[] = [];
    const models: (string | undefined)[] = [];
    for (let i = 0; i < 40 && !statuses.includes(429); i++) {
      const from = h.mock.requests.length;
      const res = await fetch(`${h.url}/v1/chat/completions`, {
        method: "POST",
        headers: {
          authorization: `Bearer ${SERVICE}`,
          "content-type": "application/json",
          "llmux-tags": "project=soft",
        },
        body: JSON.stringify({
          model: "claude-sonnet-4-5",
          max_tokens: 16,
          messages: [{ role: "user", content: "a ".repeat(60) }],
        }),
      });
      const body = (await res.json()) as { model?: string };
      statuses.push(res.status);
      routes.push(res.headers.get("llmux-route") ?? "");
      warnings.push(res.headers.get("llmux-warnings") ?? "");
      models.push((h.mock.requests[from]?.body as { model?: string } | undefined)?.model);
      if (res.status === 200) expect(body.model).toBe("claude-sonnet-4-5");
    }
    // Served by the dear model first, then by the cheap one, then refused by the hard limit.
    expect(statuses[0]).toBe(200);
    expect(models[0]).toBe("claude-sonnet-4-5");
    const firstDown = routes.findIndex((r) => r.includes("downgraded to cheap"));
    expect(firstDown).toBeGreaterThan(0);
    expect(models[firstDown]).toBe("claude-haiku-4-5");
    expect(routes[firstDown]).toMatch(
      /^anthropic\/claude-haiku-4-5 \(downgraded to cheap: tag project=soft has spent \d+% of its month budget of \$0\.002 \(downgrade at 50%\); was pattern claude-\*\)$/,
    );
    expect(warnings[firstDown]).toMatch(
      /^Served by 'cheap' instead of 'claude-sonnet-4-5': tag project=soft has spent \d+% of its month budget\.$/,
    );
    const refusedAt = statuses.indexOf(429);
    expect(refusedAt).toBeGreaterThan(firstDown);
    expect(statuses.slice(firstDown, refusedAt).every((s) => s === 200)).toBe(true);
    expect(routes.slice(firstDown, refusedAt).every((r) => r.includes("downgraded to cheap"))).toBe(true);
    expect(routes.slice(0, firstDown).every((r) => !r.includes("downgraded"))).toBe(true);
    // The alert: once, when the tag started being downgraded.
    await within(10_000, async () => hook.got.length > 0);
    await new Promise((r) => setTimeout(r, 300));
    const alerts = hook.got.map((g) => JSON.parse(g.body) as { rule: string; id: string; message: string });
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ rule: "budget_downgrade", id: "project=soft" });
    expect(alerts[0]!.message).toContain("now served by 'cheap'");
  }, 60_000);
});
