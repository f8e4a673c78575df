/**
 * Rate limits across Redis faults (a TCP proxy the test controls): operations whose answers were lost
 * (Redis executed them; the instance counted them in its memory meanwhile) and operations made while Redis
 * was cut (it never saw them) are replayed when it returns, each applied once by its operation id. After the
 * fault, the shared rpm and tpm buckets and the concurrency count equal the operations the instance applied:
 * none missing, none twice.
 */
import { randomBytes } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { hotKeys } from "../../src/state/keys.js";
import { openHotState } from "../../src/state/open.js";
import { RedisState } from "../../src/state/redis.js";
import type { ResilientState } from "../../src/state/resilient.js";
import { type TcpProxy, tcpProxy } from "../support/tcp-proxy.js";

const REDIS = process.env.LLMUX_TEST_REDIS ?? "redis://127.0.0.1:6379";
const MINUTE = 60_000;
/** An rpm of 10 and a tpm of 1,000: each request (100 tokens) moves either bucket by 6 s. */
const RPM = 10;
const TPM = 1000;
const STEP_MS = 6000;

describe("rate limits replayed once after Redis faults", () => {
  let proxy: TcpProxy | undefined;
  const closing: { close(): Promise<void> }[] = [];
  afterEach(async () => {
    for (const c of closing.splice(0)) await c.close();
    await proxy?.close();
    proxy = undefined;
  });

  it("answers lost, then cut: rpm, tpm and concurrency count every operation once", async () => {
    proxy = await tcpProxy("127.0.0.1", Number(new URL(REDIS).port || 6379));
    const prefix = `llmux-test:${process.pid}:${randomBytes(4).toString("hex")}:`;
    const hot = openHotState({ url: `redis://127.0.0.1:${proxy.port}`, prefix, timeoutMs: 200 }) as ResilientState;
    const direct = new RedisState({ url: REDIS, prefix });
    closing.push(hot, direct);
    const owner = `key:k-${randomBytes(3).toString("hex")}`;
    const rpm = hotKeys.rpm(owner);
    const tpm = hotKeys.tpm(owner);
    const conc = hotKeys.concurrency("key", owner);
    // Every operation on the instance's clock `T` (the bucket's arithmetic is then exact).
    const T = Date.now();
    /** One admitted request: a concurrency slot, one request and 100 tokens. */
    const request = async () => {
      const [slot, r, t] = await Promise.all([
        hot.addWithin(conc, 1, 100, 10 * MINUTE),
        hot.throttle(rpm, 1, RPM, MINUTE, T),
        hot.throttle(tpm, 100, TPM, MINUTE, T),
      ]);
      expect([slot.ok, r.ok, t.ok]).toEqual([true, true, true]);
    };
    /** A request's slot given back. */
    const done = () => hot.incr(conc, -1);

    await request();
    await request();
    expect(hot.isDegraded).toBe(false);

    // Redis executes what it is sent, its answers are lost: the instance times out and counts in memory.
    proxy.loseReplies();
    await request();
    await done();
    await request();
    expect(hot.isDegraded).toBe(true);
    expect(hot.owedCount).toBe(4 + 3);

    // Then cut: nothing reaches Redis.
    proxy.cut();
    await request();
    await done();

    proxy.restore();
    const end = Date.now() + 10_000;
    while ((hot.isDegraded || hot.owedCount > 0) && Date.now() < end) {
      await hot.count("ping").catch(() => undefined);
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(hot.isDegraded).toBe(false);
    expect(hot.owedCount).toBe(0);

    // 5 requests in all: each bucket moved by 5 steps (4 would miss the cut ones, 7 count the lost answers twice).
    const tat = async (key: string) => Math.round((Number(await direct.get(key)) - T) / STEP_MS);
    expect(await tat(rpm)).toBe(5);
    expect(await tat(tpm)).toBe(5);
    // 5 slots taken, 2 given back.
    expect(await direct.count(conc)).toBe(3);
  }, 30_000);
});
