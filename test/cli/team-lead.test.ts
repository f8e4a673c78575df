/**
 * The terminal does what the admin API does: teams and keys created and changed with every field (budget,
 * limits, allow-list, a plain expiry date), by name wherever an id is taken; tables with names, spend against
 * budget, what is left and when it resets; a new key shown once with a line to paste; `llmux spend` by name;
 * `llmux logs --user` and `--key` with a user label; local mistakes without HTTP status codes.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freshSqlite, type TestLocation } from "../support/engines.js";
import type { Harness } from "../support/gateway.js";
import { ADMIN, admin, chat, MASTER, teamHarness, within } from "../support/team.js";
import { llmux } from "./run.js";

/** Each run of the built command starts a node process: a test of many runs takes its time. */
const SLOW = 180_000;

describe("a team lead at the terminal", () => {
  let where: TestLocation;
  let h: Harness;
  const env = { LLMUX_ADMIN_KEY: ADMIN };
  const run = (...args: string[]) => llmux([...args, "--url", h.url], env);
  beforeAll(async () => {
    where = await freshSqlite();
    h = await teamHarness(where);
  });
  afterAll(async () => {
    await h.close();
  }, SLOW);

  it(
    "creates and changes teams and keys with every field, by name",
    async () => {
      const team = await run(
        "teams",
        "create",
        "--name",
        "data",
        "--models",
        "via-openai-*,via-anthropic",
        "--budget",
        "100/month",
        "--rpm",
        "600",
      );
      expect(team.code, team.stderr).toBe(0);
      expect(team.stdout).toMatch(/name\s+data/);
      expect(team.stdout).toMatch(/spend\s+\$0 of \$100\.00\/month/);
      expect(team.stdout).toMatch(/limits\s+600 rpm/);

      const created = await run(
        "keys",
        "create",
        "--name",
        "alice-laptop",
        "--user",
        "alice",
        "--team",
        "data",
        "--budget",
        "5/day",
        "--tpm",
        "100000",
        "--concurrency",
        "4",
        "--expires",
        "2027-01-01",
        "--models",
        "via-openai-chat",
      );
      expect(created.code, created.stderr).toBe(0);
      expect(created.stdout).toMatch(/shown once/);
      const secret = /export LLMUX_KEY=(lx-[A-Za-z0-9_-]{43})/.exec(created.stdout)?.[1];
      expect(secret).toBeDefined();
      expect(created.stdout).toMatch(/llmux claude --url /);

      const api = (await admin(h, "GET", "/keys")).body.data.find((k: { name: string }) => k.name === "alice-laptop");
      expect(api).toMatchObject({
        user: "alice",
        budget: { usd: 5, period: "day" },
        limits: { tpm: 100000, concurrency: 4 },
        expires_at: "2027-01-01T00:00:00.000Z",
        models: ["via-openai-chat"],
        team: { name: "data" },
      });

      // Update by name; limits given are merged with the key's.
      const updated = await run("keys", "update", "alice-laptop", "--rpm", "60", "--budget", "7.5/week");
      expect(updated.code, updated.stderr).toBe(0);
      const after = (await admin(h, "GET", `/keys/${api.id}`)).body;
      expect(after).toMatchObject({
        limits: { rpm: 60, tpm: 100000, concurrency: 4 },
        budget: { usd: 7.5, period: "week" },
      });
      const teamUpdated = await run("teams", "update", "data", "--budget", "150/month");
      expect(teamUpdated.code, teamUpdated.stderr).toBe(0);
      expect(teamUpdated.stdout).toMatch(/\$150\.00\/month/);

      // Disable and enable by name.
      expect((await run("keys", "disable", "alice-laptop")).stdout).toMatch(/alice-laptop .* disabled/);
      expect((await chat(h, secret!, "via-openai-chat")).status).toBe(401);
      expect((await run("keys", "enable", "alice-laptop")).code).toBe(0);
      expect((await chat(h, secret!, "via-openai-chat")).status).toBe(200);

      // Show by name: names, spend against budget, limits, plain dates.
      const shown = await run("keys", "show", "alice-laptop");
      expect(shown.code, shown.stderr).toBe(0);
      expect(shown.stdout).toMatch(/team\s+data/);
      expect(shown.stdout).toMatch(/spend\s+\$\S+ of \$7\.50\/week/);
      expect(shown.stdout).toMatch(/limits\s+60 rpm, 100000 tpm, 4 at once/);
      expect(shown.stdout).toMatch(/expires\s+2027-01-01\n/);
      expect(shown.stdout).toMatch(
        /models\s+via-openai-chat \(key\), within via-openai-\*, via-anthropic \(team data\)/,
      );
      expect(shown.stdout).not.toContain(secret!);

      const list = await run("keys", "list", "--team", "data");
      expect(list.code, list.stderr).toBe(0);
      expect(list.stdout.split("\n")[0]).toMatch(
        /^name\s+id\s+team\s+user\s+state\s+spend\s+remaining\s+resets\s+limits\s+last_used/,
      );
      expect(list.stdout).toMatch(/alice-laptop\s+key_\S+\s+data\s+alice\s+active/);
    },
    SLOW,
  );

  it(
    "prints spend by name, revoked keys too, and finds logs by user",
    async () => {
      const k = await admin(h, "POST", "/keys", { name: "bob-desktop", user: "bob" });
      expect((await chat(h, k.body.key, "via-openai-chat")).status).toBe(200);
      expect(
        await within(
          10_000,
          async () => (await admin(h, "GET", `/requests?key_id=${k.body.id}`)).body.rows.length === 1,
        ),
      ).toBe(true);
      expect((await run("keys", "revoke", "bob-desktop")).code).toBe(0);
      const spend = await run("spend", "--by", "key");
      expect(spend.code, spend.stderr).toBe(0);
      expect(spend.stdout.split("\n")[0]).toMatch(/^key\s+requests\s+refused/);
      expect(spend.stdout).toMatch(/bob-desktop\s+1\s+0\s/);
      expect(spend.stdout).not.toContain(k.body.id);
      const revoked = await run("keys", "list", "--revoked");
      expect(revoked.stdout).toMatch(/bob-desktop\s+key_\S+\s+-\s+bob\s+blocked: revoked/);

      const byUser = await run("logs", "--user", "bob", "--json");
      expect(byUser.code, byUser.stderr).toBe(0);
      expect(
        byUser.stdout
          .trim()
          .split("\n")
          .map((l) => JSON.parse(l).key_name),
      ).toEqual(["bob-desktop"]);
      // --key with the holder's user label, as people give it.
      const byKeyUser = await run("logs", "--key", "bob", "--json");
      expect(byKeyUser.code, byKeyUser.stderr).toBe(0);
      expect(
        byKeyUser.stdout
          .trim()
          .split("\n")
          .map((l) => JSON.parse(l).key_name),
      ).toEqual(["bob-desktop"]);
    },
    SLOW,
  );

  it(
    "says what is wrong in words, without HTTP status codes, on the store directly",
    async () => {
      const file = join(mkdtempSync(join(tmpdir(), "llmux-lead-")), "llmux.yaml");
      writeFileSync(file, JSON.stringify({ store: { path: where.path }, secrets: { master_key: MASTER } }));
      const missing = await llmux(["keys", "show", "nobody", "-c", file]);
      expect(missing.code).toBe(1);
      expect(missing.stderr).toMatch(/no key named 'nobody'/);
      const dup = await llmux(["teams", "create", "--name", "data", "-c", file]);
      expect(dup.code).toBe(1);
      expect(dup.stderr).toMatch(/a team named 'data' exists already/);
      expect(dup.stderr).not.toMatch(/\b409\b/);
      const badBudget = await llmux(["keys", "create", "--name", "x", "--budget", "lots", "-c", file]);
      expect(badBudget.code).toBe(2);
      expect(badBudget.stderr).toMatch(/--budget must be USD\/PERIOD/);
    },
    SLOW,
  );
});
