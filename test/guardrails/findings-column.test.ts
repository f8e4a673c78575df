/**
 * The guardrails' findings on the request-log row as a column of their own (131_guardrail_findings), on SQLite
 * and on PostgreSQL: written at settle for a mask, a block and a dry run (rule, group, place, action, dry run;
 * never the value), answered by the requests API, and what the Guardrails view counts (a row whose warnings
 * and reason say nothing is still counted by its column).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ENGINES, type TestLocation } from "../support/engines.js";
import { type Harness, startHarness } from "../support/gateway.js";
import { ADMIN, admin } from "../support/team.js";
import { messagesCall } from "./bodies.js";
import { planted } from "./planted.js";

const AWS = planted("column").find((p) => p.rule === "aws-access-token")!;
const KEY = "k-column-planted-0001";

describe.each(ENGINES)("the request log's guardrail_findings on $engine", { timeout: 60_000 }, ({ fresh }) => {
  let where: TestLocation;
  let h: Harness;
  beforeAll(async () => {
    where = await fresh();
    h = await startHarness(() => ({
      store: where.url ? { url: where.url } : { path: where.path },
      admin: { keys: [ADMIN] },
      auth: { keys: [KEY] },
      guardrails: { enabled: true, actions: { secrets: "mask", entropy: "off" } },
      models: {
        "block-anthropic": {
          provider: "anthropic",
          model: "claude-sonnet-4-5",
          guardrails: { actions: { secrets: "block" } },
        },
        "dry-anthropic": {
          provider: "anthropic",
          model: "claude-sonnet-4-5",
          guardrails: { actions: { secrets: "block" }, dry_run: true },
        },
      },
    }));
  }, 60_000);
  afterAll(async () => {
    await h?.close();
    await where?.drop();
  });

  /** Sends a Messages request with the planted key in a tool result; its request id. */
  async function send(model: string): Promise<{ status: number; id: string }> {
    const call = messagesCall(model, "tool result", AWS.text, false);
    const r = await fetch(`${h.url}${call.path}`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-api-key": KEY },
      body: JSON.stringify(call.body),
    });
    await r.text();
    return { status: r.status, id: r.headers.get("x-request-id")! };
  }

  async function rowOf(id: string) {
    const db = await h.gateway.team!.data.db();
    let row: { guardrail_findings?: string | null; warnings: string | null } | undefined;
    await expect
      .poll(
        async () => {
          row = await db.selectFrom("request_log").selectAll().where("id", "=", id).executeTakeFirst();
          return row !== undefined;
        },
        { timeout: 15_000 },
      )
      .toBe(true);
    return row!;
  }

  it("writes each finding at settle: rule, group, place, action, dry run — never the value", async () => {
    const masked = await send("via-anthropic");
    const blocked = await send("block-anthropic");
    const dry = await send("dry-anthropic");
    expect([masked.status, blocked.status, dry.status]).toEqual([200, 400, 200]);
    const where = "tool result of read_file (message 3)";
    const finding = (action: string, dry_run: boolean) => [
      { rule: "aws-access-token", group: "secrets", location: where, action, dry_run },
    ];
    for (const [sent, expected] of [
      [masked, finding("mask", false)],
      [blocked, finding("block", false)],
      [dry, finding("block", true)],
    ] as const) {
      const row = await rowOf(sent.id);
      expect(row.guardrail_findings).not.toContain(AWS.secret);
      expect(JSON.parse(row.guardrail_findings!)).toEqual(expected);
    }
    // The requests API answers them.
    const api = await admin(h, "GET", `/requests/${blocked.id}`);
    expect(api.status).toBe(200);
    expect(api.body.guardrail_findings).toEqual(finding("block", false));
    const list = await admin(h, "GET", "/requests?limit=10");
    const listed = (list.body.rows as { id: string; guardrail_findings: unknown }[]).find((r) => r.id === masked.id);
    expect(listed?.guardrail_findings).toEqual(finding("mask", false));
    const clean = (list.body.rows as { guardrail_findings: unknown[] }[]).filter(
      (r) => r.guardrail_findings.length === 0,
    );
    expect(clean.every((r) => Array.isArray(r.guardrail_findings))).toBe(true);
  });

  it("the Guardrails view counts by the column, whatever the warnings and the reason say", async () => {
    const before = (await admin(h, "GET", "/guardrails")).body;
    const sent = await send("via-anthropic");
    await rowOf(sent.id);
    // Warnings and reason are words for people: the counts do not read them once the column is there.
    const db = await h.gateway.team!.data.db();
    await db.updateTable("request_log").set({ warnings: null, reason: null }).where("id", "=", sent.id).execute();
    const after = (await admin(h, "GET", "/guardrails")).body;
    expect(after.rows).toBe(before.rows + 1);
    const rule = (v: { by_rule: { rule: string; mask: number }[] }) =>
      v.by_rule.find((r) => r.rule === "aws-access-token");
    expect(rule(after)!.mask).toBe((rule(before)?.mask ?? 0) + 1);
  });
});
