import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Harness } from "../support/gateway.js";
import { launch, open, type Watched } from "./support/browser.js";
import { type FakeIssuer, startFakeIssuer } from "./support/fake-issuer.js";
import { admin, startUiServer } from "./support/server.js";

/**
 * Self-service keys in the web UI: an admin sets a team's member caps on the Teams page; a member signed in with
 * single sign-on mints a key of their own on My keys (above a cap: refused with the cap named), sees it, revokes it.
 */
describe("web UI: member caps and My keys", { timeout: 90_000 }, () => {
  let issuer: FakeIssuer;
  let h: Harness;
  let browser: Browser;
  let teamId: string;

  beforeAll(async () => {
    issuer = await startFakeIssuer();
    h = await startUiServer(() => ({
      admin: {
        oidc: {
          issuer: issuer.url,
          client_id: issuer.clientId,
          client_secret: issuer.clientSecret,
          allowed_domains: ["example.com"],
          roles: { admin: ["ada@example.com"] },
          label: "Sign in with Example SSO",
        },
      },
    }));
    teamId = (await admin(h, "POST", "/teams", { name: "platform", budget: { usd: 100, period: "month" } })).body.id;
    browser = await launch();
  });
  afterAll(async () => {
    await browser?.close();
    await h?.close();
    await issuer?.close();
  });

  async function signIn(email: string, prefix: string, path: string): Promise<Watched> {
    const w = await open(browser, h.url, prefix);
    await w.page.goto(path);
    await w.page.getByRole("link", { name: "Sign in with Example SSO" }).click();
    await w.page.getByRole("heading", { name: "Example SSO" }).waitFor();
    await w.page.getByLabel("Email").fill(email);
    await w.page.getByRole("button", { name: "Continue" }).click();
    await w.page.waitForURL((u) => u.pathname === path);
    return w;
  }

  it("an admin sets the team's member caps on the Teams page", async () => {
    const w = await signIn("ada@example.com", "member-caps-admin", "/ui/teams");
    try {
      await w.page.getByRole("button", { name: "Member caps of platform" }).click();
      const form = w.page.getByRole("form", { name: "Member caps of platform" });
      await form.getByLabel("Budget per key (USD)").fill("20");
      await form.getByLabel("Keys per member").fill("2");
      await form.getByLabel(/Members signed in with single sign-on/).fill("@example.com");
      await w.shot("1-caps");
      await form.getByRole("button", { name: "Save caps" }).click();
      await expect
        .poll(async () => (await admin(h, "GET", `/teams/${teamId}/member-caps`)).body.caps)
        .toEqual({ budget_usd: 20, period: "month", max_keys: 2, members: ["@example.com"] });
    } finally {
      await w.close();
    }
  });

  it("a member signed in with single sign-on mints within the caps (refused above, the cap named), and revokes", async () => {
    const w = await signIn("bea@example.com", "my-keys-member", "/ui/my-keys");
    try {
      const form = w.page.getByRole("form", { name: "Mint a key of your own" });
      await form.getByLabel("Name").fill("bea-laptop");
      await form.getByLabel(/^Budget/).fill("50");
      await form.getByRole("button", { name: "Mint key" }).click();
      await w.page.getByText("budget_usd 50 exceeds your cap 20 (team platform: member_caps.budget_usd)").waitFor();
      await form.getByLabel(/^Budget/).fill("10");
      await form.getByRole("button", { name: "Mint key" }).click();
      const secret = await w.page.getByTestId("secret").inputValue();
      expect(secret).toMatch(/^lx-/);
      const row = w.page.getByRole("row").filter({ hasText: "bea-laptop" });
      await row.waitFor();
      await w.shot("2-minted");
      const keys = (await admin(h, "GET", `/keys?team_id=${teamId}`)).body.data as Record<string, unknown>[];
      expect(keys.find((k) => k.name === "bea-laptop")).toMatchObject({
        user: "bea@example.com",
        budget: { usd: 10, period: "month" },
      });
      await row.getByRole("button", { name: "Revoke bea-laptop" }).click();
      await w.page.getByText("No keys of your own yet.").waitFor();
      const audit = (await admin(h, "GET", "/audit?actor=bea@example.com")).body.rows as Record<string, unknown>[];
      expect(audit.map((r) => `${r.action} ${r.outcome} ${r.via}`).sort()).toEqual([
        "key.create ok oidc",
        "key.create refused oidc",
        "key.revoke ok oidc",
        "sign_in ok oidc",
      ]);
    } finally {
      await w.close();
    }
  });
});
