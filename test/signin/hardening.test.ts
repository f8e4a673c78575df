/**
 * Claude Code sign-in holds (issue 48, items 8 and 16), on SQLite and PostgreSQL: an address is parsed
 * strictly against `allowed_domains` (`q@evil.example@example.com` is at no domain, a subdomain is not the
 * domain); every refresh asks the identity provider, so a person removed there is refused at their next
 * refresh (by the provider's refresh grant, or its userinfo endpoint when it gave no refresh token), while a
 * provider that does not answer does not end anyone's session; the provider's tokens are never in the
 * database in the clear.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { digest } from "../../src/signin/tokens.js";
import { ENGINES, type TestLocation } from "../support/engines.js";
import { type Harness, startHarness } from "../support/gateway.js";
import { type FakeIssuer, startFakeIssuer } from "../ui/support/fake-issuer.js";
import { authorize, form, type Metadata, metadata, pollUntilDone } from "./support/device-client.js";
import { signInAs } from "./support/page-steps.js";
import { messages, signinConfig, until } from "./support/signin-gateway.js";

describe.each(ENGINES)("sign-in hardening ($engine)", { timeout: 120_000 }, ({ fresh }) => {
  let issuer: FakeIssuer;
  let loc: TestLocation;
  let h: Harness;
  let md: Metadata;

  beforeAll(async () => {
    issuer = await startFakeIssuer();
    for (const who of ["ada@example.com", "bob@example.com", "cy@example.com", "di@example.com", "ed@example.com"])
      issuer.groups.set(who, ["data-team"]);
    issuer.groups.set("q@evil.example@example.com", ["data-team"]);
    issuer.groups.set("sub@dev.example.com", ["data-team"]);
    loc = await fresh();
    const cfg = signinConfig(issuer);
    h = await startHarness(() => ({
      store: { path: loc.path, ...(loc.url ? { url: loc.url } : {}) },
      logging: { level: "warn" },
      signin: { ...cfg, oidc: { ...cfg.oidc, allowed_domains: ["Example.com"] } },
    }));
    md = await metadata(h.url);
  });
  afterAll(async () => {
    await h?.close();
    await issuer?.close();
    await loc?.drop();
  });

  /** A person signed in through the verification page: their tokens. */
  async function signedIn(email: string) {
    const d = await authorize(md);
    const done = await signInAs(h.url, issuer, d.user_code, email);
    expect(done.status, done.text).toBe(200);
    const t = await pollUntilDone(md, d);
    expect(t.status).toBe(200);
    return t.body as { access_token: string; refresh_token: string };
  }
  const refresh = (token: string) => form(md.token_endpoint, { grant_type: "refresh_token", refresh_token: token });

  it("refuses an address with two @ and a subdomain; takes the domain in any case", async () => {
    for (const email of ["q@evil.example@example.com", "sub@dev.example.com"]) {
      const d = await authorize(md);
      const done = await signInAs(h.url, issuer, d.user_code, email);
      expect(done.status, email).toBe(403);
      expect((await pollUntilDone(md, d)).body.error).toBe("access_denied");
    }
    // The configured domain's case does not matter (Example.com), nor the address's.
    issuer.groups.set("Bob@EXAMPLE.com", ["data-team"]);
    const d = await authorize(md);
    expect((await signInAs(h.url, issuer, d.user_code, "Bob@EXAMPLE.com")).text).toContain(
      "Signed in as bob@example.com",
    );
  });

  it("a person removed at the identity provider is refused at the next refresh, and their session ends", async () => {
    const t = await signedIn("ada@example.com");
    const r = await refresh(t.refresh_token);
    expect(r.status).toBe(200);
    // llmux asked the provider with its refresh token.
    expect(issuer.seen.token.at(-1)?.get("grant_type")).toBe("refresh_token");
    expect((await messages(h, r.body.access_token, "via-anthropic")).status).toBe(200);
    issuer.remove("ada@example.com");
    const refused = await refresh(r.body.refresh_token);
    expect(refused.status).toBe(401);
    expect(refused.body.error).toBe("invalid_grant");
    // The session is over: its access token is refused too, well before it would have expired.
    await until(
      async () => ((await messages(h, r.body.access_token, "via-anthropic")).status === 401 ? true : undefined),
      3000,
    );
  });

  it("without a provider refresh token, asks its userinfo endpoint with the access token", async () => {
    issuer.refreshTokens = false;
    try {
      const t = await signedIn("cy@example.com");
      const r = await refresh(t.refresh_token);
      expect(r.status).toBe(200);
      issuer.remove("cy@example.com");
      const refused = await refresh(r.body.refresh_token);
      expect(refused.status).toBe(401);
      expect(refused.body.error).toBe("invalid_grant");
    } finally {
      issuer.refreshTokens = true;
    }
  });

  it("a provider that does not answer ends no session; once it answers again, a removal is refused", async () => {
    const t = await signedIn("di@example.com");
    issuer.down = true;
    let r: Awaited<ReturnType<typeof refresh>>;
    try {
      r = await refresh(t.refresh_token);
      expect(r.status).toBe(200);
    } finally {
      issuer.down = false;
    }
    expect((await messages(h, r.body.access_token, "via-anthropic")).status).toBe(200);
    const again = await refresh(r.body.refresh_token);
    expect(again.status).toBe(200);
    issuer.remove("di@example.com");
    expect((await refresh(again.body.refresh_token)).status).toBe(401);
  });

  it("keeps the provider's tokens only sealed; a session made without them is refused at refresh", async () => {
    const t = await signedIn("ed@example.com");
    const r = await refresh(t.refresh_token);
    expect(r.status).toBe(200);
    const providerRefresh = issuer.seen.token.at(-1)!.get("refresh_token")!;
    expect(providerRefresh.length).toBeGreaterThan(10);
    const db = await h.gateway.team!.data.db();
    const rows = JSON.stringify([
      await db.selectFrom("signin_sessions").selectAll().execute(),
      await db.selectFrom("signin_devices").selectAll().execute(),
    ]);
    expect(rows).not.toContain(providerRefresh);
    // A session with nothing to ask the provider with (made before llmux kept its tokens).
    const store = h.gateway.signin!.store;
    const now = Math.floor(Date.now() / 1000);
    await store.createSession({
      identity: { subject: "sub-old", email: "old@example.com", name: null, groups: ["data-team"] },
      teamId: null,
      surface: "claude_code",
      userAgent: "test",
      accessHash: digest("lxs-old-session-access"),
      accessExpiresAt: now + 600,
      refreshHash: digest("lxr-old-session-refresh"),
      expiresAt: now + 3600,
    });
    const old = await refresh("lxr-old-session-refresh");
    expect(old.status).toBe(401);
    expect(old.body.error).toBe("invalid_grant");
  });
});
