import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { planted } from "../guardrails/planted.js";
import type { Harness } from "../support/gateway.js";
import { within } from "../support/team.js";
import { launch, open, signInWithKey, unexpected } from "./support/browser.js";
import { ADMIN, admin, openai, startUiServer } from "./support/server.js";

const AWS = planted("ui").find((p) => p.rule === "aws-access-token")!;

/**
 * The web UI's Guardrails page, in real Chromium: the policy of the configuration, and the hits a minted key of a
 * team made through the gateway (a mask, a block, a dry run), by rule, key and team, never the value.
 */
describe("web UI: the Guardrails page", { timeout: 90_000 }, () => {
  let h: Harness;
  let browser: Browser;

  beforeAll(async () => {
    h = await startUiServer(() => ({
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
    browser = await launch();
  });
  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  it("shows hits by rule, key and team, and what the dry run would have done", async () => {
    const team = await admin(h, "POST", "/teams", { name: "secops" });
    const minted = await admin(h, "POST", "/keys", { name: "agent-laptop", team_id: team.body.id });
    const client = openai(h, minted.body.key);
    const ask = (model: string) =>
      client.chat.completions
        .create({ model, messages: [{ role: "user", content: `read .env:\n${AWS.text}` }] })
        .then(() => 200)
        .catch((e: { status?: number }) => e.status ?? 0);
    expect(await ask("via-anthropic")).toBe(200);
    expect(await ask("block-anthropic")).toBe(400);
    expect(await ask("dry-anthropic")).toBe(200);
    expect(await within(15_000, async () => (await admin(h, "GET", "/guardrails")).body.rows === 3)).toBe(true);

    const w = await open(browser, h.url, "guardrails");
    try {
      await w.page.goto("/ui/guardrails");
      await signInWithKey(w.page, ADMIN);
      await w.page.getByRole("heading", { name: "Guardrails" }).waitFor();
      const byRule = w.page.getByRole("table", { name: "Hits by rule" });
      const rule = byRule.getByRole("row").filter({ hasText: "aws-access-token" });
      await rule.waitFor();
      // Requests, blocked, masked, warned, would block, would mask, would warn.
      const cells = (await rule.getByRole("cell").allTextContents()).map((t) => t.trim());
      expect(cells).toEqual(["aws-access-token", "3", "1", "1", "0", "1", "0", "0"]);
      const key = w.page
        .getByRole("table", { name: "Hits by key" })
        .getByRole("row")
        .filter({ hasText: "agent-laptop" });
      await key.waitFor();
      const teamRow = w.page
        .getByRole("table", { name: "Hits by team" })
        .getByRole("row")
        .filter({ hasText: "secops" });
      await teamRow.waitFor();
      expect((await teamRow.getByRole("cell").allTextContents()).map((t) => t.trim())[1]).toBe("3");
      expect(await w.page.locator("[data-group=secrets]").textContent()).toBe("mask");
      expect(await w.page.content()).not.toContain(AWS.secret);
      await w.shot("1-hits");
      expect(unexpected(w.errors)).toEqual([]);
    } finally {
      await w.close();
    }
  });
});
