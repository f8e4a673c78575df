/**
 * A team can be disabled without deleting it (its keys are refused, then served again, their settings and
 * spend kept); the spend CSV export never hands a spreadsheet a formula.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { toCsv } from "../../ui/src/lib/csv.js";
import { ENGINES, type TestLocation } from "../support/engines.js";
import type { Harness } from "../support/gateway.js";
import { admin, chat, teamHarness } from "../support/team.js";

describe.each(ENGINES)("disabling a team on $engine", ({ fresh }) => {
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

  it("refuses its keys while disabled and serves them again after, keeping the team and its keys", async () => {
    const team = await admin(h, "POST", "/teams", { name: "paused" });
    const key = await admin(h, "POST", "/keys", { name: "member", team_id: team.body.id });
    expect((await chat(h, key.body.key, "via-openai-chat")).status).toBe(200);
    const off = await admin(h, "PATCH", `/teams/${team.body.id}`, { disabled: true });
    expect(off.status).toBe(200);
    expect(off.body.disabled).toBe(true);
    const refused = await chat(h, key.body.key, "via-openai-chat");
    expect(refused.status).toBe(401);
    expect(JSON.stringify(refused.body)).toMatch(/team/i);
    expect((await admin(h, "GET", `/keys/${key.body.id}`)).body.team_id).toBe(team.body.id);
    expect((await admin(h, "PATCH", `/teams/${team.body.id}`, { disabled: false })).body.disabled).toBe(false);
    expect((await chat(h, key.body.key, "via-openai-chat")).status).toBe(200);
  });
});

describe("the spend CSV export", () => {
  it("prefixes text cells that a spreadsheet would read as a formula", () => {
    const names = ['=HYPERLINK("http://evil.example","x")', "+1+1", "-2+3", "@SUM(A1)", "\tTAB", "plain"];
    const csv = toCsv(
      ["key", "name", "cost_usd"],
      names.map((n) => [n, n, 1.5]),
    );
    const cells = csv
      .trim()
      .split("\r\n")
      .slice(1)
      .flatMap((line) => line.match(/("([^"]|"")*"|[^,]*)(,|$)/g)!.slice(0, 2))
      .map((c) => c.replace(/,$/, "").replace(/^"|"$/g, "").replace(/""/g, '"'));
    for (const c of cells) expect(c === "plain" || c.startsWith("'"), c).toBe(true);
    expect(csv).toContain(",1.5\r\n");
  });
});
