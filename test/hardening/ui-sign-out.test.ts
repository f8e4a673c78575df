/**
 * Signing out of the web UI ends the sign-in on the server: a copy of the cookie taken before stops working,
 * for the UI and the admin API, on every instance sharing the database.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ENGINES, type TestLocation } from "../support/engines.js";
import type { Harness } from "../support/gateway.js";
import { ADMIN, teamHarness } from "../support/team.js";

const PAGE = { "x-llmux-ui": "1", "content-type": "application/json" };

describe.each(ENGINES)("web UI sign-out on $engine", ({ fresh }) => {
  let where: TestLocation;
  let a: Harness;
  let b: Harness;
  beforeAll(async () => {
    where = await fresh();
    a = await teamHarness(where);
    b = await teamHarness(where);
  });
  afterAll(async () => {
    await a.close();
    await b.close();
    await where.drop();
  });

  it("a copied cookie stops working once its sign-in signed out", async () => {
    const signIn = await fetch(`${a.url}/ui/auth/key`, {
      method: "POST",
      headers: PAGE,
      body: JSON.stringify({ key: ADMIN }),
    });
    expect(signIn.status).toBe(200);
    const cookie = signIn.headers
      .getSetCookie()
      .map((c) => c.split(";")[0]!)
      .find((c) => c.startsWith("llmux_session="))!;
    const keys = (h: Harness) => fetch(`${h.url}/admin/v1/keys`, { headers: { cookie } }).then((r) => r.status);
    const session = (h: Harness) =>
      fetch(`${h.url}/ui/auth/session`, { headers: { cookie } }).then(
        (r) => r.json() as Promise<{ signed_in?: boolean }>,
      );
    expect(await keys(a)).toBe(200);
    expect(await keys(b)).toBe(200);
    const out = await fetch(`${a.url}/ui/auth/logout`, { method: "POST", headers: { ...PAGE, cookie } });
    expect(out.status).toBe(200);
    // The copy kept from before the sign-out: refused here and on the other instance.
    expect(await keys(a)).toBe(401);
    expect(await keys(b)).toBe(401);
    expect((await session(a)).signed_in).toBe(false);
  });
});
