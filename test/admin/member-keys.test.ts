import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { authorize, browserStep, metadata, pollUntilDone } from "../signin/support/device-client.js";
import { ADMIN, messages, startSigninGateway } from "../signin/support/signin-gateway.js";
import { ENGINES, type TestLocation } from "../support/engines.js";
import type { Harness } from "../support/gateway.js";
import { launch } from "../ui/support/browser.js";
import { type FakeIssuer, startFakeIssuer } from "../ui/support/fake-issuer.js";

// biome-ignore lint/suspicious/noExplicitAny: test assertions walk arbitrary JSON
type Json = any;

async function call(h: Harness, token: string, method: string, path: string, body?: unknown) {
  const res = await fetch(`${h.url}/admin/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Json };
}

const inDays = (d: number) => new Date(Date.now() + d * 86_400_000).toISOString();

describe.each(ENGINES)(
  "self-service keys within the team's member caps ($engine)",
  { timeout: 120_000 },
  ({ fresh }) => {
    let issuer: FakeIssuer;
    let loc: TestLocation;
    let h: Harness;
    let browser: Browser;
    let ada: string;
    let wes: string;
    let teamId: string;

    /** A person signed in through the device flow (the browser at the identity provider): their sign-in token. */
    async function signIn(email: string): Promise<string> {
      const md = await metadata(h.url);
      const d = await authorize(md);
      expect(await browserStep(browser, d.verification_uri_complete, email)).toContain(`Signed in as ${email}`);
      const t = await pollUntilDone(md, d);
      expect(t.status).toBe(200);
      return t.body.access_token as string;
    }

    beforeAll(async () => {
      issuer = await startFakeIssuer();
      issuer.groups.set("ada@example.com", ["data-team"]);
      issuer.groups.set("wes@example.com", ["data-team"]);
      loc = await fresh();
      h = await startSigninGateway(issuer, loc);
      browser = await launch();
      const teams = (await call(h, ADMIN, "GET", "/teams")).body.data as { id: string; name: string }[];
      teamId =
        teams.find((t) => t.name === "data")?.id ??
        (await call(h, ADMIN, "POST", "/teams", { name: "data", budget: { usd: 100, period: "month" } })).body.id;
      ada = await signIn("ada@example.com");
      wes = await signIn("wes@example.com");
    });
    afterAll(async () => {
      await browser?.close();
      await h?.close();
      await issuer?.close();
      await loc?.drop();
    });

    it("refuses a member's key while the team sets no caps, and a key (not a person) minting its own", async () => {
      const none = await call(h, ada, "POST", "/me/keys", { name: "laptop" });
      expect(none.status).toBe(403);
      expect(none.body.error.message).toContain("team data sets no member caps");
      const key = (await call(h, ADMIN, "POST", "/keys", { name: "ci", team_id: teamId })).body.key as string;
      const byKey = await call(h, key, "POST", "/me/keys", { name: "more" });
      expect(byKey.status).toBe(403);
      expect(byKey.body.error.message).toContain("not with a key");
    });

    it("a team admin sets the caps; a member mints within them and is refused above each, the cap named", async () => {
      const caps = { budget_usd: 20, total_budget_usd: 30, max_keys: 2, max_expiry_days: 30, models: ["via-*"] };
      const set = await call(h, ADMIN, "POST", `/teams/${teamId}/member-caps`, caps);
      expect(set.status).toBe(200);
      expect(set.body).toEqual({ team_id: teamId, team: "data", caps });

      const over = await call(h, ada, "POST", "/me/keys", { name: "laptop", budget_usd: 50 });
      expect(over.status).toBe(403);
      expect(over.body.error).toMatchObject({
        message: "budget_usd 50 exceeds your cap 20 (team data: member_caps.budget_usd)",
        field: "budget_usd",
      });
      const models = await call(h, ada, "POST", "/me/keys", { name: "laptop", models: ["*"] });
      expect(models.status).toBe(403);
      expect(models.body.error.message).toContain("member_caps.models");
      const late = await call(h, ada, "POST", "/me/keys", { name: "laptop", expires_at: inDays(60) });
      expect(late.status).toBe(403);
      expect(late.body.error.message).toContain("member_caps.max_expiry_days");

      const first = await call(h, ada, "POST", "/me/keys", { name: "laptop", budget_usd: 20 });
      expect(first.status).toBe(201);
      expect(first.body).toMatchObject({
        name: "laptop",
        user: "ada@example.com",
        team_id: teamId,
        models: ["via-*"],
        budget: { usd: 20, period: "month" },
      });
      expect(first.body.key).toMatch(/^lx-/);
      expect(Date.parse(first.body.expires_at)).toBeLessThanOrEqual(Date.parse(inDays(30)) + 1000);

      const total = await call(h, ada, "POST", "/me/keys", { name: "desktop", budget_usd: 20 });
      expect(total.status).toBe(403);
      expect(total.body.error.message).toContain("(team data: member_caps.total_budget_usd)");
      // Without a budget of its own: the cap (20) is more than is left of the total (10): refused the same way.
      expect((await call(h, ada, "POST", "/me/keys", { name: "desktop" })).body.error.message).toContain(
        "member_caps.total_budget_usd",
      );
      const second = await call(h, ada, "POST", "/me/keys", { name: "desktop", budget_usd: 10 });
      expect(second.status).toBe(201);
      const third = await call(h, ada, "POST", "/me/keys", { name: "spare", budget_usd: 0 });
      expect(third.status).toBe(403);
      expect(third.body.error.message).toContain("your cap is 2 (team data: member_caps.max_keys)");

      // The member's key serves, under their name and their team (whose budget bounds it).
      const served = await messages(h, first.body.key, "via-anthropic");
      expect(served.status).toBe(200);

      // Each member sees and revokes their own keys only.
      const mine = await call(h, ada, "GET", "/me/keys");
      // Minted within the same second: their order is not asked.
      expect(mine.body.data.map((k: Json) => k.name).sort()).toEqual(["desktop", "laptop"]);
      expect(mine.body.data.find((k: Json) => k.name === "laptop").team).toMatchObject({
        name: "data",
        budget: { usd: 100, period: "month" },
      });
      expect((await call(h, wes, "GET", "/me/keys")).body.data).toEqual([]);
      expect((await call(h, wes, "DELETE", `/me/keys/${first.body.id}`)).status).toBe(404);
      expect((await call(h, ada, "DELETE", `/me/keys/${first.body.id}`)).body).toEqual({
        id: first.body.id,
        deleted: true,
      });
      expect((await messages(h, first.body.key, "via-anthropic")).status).toBe(401);
      expect((await call(h, ada, "GET", "/me/keys")).body.data.map((k: Json) => k.name)).toEqual(["desktop"]);

      // Audit rows: the caps set by the admin key, the member's keys minted and revoked by the member.
      const audit = (await call(h, ADMIN, "GET", "/audit?limit=100")).body.rows as Json[];
      const by = (action: string, actor: string) => audit.filter((r) => r.action === action && r.actor === actor);
      expect(by("team.member_caps", `admin key ${ADMIN.slice(0, 4)}…`).length).toBe(1);
      expect(by("key.create", "ada@example.com").filter((r) => r.outcome === "ok").length).toBe(2);
      expect(by("key.create", "ada@example.com").some((r) => r.outcome === "refused")).toBe(true);
      expect(by("key.revoke", "ada@example.com")[0]).toMatchObject({ via: "signin", target_id: first.body.id });
    });

    it("counts a member's mints at the same moment one after the other: together they stay within the caps", async () => {
      // The caps of the test above: 2 keys, 20 each, 30 in all. Six mints at once of 10 each: two are made.
      const all = await Promise.all(
        Array.from({ length: 6 }, (_, i) => call(h, wes, "POST", "/me/keys", { name: `burst-${i}`, budget_usd: 10 })),
      );
      expect(all.filter((r) => r.status === 201)).toHaveLength(2);
      const refused = all.filter((r) => r.status !== 201);
      expect(refused).toHaveLength(4);
      for (const r of refused) {
        expect(r.status).toBe(403);
        expect(r.body.error.message).toContain("(team data: member_caps.max_keys)");
      }
      expect((await call(h, wes, "GET", "/me/keys")).body.data).toHaveLength(2);
      // No key was left half-made: the refused mints' keys are not among the team's.
      const team = (await call(h, ADMIN, "GET", `/keys?team_id=${teamId}`)).body.data as Json[];
      expect(team.filter((k) => k.user === "wes@example.com")).toHaveLength(2);
    });

    it("refuses caps whose models are not within the team's", async () => {
      const other = (await call(h, ADMIN, "POST", "/teams", { name: "narrow", models: ["via-anthropic"] })).body;
      const bad = await call(h, ADMIN, "POST", `/teams/${other.id}/member-caps`, { models: ["via-*"] });
      expect(bad.status).toBe(400);
      expect(bad.body.error).toMatchObject({ field: "models" });
      expect(bad.body.error.message).toContain("not within team narrow's models");
    });
  },
);
