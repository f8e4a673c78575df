import { randomBytes } from "node:crypto";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Harness } from "../support/gateway.js";
import { launch, open, signInWithKey, unexpected, type Watched } from "./support/browser.js";
import { type FakeIssuer, startFakeIssuer } from "./support/fake-issuer.js";
import { admin, call, startUiServer } from "./support/server.js";

const LEAD_KEY = "ui-data-lead-key-0123456789abcdef";

/**
 * Team admins in the web UI: a person in an OIDC group named by admin.oidc.roles.team_admin (the fake
 * provider's ID token carries a `groups` claim), and an admin key bound to a team, sign in as that team's admin.
 * The UI offers what they may do (create and change their team's keys) and hides what they may not (team
 * changes, deployments, MCP servers); the admin API refuses the rest with their cookie.
 */
describe("web UI: team admins", { timeout: 90_000 }, () => {
  let issuer: FakeIssuer;
  let h: Harness;
  let browser: Browser;
  let data: string;
  let web: string;

  beforeAll(async () => {
    issuer = await startFakeIssuer();
    issuer.groups.set("lee@example.com", ["staff", "data-leads"]);
    issuer.groups.set("sam@example.com", ["staff"]);
    h = await startUiServer(() => ({
      admin: {
        keys: ["ui-admin-key-0123456789abcdef", { key: LEAD_KEY, team: "data", name: "data lead" }],
        oidc: {
          issuer: issuer.url,
          client_id: issuer.clientId,
          client_secret: issuer.clientSecret,
          roles: { admin: ["ada@example.com"], team_admin: { data: ["group:data-leads"] } },
          label: "Sign in with Example SSO",
        },
      },
    }));
    data = (await admin(h, "POST", "/teams", { name: "data" })).body.id as string;
    web = (await admin(h, "POST", "/teams", { name: "web" })).body.id as string;
    await admin(h, "POST", "/keys", { name: "data-ci", team_id: data });
    await admin(h, "POST", "/keys", { name: "web-ci", team_id: web });
    browser = await launch();
  });
  afterAll(async () => {
    await browser?.close();
    await h?.close();
    await issuer?.close();
  });

  async function signIn(email: string, prefix: string): Promise<Watched> {
    const w = await open(browser, h.url, prefix);
    await w.page.goto("/ui/keys");
    await w.page.getByRole("link", { name: "Sign in with Example SSO" }).click();
    await w.page.getByLabel("Email").fill(email);
    await w.page.getByRole("button", { name: "Continue" }).click();
    await w.page.waitForURL((u) => u.pathname.startsWith("/ui/") && !u.pathname.startsWith("/ui/auth/"));
    return w;
  }

  /**
   * What a team admin's page shows and hides, and what the admin API does with their cookie. "My keys" is
   * listed for a person signed in (who may mint keys of their own), not for the team admin's key.
   */
  async function checkTeamAdmin(w: Watched, person: boolean): Promise<void> {
    await w.page.getByRole("heading", { name: "Keys" }).waitFor();
    expect(await w.page.locator(".who .badge").textContent()).toBe("team admin · data");
    const nav = w.page.getByRole("navigation", { name: "Pages" });
    const links = await nav.getByRole("link").allTextContents();
    expect(links).toEqual([
      "Overview",
      "Requests",
      "Sessions",
      "Keys",
      ...(person ? ["My keys"] : []),
      "Team",
      "Spend",
      "Audit",
      "Playground",
    ]);
    // Their team's keys alone, and a button to create one.
    await w.page.getByRole("cell", { name: "data-ci", exact: true }).waitFor();
    expect(await w.page.getByRole("cell", { name: "web-ci", exact: true }).count()).toBe(0);
    await w.shot("keys");
    // Creating a key from the page: the team is theirs, with no "no team" to choose.
    const name = `page-made-${randomBytes(3).toString("hex")}`;
    await w.page.getByRole("button", { name: "Create key" }).click();
    const dialog = w.page.getByRole("dialog", { name: "Create a key" });
    await dialog.getByLabel("Name").fill(name);
    expect(await dialog.getByLabel("Team").locator("option").allTextContents()).toEqual(["data"]);
    await dialog.getByRole("button", { name: "Create key" }).click();
    await w.page
      .getByRole("dialog", { name: `Key ${name} created` })
      .getByRole("button", { name: "Done" })
      .click();
    await w.page.getByRole("cell", { name, exact: true }).waitFor();
    const listed = await call(h.url, "GET", "/admin/v1/keys", { key: "ui-admin-key-0123456789abcdef" });
    expect(listed.body.data.find((k: { name: string }) => k.name === name)?.team_id).toBe(data);
    // Their team, and no way to create, change or delete teams.
    await nav.getByRole("link", { name: "Team" }).click();
    const teams = w.page.getByRole("table", { name: "Teams" });
    await teams.getByRole("cell", { name: "data", exact: true }).waitFor();
    expect(await teams.getByRole("cell", { name: "web", exact: true }).count()).toBe(0);
    expect(await w.page.getByRole("button", { name: /Create team|Delete|Edit/ }).count()).toBe(0);
    await w.shot("team");

    // The admin API with the cookie: their team's key is made, anything else refused.
    const post = (path: string, body: unknown) =>
      w.context.request.post(`${h.url}${path}`, { headers: { "x-llmux-ui": "1" }, data: body });
    const made = await post("/admin/v1/keys", { name: `made-by-lead-${randomBytes(3).toString("hex")}` });
    expect(made.status()).toBe(201);
    expect(((await made.json()) as { team_id: string }).team_id).toBe(data);
    expect((await post("/admin/v1/keys", { name: "elsewhere", team_id: web })).status()).toBe(403);
    expect((await post("/admin/v1/teams", { name: "mine" })).status()).toBe(403);
    expect((await w.context.request.get(`${h.url}/admin/v1/teams/${web}`)).status()).toBe(404);
    expect((await w.context.request.get(`${h.url}/admin/v1/deployments`)).status()).toBe(403);
    expect(unexpected(w.errors)).toEqual([]);
  }

  it("a person in the data-leads group signs in by single sign-on as the data team's admin", async () => {
    const w = await signIn("lee@example.com", "team-admin-oidc");
    try {
      await checkTeamAdmin(w, true);
      // The sign-in is in the audit log with the role it was given.
      const rows = (
        await call(h.url, "GET", "/admin/v1/audit?action=sign_in", { key: "ui-admin-key-0123456789abcdef" })
      ).body.rows as { actor: string; after: unknown }[];
      expect(rows.find((r) => r.actor === "lee@example.com")?.after).toEqual({ role: "team_admin", team: "data" });
    } finally {
      await w.close();
    }
  });

  it("a person in no role's group may not sign in", async () => {
    const w = await signIn("sam@example.com", "team-admin-refused");
    try {
      await w.page.getByRole("alert").filter({ hasText: "sam@example.com may not sign in here" }).waitFor();
    } finally {
      await w.close();
    }
  });

  it("an admin key bound to the data team signs in as its team admin", async () => {
    const w = await open(browser, h.url, "team-admin-key");
    try {
      await w.page.goto("/ui/keys");
      await signInWithKey(w.page, LEAD_KEY);
      await checkTeamAdmin(w, false);
      // Opened by its address, My keys says why a key mints none (it is not in the navigation).
      await w.page.goto("/ui/my-keys");
      await w.page.getByRole("heading", { name: "My keys" }).waitFor();
      await w.page.getByText("Keys of your own are minted by a person signed in with single sign-on").waitFor();
      expect(await w.page.getByRole("form", { name: "Mint a key of your own" }).count()).toBe(0);
    } finally {
      await w.close();
    }
  });

  it("a full admin still sees every team, deployments and MCP", async () => {
    const w = await signIn("ada@example.com", "team-admin-full");
    try {
      await w.page.getByRole("heading", { name: "Keys" }).waitFor();
      const links = await w.page.getByRole("navigation", { name: "Pages" }).getByRole("link").allTextContents();
      expect(links).toEqual(expect.arrayContaining(["Teams", "Deployments", "MCP", "Alerts"]));
      await w.page.getByRole("cell", { name: "web-ci", exact: true }).waitFor();
    } finally {
      await w.close();
    }
  });
});
