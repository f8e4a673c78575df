import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Harness } from "../support/gateway.js";
import { ADMIN, admin, call, startUiServer } from "./support/server.js";

const PAGE = { "x-llmux-ui": "1" };

/** The sign-in cookie a response set (name=value), and its attributes. */
function sessionCookie(headers: Headers): { pair: string; attrs: string } | undefined {
  const c = headers.getSetCookie().find((s) => s.startsWith("llmux_session="));
  if (!c) return undefined;
  const [pair, ...attrs] = c.split("; ");
  return { pair: pair!, attrs: attrs.join("; ") };
}

async function signIn(h: Harness, key: string, headers: Record<string, string> = {}) {
  return call(h.url, "POST", "/ui/auth/key", { body: { key }, headers: { ...PAGE, ...headers } });
}

describe("web UI: sign-in with a key, and what the sign-in may do", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startUiServer();
  });
  afterAll(() => h?.close());

  it("says no one is signed in, and which ways to sign in there are", async () => {
    const r = await call(h.url, "GET", "/ui/auth/session");
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ signed_in: false, sign_in: { key: true, oidc: null } });
    expect(r.headers.get("cache-control")).toBe("no-store");
  });

  it("an admin key gives an HttpOnly, SameSite=Strict cookie (Secure behind HTTPS) that the admin API accepts", async () => {
    const r = await signIn(h, ADMIN);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ signed_in: true, role: "admin", via: "admin_key" });
    expect(JSON.stringify(r.body)).not.toContain(ADMIN);
    const c = sessionCookie(r.headers)!;
    // 12 hours, counted from the sign-in (a second may pass before the cookie is written).
    expect(c.attrs).toMatch(/^Path=\/; Max-Age=(43200|4319\d); HttpOnly; SameSite=Strict$/);
    expect(c.pair).not.toContain(ADMIN.slice(0, 12));
    const behindTls = sessionCookie((await signIn(h, ADMIN, { "x-forwarded-proto": "https" })).headers)!;
    expect(behindTls.attrs).toMatch(/; Secure$/);

    const me = await call(h.url, "GET", "/ui/auth/session", { headers: { cookie: c.pair } });
    expect(me.body).toMatchObject({ signed_in: true, role: "admin" });
    const keys = await call(h.url, "GET", "/admin/v1/keys", { headers: { cookie: c.pair } });
    expect(keys.status).toBe(200);
    expect(keys.body.data).toEqual([]);
  });

  it("changes made with the cookie need the page's header (a cross-site form cannot send it)", async () => {
    const c = sessionCookie((await signIn(h, ADMIN)).headers)!;
    const bare = await call(h.url, "POST", "/admin/v1/teams", { body: { name: "t1" }, headers: { cookie: c.pair } });
    expect(bare.status).toBe(403);
    expect(bare.body.error.message).toMatch(/x-llmux-ui/);
    const fromPage = await call(h.url, "POST", "/admin/v1/teams", {
      body: { name: "t1" },
      headers: { cookie: c.pair, ...PAGE },
    });
    expect(fromPage.status).toBe(201);
    // Signing in itself needs the header too (no sign-in made by another site's form).
    const crossSite = await call(h.url, "POST", "/ui/auth/key", { body: { key: ADMIN } });
    expect(crossSite.status).toBe(403);
    expect(sessionCookie(crossSite.headers)).toBeUndefined();
  });

  it("a changed, foreign or missing cookie is no sign-in; a key sent along is what counts", async () => {
    const c = sessionCookie((await signIn(h, ADMIN)).headers)!;
    const value = c.pair.slice("llmux_session=".length);
    const flipped = `llmux_session=${value.slice(0, 20)}${value[20] === "A" ? "B" : "A"}${value.slice(21)}`;
    for (const cookie of [flipped, "llmux_session=", "llmux_session=garbage", `other=${value}`]) {
      const r = await call(h.url, "GET", "/admin/v1/keys", { headers: { cookie } });
      expect(r.status, cookie.slice(0, 30)).toBe(401);
    }
    const wrongKey = await call(h.url, "GET", "/admin/v1/keys", { key: "not-the-key", headers: { cookie: c.pair } });
    expect(wrongKey.status).toBe(401);
  });

  it("a wrong key is refused with words, and sets no cookie", async () => {
    const r = await signIn(h, "lx-not-a-real-key");
    expect(r.status).toBe(401);
    expect(r.body.error.message).toMatch(/not a valid llmux key/);
    expect(sessionCookie(r.headers)).toBeUndefined();
    const empty = await signIn(h, "  ");
    expect(empty.status).toBe(400);
    expect(empty.body.error.field).toBe("key");
  });

  it("a minted key signs its holder in to their own view only; revoking the key ends it", async () => {
    const minted = await admin(h, "POST", "/keys", { name: "bob-laptop", user: "bob" });
    const r = await signIn(h, minted.body.key);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      signed_in: true,
      role: "key",
      via: "key",
      name: "bob-laptop",
      key_id: minted.body.id,
    });
    const c = sessionCookie(r.headers)!;
    expect(c.pair).not.toContain(minted.body.key.slice(3, 15));
    // Not an admin: the admin routes refuse the key holder's sign-in.
    const keys = await call(h.url, "GET", "/admin/v1/keys", { headers: { cookie: c.pair } });
    expect(keys.status).toBe(401);
    const create = await call(h.url, "POST", "/admin/v1/keys", {
      body: { name: "x" },
      headers: { cookie: c.pair, ...PAGE },
    });
    expect(create.status).toBe(401);

    await admin(h, "DELETE", `/keys/${minted.body.id}`);
    const after = await call(h.url, "GET", "/ui/auth/session", { headers: { cookie: c.pair } });
    expect(after.body.signed_in).toBe(false);
    expect(sessionCookie(after.headers)?.attrs).toMatch(/Max-Age=0/);
    const again = await signIn(h, minted.body.key);
    expect(again.status).toBe(401);
    expect(again.body.error.message).toMatch(/revoked/);
  });

  it("signing out clears the cookie", async () => {
    const c = sessionCookie((await signIn(h, ADMIN)).headers)!;
    const out = await call(h.url, "POST", "/ui/auth/logout", { headers: { cookie: c.pair, ...PAGE } });
    expect(out.status).toBe(200);
    expect(sessionCookie(out.headers)).toEqual({
      pair: "llmux_session=",
      attrs: "Path=/; Max-Age=0; HttpOnly; SameSite=Strict",
    });
  });
});

describe("web UI: sign-ins across instances and configurations", () => {
  it("another instance with the same configuration accepts the sign-in; one without that admin key does not", async () => {
    const a = await startUiServer();
    const b = await startUiServer();
    const other = await startUiServer(() => ({ admin: { keys: ["a-different-admin-key-0123456789"] } }));
    try {
      const c = sessionCookie((await signIn(a, ADMIN)).headers)!;
      expect((await call(b.url, "GET", "/admin/v1/teams", { headers: { cookie: c.pair } })).status).toBe(200);
      expect((await call(other.url, "GET", "/admin/v1/teams", { headers: { cookie: c.pair } })).status).toBe(401);
    } finally {
      await Promise.all([a.close(), b.close(), other.close()]);
    }
  });

  it("an admin-key sign-in ends when its key leaves admin.keys, even with a fixed session_secret", async () => {
    const secret = "a-fixed-session-secret-0123456789";
    const a = await startUiServer(() => ({ admin: { ui: { session_secret: secret } } }));
    const rotated = await startUiServer(() => ({
      admin: { keys: ["the-next-admin-key-0123456789"], ui: { session_secret: secret } },
    }));
    try {
      const c = sessionCookie((await signIn(a, ADMIN)).headers)!;
      expect((await call(a.url, "GET", "/admin/v1/teams", { headers: { cookie: c.pair } })).status).toBe(200);
      expect((await call(rotated.url, "GET", "/admin/v1/teams", { headers: { cookie: c.pair } })).status).toBe(401);
    } finally {
      await Promise.all([a.close(), rotated.close()]);
    }
  });
});
