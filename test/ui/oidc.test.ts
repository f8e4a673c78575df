import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Harness } from "../support/gateway.js";
import { launch, open, unexpected, type Watched } from "./support/browser.js";
import { type FakeIssuer, startFakeIssuer } from "./support/fake-issuer.js";
import { call, startUiServer } from "./support/server.js";

/**
 * OpenID Connect sign-in through a real browser: llmux discovers the fake provider, sends the browser
 * there with PKCE, state and nonce, exchanges the code with its client secret, checks the signed ID token,
 * and maps the email to a role. Read-only sign-ins can look but the admin API refuses their changes.
 */
describe("web UI: OpenID Connect sign-in", { timeout: 60_000 }, () => {
  let issuer: FakeIssuer;
  let h: Harness;
  let browser: Browser;

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
    browser = await launch();
  });
  afterAll(async () => {
    await browser?.close();
    await h?.close();
    await issuer?.close();
  });

  /** Opens a page of the UI, goes through the provider's form with an email, and lands back signed in (or not). */
  async function signIn(email: string, prefix: string, path = "/ui/keys"): Promise<Watched> {
    const w = await open(browser, h.url, prefix);
    await w.page.goto(path);
    await w.shot("1-sign-in");
    await w.page.getByRole("link", { name: "Sign in with Example SSO" }).click();
    await w.page.getByRole("heading", { name: "Example SSO" }).waitFor();
    await w.page.getByLabel("Email").fill(email);
    await w.page.getByRole("button", { name: "Continue" }).click();
    await w.page.waitForURL((u) => u.pathname.startsWith("/ui/") && !u.pathname.startsWith("/ui/auth/"));
    return w;
  }

  it("an admin address signs in as admin, returns to the page it started on, and can create keys", async () => {
    const w = await signIn("ada@example.com", "oidc-admin");
    try {
      expect(new URL(w.page.url()).pathname).toBe("/ui/keys");
      await w.page.getByRole("button", { name: "Sign out" }).waitFor();
      expect(await w.page.locator(".who .badge").textContent()).toBe("admin");
      expect(await w.page.locator(".who-name").textContent()).toBe("ada");
      await w.page.getByRole("button", { name: "Create key" }).waitFor();
      await w.shot("2-signed-in");

      // What llmux asked the provider for: the code flow with PKCE (S256), state, nonce; the token call
      // carried the verifier (the provider checked it against the challenge before answering).
      const asked = issuer.seen.authorize.at(-1)!;
      expect(asked.get("code_challenge_method")).toBe("S256");
      expect(asked.get("redirect_uri")).toBe(`${h.url}/ui/auth/oidc/callback`);
      expect(issuer.seen.token.at(-1)!.get("code_verifier")!.length).toBeGreaterThanOrEqual(43);

      // The cookie works for the admin API, changes included (from the page, with its header).
      const made = await w.context.request.post(`${h.url}/admin/v1/teams`, {
        headers: { "x-llmux-ui": "1" },
        data: { name: "made-by-ada" },
      });
      expect(made.status()).toBe(201);
      // The cookie is HttpOnly: the page's scripts cannot read it.
      expect(await w.page.evaluate("document.cookie")).toBe("");
      const cookies = await w.context.cookies(h.url);
      const session = cookies.find((c) => c.name === "llmux_session")!;
      expect(session).toMatchObject({ httpOnly: true, sameSite: "Strict", path: "/" });
      expect(unexpected(w.errors)).toEqual([]);
    } finally {
      await w.close();
    }
  });

  it("a read-only address sees keys but no way to change them, and the admin API refuses its changes", async () => {
    const w = await signIn("rob@example.com", "oidc-read-only");
    try {
      await w.page.getByRole("heading", { name: "Keys" }).waitFor();
      expect(await w.page.locator(".who .badge").textContent()).toBe("read-only");
      await w.page.getByText("You are signed in read-only").waitFor();
      expect(await w.page.getByRole("button", { name: "Create key" }).count()).toBe(0);
      await w.page.getByRole("link", { name: "Teams" }).click();
      await w.page.getByRole("heading", { name: "Teams" }).waitFor();
      await w.page.getByRole("cell", { name: "made-by-ada" }).waitFor();
      expect(await w.page.getByRole("button", { name: /Delete/ }).count()).toBe(0);
      await w.shot("2-teams-read-only");

      // Looking works with the cookie; changing does not, even with the page's header.
      const list = await w.context.request.get(`${h.url}/admin/v1/keys`);
      expect(list.status()).toBe(200);
      const teams = await call(h.url, "GET", "/admin/v1/teams", { key: "ui-admin-key-0123456789abcdef" });
      const target = teams.body.data[0].id as string;
      for (const [method, path, data] of [
        ["POST", "/admin/v1/keys", { name: "sneaky" }],
        ["PATCH", `/admin/v1/teams/${target}`, { name: "renamed" }],
        ["DELETE", `/admin/v1/teams/${target}`, undefined],
      ] as const) {
        const res = await w.context.request.fetch(`${h.url}${path}`, {
          method,
          headers: { "x-llmux-ui": "1" },
          ...(data ? { data } : {}),
        });
        expect(res.status(), `${method} ${path}`).toBe(403);
        expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/read-only/);
      }
      const after = await call(h.url, "GET", `/admin/v1/teams/${target}`, { key: "ui-admin-key-0123456789abcdef" });
      expect(after.body.name).toBe("made-by-ada");
      expect(unexpected(w.errors)).toEqual([]);
    } finally {
      await w.close();
    }
  });

  it("an address the configuration does not name is turned away, and told why", async () => {
    const w = await signIn("mallory@evil.example", "oidc-refused");
    try {
      await w.page.getByRole("alert").filter({ hasText: "mallory@evil.example may not sign in here" }).waitFor();
      expect(await w.page.getByRole("button", { name: "Sign out" }).count()).toBe(0);
      expect((await w.context.cookies(h.url)).some((c) => c.name === "llmux_session")).toBe(false);
      await w.shot("2-refused");
      expect(unexpected(w.errors)).toEqual([]);
    } finally {
      await w.close();
    }
  });

  it("an ID token not signed by the provider's published key is refused (the signature is checked)", async () => {
    issuer.forge = true;
    try {
      const w = await signIn("ada@example.com", "oidc-forged");
      try {
        await w.page.getByRole("alert").filter({ hasText: "JWT signature verification failed" }).waitFor();
        expect((await w.context.cookies(h.url)).some((c) => c.name === "llmux_session")).toBe(false);
        expect(unexpected(w.errors)).toEqual([]);
      } finally {
        await w.close();
      }
    } finally {
      issuer.forge = false;
    }
  });

  it("an unverified email is refused", async () => {
    issuer.emailVerified = false;
    try {
      const w = await signIn("ada@example.com", "oidc-unverified");
      try {
        await w.page.getByRole("alert").filter({ hasText: "is not verified" }).waitFor();
        expect(unexpected(w.errors)).toEqual([]);
      } finally {
        await w.close();
      }
    } finally {
      issuer.emailVerified = true;
    }
  });

  it("a callback without the sign-in's own cookie (started elsewhere) signs no one in", async () => {
    const res = await call(h.url, "GET", "/ui/auth/oidc/callback?code=abc&state=xyz");
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toMatch(/^\/ui\/sign-in\?error=/);
    expect(res.headers.getSetCookie().some((c) => c.startsWith("llmux_session=") && !/Max-Age=0/.test(c))).toBe(false);
  });
});
