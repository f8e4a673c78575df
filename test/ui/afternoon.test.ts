/**
 * A team lead's afternoon, end to end: a team and its keys made with the `llmux` command against a running
 * llmux, traffic with those keys through the mock upstream until one key's budget is spent, then the web UI:
 * that key blocked on the Keys page (why, and until when), the other still active, and the changes on the
 * Audit page under the admin key that made them, marked as coming from the CLI.
 */
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { llmux } from "../cli/run.js";
import type { Harness } from "../support/gateway.js";
import { within } from "../support/team.js";
import { launch, open, shownOrRefused, signInWithKey, unexpected } from "./support/browser.js";
import { ADMIN, admin, startUiServer } from "./support/server.js";

/** The ready-to-paste line `llmux keys create` prints: the new secret. */
const secretOf = (stdout: string) => /export LLMUX_KEY=(lx-[A-Za-z0-9_-]{43})/.exec(stdout)?.[1];

describe("a team lead's afternoon: the CLI, traffic, a spent budget, the UI", { timeout: 180_000 }, () => {
  let h: Harness;
  let browser: Browser;

  beforeAll(async () => {
    h = await startUiServer();
    browser = await launch();
  });
  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  it("makes a team and keys at the terminal, spends one key's budget, and sees it blocked and audited", async () => {
    const run = (...args: string[]) => llmux([...args, "--url", h.url], { LLMUX_ADMIN_KEY: ADMIN });

    // 1. The terminal: a team with an allow-list and budget, a key per person.
    const team = await run("teams", "create", "--name", "data", "--models", "via-*", "--budget", "100/month");
    expect(team.code, team.stderr).toBe(0);
    const alice = await run(
      "keys",
      "create",
      "--name",
      "alice-laptop",
      "--user",
      "alice",
      "--team",
      "data",
      "--budget",
      "0.0005/day",
    );
    expect(alice.code, alice.stderr).toBe(0);
    expect(alice.stdout).toMatch(/shown once/);
    const bob = await run("keys", "create", "--name", "bob-desktop", "--user", "bob", "--team", "data");
    expect(bob.code, bob.stderr).toBe(0);
    const aliceKey = secretOf(alice.stdout)!;
    const bobKey = secretOf(bob.stdout)!;
    expect(aliceKey).toBeDefined();
    expect(bobKey).toBeDefined();

    // 2. Traffic through the mock until alice's daily budget refuses her; bob is not bounded by it.
    const ask = (key: string, i: number) =>
      fetch(`${h.url}/v1/chat/completions`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
        body: JSON.stringify({
          model: "via-openai-chat",
          max_tokens: 16,
          messages: [{ role: "user", content: `request ${i}: summarise the failing build log in one line` }],
        }),
      }).then(async (r) => ({ status: r.status, body: await r.text() }));
    const statuses: number[] = [];
    let refusal = "";
    for (let i = 0; i < 60; i++) {
      const r = await ask(aliceKey, i);
      statuses.push(r.status);
      if (r.status !== 200) {
        refusal = r.body;
        break;
      }
    }
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(2);
    expect(statuses.at(-1)).toBe(429);
    expect(refusal).toMatch(/budget/i);
    for (let i = 0; i < 3; i++) expect((await ask(bobKey, i)).status).toBe(200);

    // The terminal says so too, once the server's batch of ledger rows is in the store the CLI reads (a
    // fraction of a second, longer on a loaded machine; the refusal came from the budget's slice before that).
    const aliceLine = async () => {
      const listed = await run("keys", "list");
      expect(listed.code, listed.stderr).toBe(0);
      return listed.stdout.split("\n").find((l) => l.includes("alice-laptop")) ?? "";
    };
    await within(30_000, async () => /blocked/.test(await aliceLine()));
    expect(await aliceLine()).toMatch(/blocked/);

    // 3. The UI: alice blocked, with why and until when; bob active.
    const w = await open(browser, h.url, "afternoon");
    try {
      const { page } = w;
      await page.goto("/ui/keys");
      await signInWithKey(page, ADMIN);
      const table = page.getByRole("table", { name: "Keys" });
      await shownOrRefused(w, table);
      const aliceRow = table.getByRole("row").filter({ has: page.getByRole("link", { name: "alice-laptop" }) });
      await aliceRow.getByText("blocked: budget").waitFor();
      const why = (await aliceRow.locator(".key-status").textContent()) ?? "";
      expect(why).toMatch(/daily budget of \$0\.0005/);
      expect(why).toMatch(/\(until .+\)/);
      const aliceApi = (await admin(h, "GET", "/keys")).body.data.find(
        (k: { name: string }) => k.name === "alice-laptop",
      );
      expect(aliceApi.blocked).toMatchObject({ reason: "budget" });
      expect(Date.parse(aliceApi.blocked.until)).toBeGreaterThan(Date.now());
      const bobRow = table.getByRole("row").filter({ has: page.getByRole("link", { name: "bob-desktop" }) });
      expect(await bobRow.locator(".badge").textContent()).toBe("active");
      await w.shot("1-keys-blocked");

      // 4. The Audit page: the team and both keys, made from the CLI by the admin key.
      await page.getByRole("link", { name: "Audit" }).click();
      const audit = page.getByRole("table", { name: "Audit log, newest first" });
      await shownOrRefused(w, audit);
      const rowOf = (action: string, target: string) =>
        audit.getByRole("row").filter({ hasText: action }).filter({ hasText: target });
      for (const [action, target] of [
        ["team.create", "data"],
        ["key.create", "alice-laptop"],
        ["key.create", "bob-desktop"],
      ] as const) {
        const row = rowOf(action, target);
        await row.first().waitFor();
        expect(await row.count(), `${action} ${target}`).toBe(1);
      }
      const entries = (await admin(h, "GET", "/audit?limit=50")).body.rows as {
        action: string;
        target_name: string | null;
        actor: string;
        source: string;
      }[];
      const made = entries.filter((e) => ["team.create", "key.create"].includes(e.action));
      expect(made.map((e) => e.target_name).sort()).toEqual(["alice-laptop", "bob-desktop", "data"]);
      for (const e of made) expect(e.source).toBe("cli");
      const actor = made[0]!.actor;
      expect(await rowOf("key.create", "alice-laptop").getByRole("cell", { name: actor }).count()).toBe(1);
      await w.shot("2-audit");
      expect(unexpected(w.errors)).toEqual([]);
    } finally {
      await w.close();
    }
  });
});
