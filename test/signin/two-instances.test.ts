import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SIGNIN_SESSION_CACHE_MS } from "../../src/signin/resolver.js";
import { freshPostgres, type TestLocation } from "../support/engines.js";
import type { Harness } from "../support/gateway.js";
import { sleep } from "../support/team.js";
import { launch } from "../ui/support/browser.js";
import { type FakeIssuer, startFakeIssuer } from "../ui/support/fake-issuer.js";
import { authorize, browserStep, form, metadata, pollUntilDone } from "./support/device-client.js";
import { messages, startSigninGateway } from "./support/signin-gateway.js";

/**
 * Two llmux instances on one PostgreSQL: a sign-in started on one completes on the other (device codes and
 * sessions are in the data layer), its token works on both, and a sign-out on one is refused on the other
 * once the session it remembered is older than SIGNIN_SESSION_CACHE_MS (1 s).
 */
describe("Claude Code sign-in across two instances sharing PostgreSQL", { timeout: 120_000 }, () => {
  let issuer: FakeIssuer;
  let loc: TestLocation;
  let a: Harness;
  let b: Harness;
  let browser: Browser;

  beforeAll(async () => {
    issuer = await startFakeIssuer();
    issuer.groups.set("ada@example.com", ["data-team"]);
    loc = await freshPostgres();
    a = await startSigninGateway(issuer, loc);
    b = await startSigninGateway(issuer, { ...loc, path: `${loc.path}-b` });
    browser = await launch();
  });
  afterAll(async () => {
    await browser?.close();
    await a?.close();
    await b?.close();
    await issuer?.close();
    await loc?.drop();
  });

  it("starts on one instance, completes on the other, and a revocation on one is refused on both", async () => {
    const onA = await metadata(a.url);
    const onB = await metadata(b.url);
    const d = await authorize(onA);
    // The browser step on B's verification page, the polling on B.
    const page = await browserStep(browser, `${b.url}/device?user_code=${d.user_code}`, "ada@example.com");
    expect(page).toContain("Signed in as ada@example.com");
    const t = await pollUntilDone(onB, d);
    expect(t.status).toBe(200);
    expect(t.body.email).toBe("ada@example.com");
    expect((await messages(a, t.body.access_token, "via-anthropic")).status).toBe(200);
    expect((await messages(b, t.body.access_token, "via-anthropic")).status).toBe(200);

    // Refreshed on A, the new token works on B.
    const r = await form(onA.token_endpoint, { grant_type: "refresh_token", refresh_token: t.body.refresh_token });
    expect(r.status).toBe(200);
    expect((await messages(b, r.body.access_token, "via-anthropic")).status).toBe(200);

    // Signed out on B: A refuses the token once the session it remembers expired from its memory (at most
    // SIGNIN_SESSION_CACHE_MS after A read it, which was before the sign-out): waited for, however long the
    // requests take on a busy machine.
    expect((await form(onB.revocation_endpoint!, { token: r.body.access_token })).status).toBe(200);
    await sleep(SIGNIN_SESSION_CACHE_MS + 50);
    expect((await messages(a, r.body.access_token, "via-anthropic")).status).toBe(401);
    expect((await messages(b, r.body.access_token, "via-anthropic")).status).toBe(401);
  });
});
