/**
 * Soft budgets at the terminal: `llmux keys create/update --downgrade-at 0.8 --downgrade-to ALIAS` and
 * `llmux teams create/update` likewise set a key's or team's `budget.downgrade` through the admin API; a new
 * budget keeps the downgrade it had, `--downgrade-at none` removes it, and the mistakes name the option.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freshSqlite, type TestLocation } from "../support/engines.js";
import type { Harness } from "../support/gateway.js";
import { ADMIN, admin, teamHarness } from "../support/team.js";
import { llmux } from "./run.js";

/** Each run of the built command starts a node process: a test of many runs takes its time. */
const SLOW = 180_000;

describe("soft budgets at the terminal", () => {
  let where: TestLocation;
  let h: Harness;
  const env = { LLMUX_ADMIN_KEY: ADMIN };
  const run = (...args: string[]) => llmux([...args, "--url", h.url], env);
  beforeAll(async () => {
    where = await freshSqlite();
    h = await teamHarness(where, {
      models: {
        dear: { provider: "anthropic", model: "claude-sonnet-4-5" },
        cheap: { provider: "anthropic", model: "claude-haiku-4-5" },
      },
    });
  });
  afterAll(async () => {
    await h.close();
    await where.drop();
  }, SLOW);

  const keyBudget = async (name: string) =>
    (await admin(h, "GET", "/keys")).body.data.find((k: { name: string }) => k.name === name).budget;

  it(
    "sets, keeps, changes and removes a key's and a team's downgrade",
    async () => {
      const created = await run(
        "keys",
        "create",
        "--name",
        "bob",
        "--budget",
        "50/month",
        "--downgrade-at",
        "0.8",
        "--downgrade-to",
        "cheap",
      );
      expect(created.code, created.stderr).toBe(0);
      expect(await keyBudget("bob")).toEqual({ usd: 50, period: "month", downgrade: { at: 0.8, to: "cheap" } });

      // A new budget keeps the downgrade; --downgrade-* alone changes only it.
      const more = await run("keys", "update", "bob", "--budget", "60/month");
      expect(more.code, more.stderr).toBe(0);
      expect(more.stdout).toMatch(/downgrade\s+at 80% → cheap/);
      expect(await keyBudget("bob")).toEqual({ usd: 60, period: "month", downgrade: { at: 0.8, to: "cheap" } });
      const later = await run("keys", "update", "bob", "--downgrade-at", "90%", "--downgrade-to", "cheap");
      expect(later.code, later.stderr).toBe(0);
      expect(await keyBudget("bob")).toEqual({ usd: 60, period: "month", downgrade: { at: 0.9, to: "cheap" } });
      const gone = await run("keys", "update", "bob", "--downgrade-at", "none");
      expect(gone.code, gone.stderr).toBe(0);
      expect(await keyBudget("bob")).toEqual({ usd: 60, period: "month" });

      const team = await run(
        "teams",
        "create",
        "--name",
        "data",
        "--budget",
        "100/month",
        "--downgrade-at",
        "75%",
        "--downgrade-to",
        "cheap",
      );
      expect(team.code, team.stderr).toBe(0);
      expect(team.stdout).toMatch(/downgrade\s+at 75% → cheap/);
      const t = (await admin(h, "GET", "/teams")).body.data.find((x: { name: string }) => x.name === "data");
      expect(t.budget).toEqual({ usd: 100, period: "month", downgrade: { at: 0.75, to: "cheap" } });
      const shown = await run("teams", "show", "data");
      expect(shown.stdout).toMatch(/downgrade\s+at 75% → cheap/);
    },
    SLOW,
  );

  it(
    "names the option of each mistake",
    async () => {
      const alone = await run("keys", "create", "--name", "x", "--downgrade-at", "0.8", "--downgrade-to", "cheap");
      expect(alone.code).not.toBe(0);
      expect(alone.stderr).toContain("--downgrade-at needs a budget");
      const half = await run("keys", "create", "--name", "x", "--budget", "5/day", "--downgrade-at", "0.8");
      expect(half.stderr).toContain("--downgrade-at and --downgrade-to go together");
      const share = await run("teams", "update", "data", "--downgrade-at", "1.5", "--downgrade-to", "cheap");
      expect(share.stderr).toContain("--downgrade-at must be a share between 0 and 1");
      const unknown = await run("keys", "update", "bob", "--downgrade-at", "0.5", "--downgrade-to", "nowhere");
      expect(unknown.code).not.toBe(0);
      expect(unknown.stderr).toContain("budget.downgrade.to: no model alias named 'nowhere'");
      const none = await run("keys", "create", "--name", "nobudget");
      expect(none.code, none.stderr).toBe(0);
      const noBudget = await run("keys", "update", "nobudget", "--downgrade-at", "0.5", "--downgrade-to", "cheap");
      expect(noBudget.stderr).toContain("--downgrade-at needs a budget");
    },
    SLOW,
  );
});
