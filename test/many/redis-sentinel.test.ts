/**
 * `state.url: redis+sentinel://…/mymaster` against a real Sentinel set (Debian's redis-server: a primary, a
 * replica, three Sentinels), failed over mid-load with SENTINEL FAILOVER: no request hangs, every answer is
 * a 200 (under `degrade` the instance counts alone for the moments the primary is away), a key's rate limit
 * taken before the failover still holds after it (the bucket lives on in the promoted replica), and a key
 * minted afterwards is limited on the new primary, where its bucket is. Then the new primary's process is
 * killed mid-load (no coordination): the Sentinels promote the other server, and the same holds.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkRedis } from "../../src/cli/doctor-services.js";
import { parseConfig } from "../../src/config/load.js";
import { type FailoverRig, failoverRig } from "../support/redis-failover-load.js";
import { replicated, type SentinelSet, startSentinelSet } from "../support/redis-topology.js";

/**
 * A request's status as the shared state answered it. Just after a failover the client may still send a command
 * to the demoted primary (READONLY: the gateway reconnects); under on_failure: degrade that one request is
 * answered from the instance's own memory, which does not hold a bucket kept in Redis. Such an answer (the
 * state degraded across it) is asked again; the first answered while shared is the one judged.
 */
/**
 * Four requests of a new key allowed two a minute, every one answered by the shared state (the same judgement
 * as askShared): a sequence with an answer from the instance's memory is tried again with another new key.
 */
async function sharedSequence(rig: FailoverRig): Promise<number[]> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const key = await rig.mint({ rpm: 2 });
    const statuses: number[] = [];
    let shared = rig.shared();
    for (let i = 0; i < 4; i++) {
      statuses.push((await rig.ask(key)).status);
      shared &&= rig.shared();
    }
    if (shared) return statuses;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error("the gateway's state never stayed shared across four requests");
}

async function askShared(rig: FailoverRig, key: string): Promise<number> {
  for (let i = 0; i < 20; i++) {
    const wasShared = rig.shared();
    const { status } = await rig.ask(key);
    if (wasShared && rig.shared()) return status;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error("the gateway's state never stayed shared across a request");
}

describe("state.url on Redis Sentinel", () => {
  let set: SentinelSet;
  let rig: FailoverRig;
  let url: string;
  beforeAll(async () => {
    set = await startSentinelSet();
    const hosts = set.sentinels.map((p) => `127.0.0.1:${p}`).join(",");
    url = `redis+sentinel://${hosts}/${set.name}`;
    rig = await failoverRig(url);
  }, 60_000);
  afterAll(async () => {
    await rig?.close();
    await set?.close();
  });

  it("llmux doctor names the topology: the primary Sentinels name, its replica, the Sentinels", async () => {
    const c = await checkRedis(parseConfig({ providers: {}, models: {}, state: { url } }, {}), 3000);
    expect(c.mark).toBe("✓");
    expect(c.detail).toMatch(
      /^redis sentinel mymaster via .*: Redis \d+\.\d+\.\d+, Sentinel primary "mymaster" \(role master, 1 replica\(s\) connected\), 3 Sentinel\(s\) listed$/,
    );
  });

  it("fails over mid-load: no request hangs, limits hold before and after, state lands on the new primary", async () => {
    // No failover came before the test's own.
    expect(set.primaryNow()).toBe(set.primary);
    const before = await rig.mint({ rpm: 1 });
    expect((await rig.ask(before)).status).toBe(200);
    expect((await rig.ask(before)).status).toBe(429);
    // The primary holds the bucket (the one server Sentinel names), with the test's prefix.
    expect(set.cli(set.primary, "--scan", "--pattern", `${rig.prefix}rpm:*`)).not.toBe("");
    await replicated(set, set.primary, set.replica);

    const busy = await rig.mint({ rpm: 100_000 });
    const load = rig.load(busy);
    await expect.poll(() => set.cli(set.replica, "DBSIZE"), { timeout: 10_000 }).not.toBe("0");
    expect(set.cli(set.sentinels[0] as number, "SENTINEL", "FAILOVER", set.name)).toBe("OK");
    await expect.poll(() => set.primaryNow(), { timeout: 30_000, interval: 100 }).toBe(set.replica);
    await expect
      .poll(() => /role:master/.test(set.cli(set.replica, "INFO", "replication")), { timeout: 30_000 })
      .toBe(true);
    // The gateway follows: its operations are answered by Redis again (not by its own memory).
    await expect
      .poll(async () => (await rig.ask(busy)).status === 200 && rig.shared(), { timeout: 30_000, interval: 200 })
      .toBe(true);
    const answers = await load.stop();

    expect(answers.length).toBeGreaterThan(0);
    expect(answers.filter((a) => a.status === 0)).toEqual([]);
    expect(answers.filter((a) => a.status !== 200)).toEqual([]);

    // The rate limit taken before the failover holds after it: the promoted replica has the bucket.
    expect(await askShared(rig, before)).toBe(429);
    expect(await sharedSequence(rig)).toEqual([200, 200, 429, 429]);
    expect(rig.shared()).toBe(true);
    expect(
      set.cli(set.primaryNow(), "--scan", "--pattern", `${rig.prefix}rpm:*`).split("\n").length,
    ).toBeGreaterThanOrEqual(2);
  }, 60_000);

  it("the primary killed mid-load: the Sentinels promote the other server, no request hangs, limits hold", async () => {
    // The old primary has become the new one's replica (the Sentinels reconfigured it) and caught up.
    await expect
      .poll(() => /role:slave[\s\S]*master_link_status:up/.test(set.cli(set.primary, "INFO", "replication")), {
        timeout: 30_000,
        interval: 200,
        message: "the old primary replicates the new one",
      })
      .toBe(true);
    const before = await rig.mint({ rpm: 1 });
    expect((await rig.ask(before)).status).toBe(200);
    await replicated(set, set.replica, set.primary);
    // Every Sentinel has learnt the first failover (else too few see the new primary go down to fail it over).
    await expect
      .poll(() => set.agree(set.replica), { timeout: 30_000, interval: 200, message: "the Sentinels agree" })
      .toBe(true);
    const pid = Number(/^process_id:(\d+)/m.exec(set.cli(set.replica, "INFO", "server"))?.[1]);
    const busy = await rig.mint({ rpm: 100_000 });
    const load = rig.load(busy);
    process.kill(pid, "SIGKILL");
    await expect
      .poll(() => set.primaryNow(), {
        timeout: 30_000,
        interval: 200,
        message: "the Sentinels promote the other server",
      })
      .toBe(set.primary);
    await expect
      .poll(async () => (await rig.ask(busy)).status === 200 && rig.shared(), {
        timeout: 30_000,
        interval: 200,
        message: "the gateway's state is shared again",
      })
      .toBe(true);
    const answers = await load.stop();
    expect(answers.filter((a) => a.status === 0)).toEqual([]);
    expect(answers.filter((a) => a.status !== 200)).toEqual([]);
    expect(await askShared(rig, before)).toBe(429);
    expect(await sharedSequence(rig)).toEqual([200, 200, 429, 429]);
    expect(rig.shared()).toBe(true);
  }, 60_000);
});
