import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { digest } from "../../src/signin/tokens.js";
import { messages, signinConfig, until } from "../signin/support/signin-gateway.js";
import type { Harness } from "../support/gateway.js";
import { launch, open, signInWithKey, unexpected } from "./support/browser.js";
import { type FakeIssuer, startFakeIssuer } from "./support/fake-issuer.js";
import { ADMIN, startUiServer } from "./support/server.js";

/** The web UI's "Sign-ins" page: who is signed in from Claude Code, from which client, since when; ending a session. */
describe("web UI: people signed in from Claude Code", { timeout: 60_000 }, () => {
  let issuer: FakeIssuer;
  let h: Harness;
  let browser: Browser;

  beforeAll(async () => {
    issuer = await startFakeIssuer();
    h = await startUiServer(() => ({ signin: signinConfig(issuer) }));
    browser = await launch();
  });
  afterAll(async () => {
    await browser?.close();
    await h?.close();
    await issuer?.close();
  });

  it("lists the session with its person, team, groups and client, and an admin ends it", async () => {
    const store = h.gateway.signin!.store;
    const now = Math.floor(Date.now() / 1000);
    await store.createSession({
      identity: { subject: "sub-ada", email: "ada@example.com", name: "Ada", groups: ["data-team", "engineering"] },
      teamId: await store.teamIdByName("data"),
      surface: "claude_code",
      userAgent: "claude-code/2.1.330",
      accessHash: digest("lxs-ui-test-token"),
      accessExpiresAt: now + 600,
      refreshHash: digest("lxr-ui-test-token"),
      expiresAt: now + 8 * 3600,
    });
    expect((await messages(h, "lxs-ui-test-token", "via-anthropic")).status).toBe(200);

    const w = await open(browser, h.url, "signins");
    try {
      await w.page.goto("/ui/signins");
      await signInWithKey(w.page, ADMIN);
      await w.page.getByRole("heading", { name: "Signed in from Claude Code" }).waitFor();
      const row = w.page.getByRole("row").filter({ hasText: "ada@example.com" });
      await row.waitFor();
      expect(await row.textContent()).toContain("data");
      expect(await row.textContent()).toContain("data-team, engineering");
      expect(await row.textContent()).toContain("claude-code/2.1.330");
      await w.shot("1-list");
      await row.getByRole("button", { name: "End session" }).click();
      await w.page.getByRole("dialog").getByRole("button", { name: "End session" }).click();
      await w.page.getByText("Nobody is signed in from Claude Code.").waitFor();
      expect(unexpected(w.errors)).toEqual([]);
    } finally {
      await w.close();
    }
    await until(
      async () => ((await messages(h, "lxs-ui-test-token", "via-anthropic")).status === 401 ? true : undefined),
      2000,
    );
  });
});
