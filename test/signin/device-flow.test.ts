import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ENGINES, type TestLocation } from "../support/engines.js";
import type { Harness } from "../support/gateway.js";
import { launch } from "../ui/support/browser.js";
import { type FakeIssuer, startFakeIssuer } from "../ui/support/fake-issuer.js";
import {
  authorize,
  browserStep,
  form,
  type Metadata,
  metadata,
  pollOnce,
  pollUntilDone,
} from "./support/device-client.js";
import { ADMIN, adminGet, messages, signinConfig, startSigninGateway, until } from "./support/signin-gateway.js";

describe.each(ENGINES)("Claude Code sign-in, protocol level ($engine)", { timeout: 120_000 }, ({ fresh }) => {
  let issuer: FakeIssuer;
  let loc: TestLocation;
  let h: Harness;
  let browser: Browser;
  let md: Metadata;

  beforeAll(async () => {
    issuer = await startFakeIssuer();
    issuer.groups.set("ada@example.com", ["engineering", "data-team"]);
    issuer.groups.set("wes@example.com", ["web-team"]);
    loc = await fresh();
    h = await startSigninGateway(issuer, loc);
    browser = await launch();
  });
  afterAll(async () => {
    await browser?.close();
    await h?.close();
    await issuer?.close();
    await loc?.drop();
  });

  it("serves the discovery document with the device, token and revocation endpoints on its own origin", async () => {
    md = await metadata(h.url);
    expect(md).toMatchObject({
      issuer: h.url,
      device_authorization_endpoint: `${h.url}/oauth/device_authorization`,
      token_endpoint: `${h.url}/oauth/token`,
      revocation_endpoint: `${h.url}/oauth/revoke`,
    });
    expect(md.grant_types_supported).toEqual(["urn:ietf:params:oauth:grant-type:device_code", "refresh_token"]);
    expect(md).not.toHaveProperty("authorization_endpoint");
  });

  it("refuses a caller who did not sign in (llmux asks no key of its own, so sign-in closes it)", async () => {
    const res = await fetch(`${h.url}/v1/messages`, {
      method: "POST",
      headers: { "content-type": "application/json", "anthropic-version": "2023-06-01" },
      body: JSON.stringify({ model: "via-anthropic", max_tokens: 8, messages: [{ role: "user", content: "hi" }] }),
    });
    expect(res.status).toBe(401);
    expect(await res.text()).toContain("/login");
    expect((await messages(h, "lxs-not-a-token", "via-anthropic")).status).toBe(401);
  });

  it("signs a person in: device code → browser at the identity provider → token → a request attributed to them and their team → refresh → revoke → refused", async () => {
    const d = await authorize(md);
    expect(d.user_code).toMatch(/^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/);
    expect(d.verification_uri).toBe(`${h.url}/device`);
    expect(d.verification_uri_complete).toBe(`${h.url}/device?user_code=${d.user_code}`);
    expect(d.interval).toBe(1);
    expect(d.device_code.length).toBeGreaterThanOrEqual(43);

    // Before the browser step: pending; polled again at once: slow down.
    expect((await pollOnce(md, d.device_code)).body).toEqual({ error: "authorization_pending" });
    expect((await pollOnce(md, d.device_code)).body).toEqual({ error: "slow_down" });

    const page = await browserStep(browser, d.verification_uri_complete, "ada@example.com", { shot: "signin-ada" });
    expect(page).toContain("Signed in as ada@example.com");
    const asked = issuer.seen.authorize.at(-1)!;
    expect(asked.get("redirect_uri")).toBe(`${h.url}/oauth/callback`);
    expect(asked.get("code_challenge_method")).toBe("S256");

    const t = await pollUntilDone(md, d);
    expect(t.status).toBe(200);
    expect(t.body).toMatchObject({ token_type: "Bearer", expires_in: 300, email: "ada@example.com" });
    expect(t.body.access_token).toMatch(/^lxs-/);
    expect(t.body.refresh_token).toMatch(/^lxr-/);
    // The device code is single-use.
    expect((await pollOnce(md, d.device_code)).body.error).toBe("expired_token");

    // A request through the built-in mock, attributed to the person and their group's team.
    const ok = await messages(h, t.body.access_token, "via-anthropic");
    expect(ok.status).toBe(200);
    const okId = ok.headers.get("x-request-id")!;
    expect(((await ok.json()) as { type: string }).type).toBe("message");
    const teams = (await adminGet(h, "/teams")).data as { id: string; name: string }[];
    const data = teams.find((x) => x.name === "data")!;
    expect(data).toBeDefined();
    const row = await until(async () => {
      const rows = (await adminGet(h, `/requests?user=ada@example.com`)).rows as Record<string, unknown>[];
      return rows.find((r) => r.id === okId);
    }, 5000);
    expect(row).toMatchObject({ user: "ada@example.com", team_id: data.id, key_name: "signin:ada@example.com" });

    // The group's allow-list: another model is refused.
    const denied = await messages(h, t.body.access_token, "via-openai-chat");
    expect(denied.status).toBeGreaterThanOrEqual(400);
    expect(denied.status).toBeLessThan(500);

    // Managed settings of the group, with the checksum Claude Code computes, and a 304 on a match.
    const ms = await fetch(`${h.url}/managed/settings`, {
      headers: { authorization: `Bearer ${t.body.access_token}` },
    });
    expect(ms.status).toBe(200);
    const doc = (await ms.json()) as { uuid: string; checksum: string; settings: Record<string, unknown> };
    expect(doc.settings).toEqual(signinConfig(issuer).groups["data-team"].settings);
    expect(doc.checksum).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(ms.headers.get("etag")).toBe(`"${doc.checksum}"`);
    const again = await fetch(`${h.url}/managed/settings`, {
      headers: { authorization: `Bearer ${t.body.access_token}`, "if-none-match": `"${doc.checksum}"` },
    });
    expect(again.status).toBe(304);
    // Telemetry is accepted (and not kept).
    const otlp = await fetch(`${h.url}/v1/metrics`, {
      method: "POST",
      headers: { authorization: `Bearer ${t.body.access_token}`, "content-type": "application/json" },
      body: JSON.stringify({ resourceMetrics: [] }),
    });
    expect(otlp.status).toBe(200);

    // Refresh: new tokens; the old access token is replaced, the old refresh token is spent.
    const r = await form(md.token_endpoint, { grant_type: "refresh_token", refresh_token: t.body.refresh_token });
    expect(r.status).toBe(200);
    expect(r.body.access_token).not.toBe(t.body.access_token);
    expect((await messages(h, r.body.access_token, "via-anthropic")).status).toBe(200);
    await until(
      async () => ((await messages(h, t.body.access_token, "via-anthropic")).status === 401 ? true : undefined),
      3000,
    );

    // Sign-out: the client revokes its tokens; the access token is refused (401, do not retry).
    expect((await form(md.revocation_endpoint!, { token: r.body.access_token })).status).toBe(200);
    const refused = await until(async () => {
      const res = await messages(h, r.body.access_token, "via-anthropic");
      return res.status === 401 ? res : undefined;
    }, 3000);
    expect(refused.headers.get("x-should-retry")).toBe("false");
    const noRefresh = await form(md.token_endpoint, {
      grant_type: "refresh_token",
      refresh_token: r.body.refresh_token,
    });
    expect(noRefresh.status).toBe(401);
    expect(noRefresh.body.error).toBe("invalid_grant");
    const gone = await fetch(`${h.url}/managed/settings`, {
      headers: { authorization: `Bearer ${r.body.access_token}` },
    });
    expect(gone.status).toBe(401);
  });

  it("a second group gets its own team, allow-list and managed settings", async () => {
    const d = await authorize(md);
    expect(await browserStep(browser, d.verification_uri_complete, "wes@example.com")).toContain("Signed in");
    const t = await pollUntilDone(md, d);
    expect(t.status).toBe(200);
    expect((await messages(h, t.body.access_token, "via-openai-chat")).status).toBe(200);
    const refused = await messages(h, t.body.access_token, "via-anthropic");
    expect(refused.status).toBeGreaterThanOrEqual(400);
    expect(refused.status).toBeLessThan(500);
    const ms = await fetch(`${h.url}/managed/settings`, {
      headers: { authorization: `Bearer ${t.body.access_token}` },
    });
    expect(((await ms.json()) as { settings: unknown }).settings).toEqual({ availableModels: ["via-openai-chat"] });
  });

  it("an admin sees who is signed in, from which client, since when, and ends a session", async () => {
    const d = await authorize(md);
    await browserStep(browser, d.verification_uri_complete, "ada@example.com");
    const t = await pollUntilDone(md, d);
    expect((await messages(h, t.body.access_token, "via-anthropic")).status).toBe(200);
    const live = (await adminGet(h, "/signin-sessions")).data as Record<string, unknown>[];
    const mine = live.find((s) => s.email === "ada@example.com")!;
    expect(mine).toMatchObject({
      groups: ["engineering", "data-team"],
      surface: "claude_code",
      user_agent: "claude-code/2.1.330 (protocol test)",
    });
    expect(JSON.stringify(live)).not.toContain(t.body.access_token);
    const ended = await fetch(`${h.url}/admin/v1/signin-sessions/${mine.id}`, {
      method: "DELETE",
      headers: { authorization: `Bearer ${ADMIN}` },
    });
    expect(ended.status).toBe(200);
    await until(
      async () => ((await messages(h, t.body.access_token, "via-anthropic")).status === 401 ? true : undefined),
      2000,
    );
    const audit = (await adminGet(h, "/audit")).rows as Record<string, unknown>[];
    expect(audit.some((a) => a.action === "signin_session.end" && a.target_id === mine.id)).toBe(true);
  });

  it("the verification page counts wrong codes per address without locking out the right one (RFC 8628 §5.1)", async () => {
    const page = (code: string) => fetch(`${h.url}/device?user_code=${code}`);
    const wrong: number[] = [];
    for (let i = 0; i < 10; i++) wrong.push((await page("BCDF-GHJK")).status);
    expect(wrong).toEqual(Array(10).fill(400));
    const d = await authorize(md);
    // The right code from the same address still opens its page (the bound per address is much higher:
    // test/signin/verify-limits.test.ts).
    expect((await page(d.user_code)).status).toBe(200);
  });

  it("a denied code, a person in no configured group, and a reused refresh token end in refusals", async () => {
    const d = await authorize(md);
    expect(await browserStep(browser, d.verification_uri_complete, "ada@example.com", { deny: true })).toContain(
      "not signed in",
    );
    expect((await pollUntilDone(md, d)).body.error).toBe("access_denied");

    const e = await authorize(md);
    const page = await browserStep(browser, e.verification_uri_complete, "eve@example.com");
    expect(page).toContain("eve@example.com is in no group that may sign in");
    expect((await pollUntilDone(md, e)).body.error).toBe("access_denied");

    const f = await authorize(md);
    await browserStep(browser, f.verification_uri_complete, "ada@example.com");
    const t = await pollUntilDone(md, f);
    const once = await form(md.token_endpoint, { grant_type: "refresh_token", refresh_token: t.body.refresh_token });
    expect(once.status).toBe(200);
    // The spent refresh token again: someone holds a copy, so the whole session ends.
    const twice = await form(md.token_endpoint, { grant_type: "refresh_token", refresh_token: t.body.refresh_token });
    expect(twice.status).toBe(401);
    await until(
      async () => ((await messages(h, once.body.access_token, "via-anthropic")).status === 401 ? true : undefined),
      3000,
    );
  });
});
