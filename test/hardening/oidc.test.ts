/**
 * OpenID Connect sign-in holds: an address the provider does not say is verified is refused (unless
 * `allow_unverified_email`), an address is parsed strictly (`x@evil.example@example.com` is not at
 * example.com), and the redirect URI is never made from a request's Host or X-Forwarded-Host without
 * `trust_proxy`.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Harness } from "../support/gateway.js";
import { type FakeIssuer, startFakeIssuer } from "../ui/support/fake-issuer.js";
import { startUiServer } from "../ui/support/server.js";

/** The cookies a response sets, as `name=value` pairs. */
const cookiesOf = (res: Response) => res.headers.getSetCookie().map((c) => c.split(";")[0]!);

/** Goes through the sign-in with fetch alone: start, the provider's form, the callback. The session cookie, if any. */
async function signIn(h: Harness, issuer: FakeIssuer, email: string): Promise<string | undefined> {
  const start = await fetch(`${h.url}/ui/auth/oidc/start`, { redirect: "manual" });
  expect(start.status).toBe(302);
  const flow = cookiesOf(start).join("; ");
  const asked = new URL(start.headers.get("location")!).searchParams;
  const form = new URLSearchParams({ email });
  for (const k of ["redirect_uri", "state", "nonce", "code_challenge"]) form.set(k, asked.get(k) ?? "");
  const back = await fetch(`${issuer.url}/authorize/submit`, { method: "POST", body: form, redirect: "manual" });
  const done = await fetch(back.headers.get("location")!, { headers: { cookie: flow }, redirect: "manual" });
  await done.arrayBuffer();
  return cookiesOf(done).find((c) => c.startsWith("llmux_session=") && c.length > "llmux_session=".length);
}

describe("OpenID Connect sign-in", () => {
  let issuer: FakeIssuer;
  let h: Harness;
  beforeAll(async () => {
    issuer = await startFakeIssuer();
    h = await startUiServer(() => ({
      admin: {
        oidc: {
          issuer: issuer.url,
          client_id: issuer.clientId,
          client_secret: issuer.clientSecret,
          allowed_domains: ["example.com"],
        },
      },
    }));
  });
  afterAll(async () => {
    await h.close();
    await issuer.close();
  });

  it("an email the provider does not say is verified is refused; a verified one signs in", async () => {
    const state = issuer as unknown as { emailVerified: unknown };
    for (const claim of [undefined, "false", false]) {
      state.emailVerified = claim;
      expect(await signIn(h, issuer, "ann@example.com"), `email_verified: ${String(claim)}`).toBeUndefined();
    }
    state.emailVerified = true;
    expect(await signIn(h, issuer, "ann@example.com")).toBeDefined();
  });

  it("an address with two @ is not at the domain after the last one", async () => {
    (issuer as unknown as { emailVerified: unknown }).emailVerified = true;
    expect(await signIn(h, issuer, "x@evil.example@example.com")).toBeUndefined();
  });

  it("the redirect URI is not made from Host or X-Forwarded-Host", async () => {
    const tries: Record<string, string>[] = [{ "x-forwarded-host": "evil.example" }, { host: "evil.example" }];
    for (const headers of tries) {
      const start = await fetch(`${h.url}/ui/auth/oidc/start`, { headers, redirect: "manual" });
      await start.arrayBuffer();
      const location = start.headers.get("location") ?? "";
      expect(location).not.toContain("evil.example");
    }
  });
});
