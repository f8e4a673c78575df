/**
 * `GET /admin/v1/guardrails` on SQLite and on PostgreSQL: the configuration's policy (custom rules by id, never
 * their patterns), and the hits the request log holds, by rule, key and team: masks, blocks (a refusal's reason)
 * and dry runs (what would have been done), each counted once per request; never a value in the answer.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findingsOf } from "../../src/data/guardrail-hits.js";
import { ENGINES, type TestLocation } from "../support/engines.js";
import { type Harness, startHarness } from "../support/gateway.js";
import { ADMIN, admin, within } from "../support/team.js";
import { messagesCall } from "./bodies.js";
import { planted } from "./planted.js";

const PLANTS = planted("view");
const AWS = PLANTS.find((p) => p.rule === "aws-access-token")!;
const KEY_A = "k-view-planted-000a";
const KEY_B = "k-view-planted-000b";

interface Row {
  rule?: string;
  key_name?: string | null;
  requests: number;
  block: number;
  mask: number;
  warn: number;
  would_block: number;
  would_mask: number;
  would_warn: number;
}

describe.each(ENGINES)("GET /admin/v1/guardrails on $engine", { timeout: 60_000 }, ({ fresh }) => {
  let where: TestLocation;
  let h: Harness;
  beforeAll(async () => {
    where = await fresh();
    h = await startHarness(() => ({
      store: where.url ? { url: where.url } : { path: where.path },
      admin: { keys: [ADMIN] },
      auth: { keys: [KEY_A, KEY_B] },
      guardrails: {
        enabled: true,
        actions: { secrets: "mask", entropy: "off" },
        rules: [{ id: "acme-token", pattern: "acme_tok_([a-z0-9]{32})" }],
        keys: {},
        teams: {},
      },
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

  const send = (key: string, model: string, text: string) => {
    const call = messagesCall(model, "tool result", text, false);
    return fetch(`${h.url}${call.path}`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-api-key": key },
      body: JSON.stringify(call.body),
    }).then(async (r) => {
      await r.text();
      return r.status;
    });
  };

  it("shows the policy and counts masks, blocks and dry runs by rule and key, never a value", async () => {
    expect(await send(KEY_A, "via-anthropic", AWS.text)).toBe(200);
    expect(await send(KEY_A, "via-anthropic", AWS.text)).toBe(200);
    expect(await send(KEY_B, "block-anthropic", AWS.text)).toBe(400);
    expect(await send(KEY_B, "dry-anthropic", AWS.text)).toBe(200);
    expect(await send(KEY_B, "via-anthropic", "nothing secret here")).toBe(200);
    let view: Record<string, unknown> = {};
    const rows = (k: string) => view[k] as Row[];
    const got = await within(15_000, async () => {
      const r = await admin(h, "GET", "/guardrails");
      view = r.body as Record<string, unknown>;
      return r.status === 200 && view.rows === 4;
    });
    expect(got, JSON.stringify(view)).toBe(true);
    expect(view).toMatchObject({
      enabled: true,
      truncated: false,
      policy: {
        actions: { secrets: "mask", entropy: "off", custom: "block" },
        dry_run: false,
        custom_rules: ["acme-token"],
      },
    });
    expect(JSON.stringify(view)).not.toContain("acme_tok_");
    expect(JSON.stringify(view)).not.toContain(AWS.secret);
    const aws = rows("by_rule").find((r) => r.rule === "aws-access-token")!;
    expect(aws).toMatchObject({ requests: 4, mask: 2, block: 1, warn: 0, would_block: 1, would_mask: 0 });
    // Config keys are named by a label, never the key: one key masked twice, the other blocked once and dry-ran once.
    expect(rows("by_key")).toHaveLength(2);
    expect(rows("by_key")).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ requests: 2, mask: 2, block: 0, would_block: 0 }),
        expect.objectContaining({ requests: 2, mask: 0, block: 1, would_block: 1 }),
      ]),
    );
    expect(JSON.stringify(view)).not.toContain(KEY_A);
    expect(JSON.stringify(view)).not.toContain(KEY_B);
    expect(rows("by_team")).toHaveLength(1);
    expect(rows("by_team")[0]).toMatchObject({ requests: 4 });
  });

  it("refuses a window it does not count: a bad time, or more than 90 days back", async () => {
    expect((await admin(h, "GET", "/guardrails?since=yesterday")).status).toBe(400);
    expect((await admin(h, "GET", "/guardrails?since=2000-01-01T00:00:00Z")).status).toBe(400);
    expect((await admin(h, "GET", "/guardrails?since=")).status).toBe(400);
  });
});

describe("a finding read back from a request-log row", () => {
  it("reads warnings and a block's reason, and nothing else", () => {
    const warnings = JSON.stringify([
      { code: "guardrail_mask", message: "guardrails: github-pat in tool result of read_file (message 3) (masked)" },
      { code: "guardrail_dry_run", message: "guardrails: jwt in message 1 (dry run: would be warned)" },
      { code: "stream_cut", message: "guardrails: jwt in message 1 (masked)" },
    ]);
    expect(findingsOf(warnings, null)).toEqual([
      { rule: "github-pat", action: "mask", dryRun: false },
      { rule: "jwt", action: "warn", dryRun: true },
    ]);
    const reason =
      "llmux's guardrails refused this request: it holds a secret (aws-access-token in tool result of read_file (message 3); npm-token in system and 2 more). Remove it and send the request again.";
    expect(findingsOf(null, reason).map((f) => f.rule)).toEqual(["aws-access-token", "npm-token"]);
    expect(findingsOf("not json", "some other reason")).toEqual([]);
  });
});
