/**
 * The verification page's limits (issue 48, item 11), on two instances sharing PostgreSQL and Redis: wrong
 * codes are counted per address with a high bound, in the shared state (both instances agree), so a few wrong
 * codes from an address do not lock out the right code; every pending code is measured against all wrong
 * codes and given up past its bound; `POST /device` and `POST /device/deny` need the token of llmux's own page
 * (a cookie and a form field) and a code that passes the checks; `POST /oauth/device_authorization` is
 * bounded per address. Each part speaks from its own loopback address (127.0.0.x).
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CodeAttempts, SIGNIN_LIMITS } from "../../src/signin/attempts.js";
import type { HotState } from "../../src/state/hot-state.js";
import { MemoryState } from "../../src/state/memory.js";
import { RedisState } from "../../src/state/redis.js";
import { freshPostgres, type TestLocation } from "../support/engines.js";
import { type Harness, startHarness } from "../support/gateway.js";
import { type FakeIssuer, startFakeIssuer } from "../ui/support/fake-issuer.js";
import { authorize, type Metadata, metadata, pollUntilDone } from "./support/device-client.js";
import { confirmPage, send } from "./support/page-steps.js";
import { signinConfig } from "./support/signin-gateway.js";

const REDIS = process.env.LLMUX_TEST_REDIS ?? "redis://127.0.0.1:6379";
const prefix = () => `llmux-test:${process.pid}:${randomBytes(4).toString("hex")}:`;

/**
 * Runs `body` from the first address; should it fail while the addresses' count window turned (the counts are per
 * window of SIGNIN_LIMITS.windowMs on the clock, and a test that straddles a turn sees its count start again), once
 * more from the next address, which then has a whole window. A failure within one window is a failure.
 */
async function inOneWindow(
  addresses: string[],
  body: (from: string) => Promise<void>,
  gateways: () => Harness[],
): Promise<void> {
  const windowOf = () => Math.floor(Date.now() / SIGNIN_LIMITS.windowMs);
  for (const [i, from] of addresses.entries()) {
    const first = windowOf();
    try {
      await body(from);
      return;
    } catch (err) {
      if (windowOf() !== first && i < addresses.length - 1) continue;
      // What the instances said meanwhile besides their requests' lines (a shared state that stopped answering is
      // answered from memory under the default policy, and says so): the failure names it.
      const said = gateways()
        .flatMap((h) => h.logs)
        .filter((l) => Number(l.level) >= 40 && l.req_id === undefined)
        .map((l) => JSON.stringify(l).slice(0, 300));
      if (err instanceof Error && said.length > 0) err.message += `\nthe instances' warnings:\n${said.join("\n")}`;
      throw err;
    }
  }
}

describe("the verification page's limits, on two instances", { timeout: 120_000 }, () => {
  let issuer: FakeIssuer;
  let loc: TestLocation;
  let a: Harness;
  let b: Harness;
  let md: Metadata;

  beforeAll(async () => {
    issuer = await startFakeIssuer();
    loc = await freshPostgres();
    const state = { url: REDIS, prefix: prefix() };
    const config = (path: string) => () => ({
      store: { path, url: loc.url },
      state,
      logging: { level: "warn" },
      signin: signinConfig(issuer),
    });
    a = await startHarness(config(loc.path));
    b = await startHarness(config(`${loc.path}-b`));
    md = await metadata(a.url);
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await issuer?.close();
    await loc?.drop();
  });

  const page = (h: Harness, code: string, from: string) =>
    send(`${h.url}/device?user_code=${encodeURIComponent(code)}`, { from });

  it("ten wrong codes do not lock out the right one; the address bound holds on both instances", async () => {
    await inOneWindow(
      ["127.0.0.2", "127.0.0.12"],
      async (from) => {
        for (let i = 0; i < 10; i++) expect((await page(a, "BCDF-GHJK", from)).status).toBe(400);
        const d = await authorize(md);
        expect((await page(a, d.user_code, from)).status).toBe(200);
        expect((await page(b, d.user_code, from)).status).toBe(200);
        // Up to the bound, half on each instance: the address is refused on both, right code or not.
        for (let i = 10; i < SIGNIN_LIMITS.wrongPerAddress; i++)
          expect((await page(i % 2 ? a : b, "BCDF-GHJK", from)).status).toBe(400);
        for (const h of [a, b]) {
          const limited = await page(h, d.user_code, from);
          expect(limited.status).toBe(429);
          expect(limited.text).toContain("Too many wrong codes");
        }
        // Another address is not affected.
        expect((await page(b, d.user_code, "127.0.0.3")).status).toBe(200);
      },
      () => [a, b],
    );
  });

  it("deny needs the page's token and a pending code; a stranger's POST does not deny it", async () => {
    const from = "127.0.0.4";
    const d = await authorize(md);
    // Without the page's cookie and token (a stranger's POST, a cross-site form): refused, still pending.
    const stranger = await send(`${a.url}/device/deny`, { form: { user_code: d.user_code }, from });
    expect(stranger.status).toBe(403);
    const forged = await send(`${a.url}/device/deny`, {
      form: { user_code: d.user_code, csrf: "x".repeat(43) },
      cookie: `llmux_device_csrf=${"y".repeat(43)}`,
      from,
    });
    expect(forged.status).toBe(403);
    const cont = await send(`${b.url}/device`, { form: { user_code: d.user_code }, from });
    expect(cont.status).toBe(403);
    expect((await page(b, d.user_code, from)).status).toBe(200);
    // From llmux's own page (another instance's: the token is the page's, not the instance's): denied.
    const { csrf, cookie } = await confirmPage(a.url, d.user_code, from);
    const denied = await send(`${b.url}/device/deny`, { form: { user_code: d.user_code, csrf }, cookie, from });
    expect(denied.status).toBe(200);
    expect(denied.text).toContain("Sign-in denied");
    expect((await pollUntilDone(md, d)).body.error).toBe("access_denied");
    // A wrong code on the deny form counts like any other.
    const wrong = await send(`${a.url}/device/deny`, { form: { user_code: "BCDF-GHJK", csrf }, cookie, from });
    expect(wrong.status).toBe(400);
  });

  it("device authorization is bounded per address, across instances", async () => {
    await inOneWindow(
      ["127.0.0.5", "127.0.0.15"],
      async (from) => {
        const start = (h: Harness) => send(`${h.url}/oauth/device_authorization`, { form: { surface: "x" }, from });
        const statuses: number[] = [];
        for (let i = 0; i < SIGNIN_LIMITS.startsPerAddress; i++) statuses.push((await start(i % 2 ? a : b)).status);
        expect(statuses).toEqual(Array(SIGNIN_LIMITS.startsPerAddress).fill(200));
        for (const h of [a, b]) {
          const refused = await start(h);
          expect(refused.status).toBe(429);
          expect(JSON.parse(refused.text).error).toBe("slow_down");
        }
        // Another address still signs in.
        expect((await start(a)).status).toBe(429);
        expect((await send(`${a.url}/oauth/device_authorization`, { form: {}, from: "127.0.0.6" })).status).toBe(200);
      },
      () => [a, b],
    );
  });
});

describe.each([
  { name: "memory", open: (): HotState => new MemoryState() },
  { name: "redis", open: (): HotState => new RedisState({ url: REDIS, prefix: prefix() }) },
])("a pending code's exposure to wrong codes ($name)", ({ open }) => {
  let hot: HotState;
  beforeAll(() => {
    hot = open();
  });
  afterAll(async () => {
    await hot.close();
  });

  it("is given up once more wrong codes than its bound were tried from anywhere while it was pending", async () => {
    const attempts = new CodeAttempts(hot, { ...SIGNIN_LIMITS, wrongPerPendingCode: 5 });
    await attempts.wrong("10.0.0.1");
    await attempts.opened("AAAA-BBBB", 60_000);
    for (let i = 0; i < 5; i++) await attempts.wrong(`10.0.1.${i}`);
    expect(await attempts.exposed("AAAA-BBBB", 60_000)).toBe(false);
    // A code made later is measured from its own start.
    await attempts.opened("CCCC-DDDD", 60_000);
    await attempts.wrong("10.0.2.1");
    expect(await attempts.exposed("AAAA-BBBB", 60_000)).toBe(true);
    expect(await attempts.exposed("CCCC-DDDD", 60_000)).toBe(false);
    // Each address stayed well under its own bound.
    expect(await attempts.allowed("10.0.1.1")).toBe(true);
  });
});
