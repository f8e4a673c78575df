/**
 * The counts around the money, through the gateway on SQLite and PostgreSQL: a refused request is a refusal
 * (its own figure, never tokens, never a request served), listing models and signing in to the web UI are not
 * model calls (no ledger row, not in the stats; the request log tells them apart by method, path and kind),
 * and spend by model shows the model asked for beside the pattern that matched and the upstream model.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ENGINES, type TestLocation } from "../support/engines.js";
import type { Harness } from "../support/gateway.js";
import { admin, call, chat, teamHarness, within } from "../support/team.js";

describe.each(ENGINES)("counts that mean what they say on $engine", { timeout: 60_000 }, ({ fresh }) => {
  let where: TestLocation;
  let h: Harness;
  beforeAll(async () => {
    where = await fresh();
    h = await teamHarness(where, {
      models: { "claude-*": { provider: "anthropic" } },
    });
  }, 30_000);
  afterAll(async () => {
    await h.close();
    await where.drop();
  });

  it("counts refusals apart, never as tokens or requests served, in spend and in the stats", async () => {
    const broke = await admin(h, "POST", "/keys", { name: "broke", budget: { usd: 0.000000001, period: "day" } });
    const fine = await admin(h, "POST", "/keys", { name: "fine", models: ["via-openai-chat"] });
    // A budget refusal (the key has nothing to spend), an allow-list refusal, and one call let through.
    const big = { model: "via-openai-chat", messages: [{ role: "user", content: "x".repeat(8000) }] };
    expect((await call(h.url, "POST", "/v1/chat/completions", broke.body.key, big)).status).toBe(429);
    expect(
      (await call(h.url, "POST", "/v1/chat/completions", fine.body.key, { ...big, model: "via-anthropic" })).status,
    ).toBe(403);
    expect((await chat(h, fine.body.key, "via-openai-chat")).status).toBe(200);
    // A key nobody minted is refused too, and counted as a refusal in the stats.
    expect((await chat(h, "lx-not-a-key-at-all-0000000000", "via-openai-chat")).status).toBe(401);
    // The refusals and the served request are written apart (the served one's row can land last): wait until
    // each has landed — both keys' rows, their refusals and the one request served — then check them exactly.
    let spend: { body: { rows: Record<string, unknown>[] } } = { body: { rows: [] } };
    const landed = (r: Record<string, unknown> | undefined, requests: number) =>
      r !== undefined && (r.requests as number) >= requests && (r.refused as number) >= 1;
    expect(
      await within(30_000, async () => {
        spend = await admin(h, "GET", "/spend?group_by=key");
        const rows = Object.fromEntries(spend.body.rows.map((r) => [r.name, r]));
        return landed(rows.broke, 0) && landed(rows.fine, 1);
      }),
    ).toBe(true);
    expect(spend.body.rows).toHaveLength(2);
    const byName = Object.fromEntries(spend.body.rows.map((r) => [r.name, r]));
    expect(byName.broke).toMatchObject({ requests: 0, refused: 1, input_tokens: 0, output_tokens: 0, cost_nanos: 0 });
    expect(byName.fine).toMatchObject({ requests: 1, refused: 1 });
    // The one call let through: its prompt is a few tokens, not the 8,000-character prompts refused.
    expect(byName.fine!.input_tokens as number).toBeLessThan(100);
    expect(byName.fine!.input_tokens as number).toBeGreaterThan(0);
    let stats: { body: { buckets: { requests: number; refused: number; input_tokens: number }[] } } | undefined;
    expect(
      await within(30_000, async () => {
        stats = await admin(h, "GET", "/stats?bucket=hour");
        const refused = stats.body.buckets.reduce((a, b) => a + b.refused, 0);
        const served = stats.body.buckets.reduce((a, b) => a + b.requests, 0);
        return refused >= 3 && served >= 1;
      }),
    ).toBe(true);
    const buckets = stats!.body.buckets;
    expect(buckets.reduce((a, b) => a + b.requests, 0)).toBe(1);
    expect(buckets.reduce((a, b) => a + b.input_tokens, 0)).toBeLessThan(100);
  });

  it("keeps model lists and web UI sign-ins out of the ledger and the model counts", async () => {
    const k = await admin(h, "POST", "/keys", { name: "lister" });
    expect((await call(h.url, "GET", "/v1/models", k.body.key)).status).toBe(200);
    const signIn = await fetch(`${h.url}/ui/auth/key`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-llmux-ui": "1" },
      body: JSON.stringify({ key: k.body.key }),
    });
    expect(signIn.status).toBe(200);
    expect((await chat(h, k.body.key, "via-openai-chat")).status).toBe(200);
    let rows: Record<string, unknown>[] = [];
    expect(
      await within(30_000, async () => {
        rows = (await admin(h, "GET", `/requests?key_id=${k.body.id}`)).body.rows;
        return rows.length >= 2;
      }),
    ).toBe(true);
    // The model list is a row of the request log, told apart by its method, path and kind; no sign-in row.
    expect(rows.map((r) => [r.method, r.path, r.kind, r.model_call]).sort()).toEqual([
      ["GET", "/v1/models", "models", false],
      ["POST", "/v1/chat/completions", "generate", true],
    ]);
    const other = (await admin(h, "GET", `/requests?key_id=${k.body.id}&calls=other`)).body.rows;
    expect(other.map((r: { path: string }) => r.path)).toEqual(["/v1/models"]);
    const byPath = (await admin(h, "GET", `/requests?key_id=${k.body.id}&method=get&path=/v1/*`)).body.rows;
    expect(byPath.map((r: { path: string }) => r.path)).toEqual(["/v1/models"]);
    // Spend: one request, the model call (no `(none)` row of a model list). The ledger row is written apart
    // from the request log's: wait for it to land, then check it exactly.
    let spend: Record<string, unknown> | undefined;
    expect(
      await within(30_000, async () => {
        spend = (await admin(h, "GET", "/spend?group_by=key")).body.rows.find(
          (r: { group: string }) => r.group === k.body.id,
        );
        return spend !== undefined && (spend.requests as number) >= 1;
      }),
    ).toBe(true);
    expect(spend).toMatchObject({ requests: 1, refused: 0, name: "lister" });
    const stats = (await admin(h, "GET", `/stats?key_id=${k.body.id}&bucket=hour`)).body;
    expect(stats.buckets.reduce((a: number, b: { requests: number }) => a + b.requests, 0)).toBe(1);
  });

  it("shows spend by the model asked for, with the pattern that matched and the upstream model", async () => {
    const k = await admin(h, "POST", "/keys", { name: "patterned" });
    for (const model of ["claude-sonnet-4-5", "claude-sonnet-4-5", "claude-haiku-4-5"])
      expect((await chat(h, k.body.key, model)).status).toBe(200);
    let rows: Record<string, unknown>[] = [];
    expect(
      await within(30_000, async () => {
        rows = (await admin(h, "GET", "/spend?group_by=model")).body.rows.filter(
          (r: { alias: string }) => r.alias === "claude-*",
        );
        return rows.reduce((a, r) => a + (r.requests as number), 0) >= 3;
      }),
    ).toBe(true);
    expect(rows.map((r) => [r.group, r.alias, r.upstream_model, r.requests])).toEqual([
      ["claude-haiku-4-5", "claude-*", "claude-haiku-4-5", 1],
      ["claude-sonnet-4-5", "claude-*", "claude-sonnet-4-5", 2],
    ]);
  });
});
