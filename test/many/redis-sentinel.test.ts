/**
 * `state.url: redis+sentinel://…/mymaster` against a real Sentinel set (Debian's redis-server: a primary, a
 * replica, three Sentinels), failed over mid-load with SENTINEL FAILOVER: no request hangs, every answer is a
 * 200, and none was answered from the instance's memory (the gateway waits for the new primary and sends its
 * operations there: src/state/redis.ts); the rate buckets taken before the failover are on the new primary
 * and go on limiting where they were (a key with one request left has one left, not a fresh allowance), and a
 * key minted afterwards is limited there. Then the new primary's process is killed mid-load (no
 * coordination): the Sentinels promote the other server, and the same holds.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkRedis } from "../../src/cli/doctor-services.js";
import { parseConfig } from "../../src/config/load.js";
import { type FailoverRig, failoverRig } from "../support/redis-failover-load.js";
import { replicated, type SentinelSet, startSentinelSet, untilGatewayOn } from "../support/redis-topology.js";

/** The rate buckets (`rpm:` keys of the rig's prefix) a server holds. */
function buckets(set: SentinelSet, rig: FailoverRig, port: number): string[] {
  return set
    .cli(port, "--scan", "--pattern", `${rig.prefix}rpm:*`)
    .split("\n")
    .filter((k) => k !== "");
}

/** Four requests of a new key allowed two a minute. */
async function sequence(rig: FailoverRig): Promise<number[]> {
  const key = await rig.mint({ rpm: 2 });
  const statuses: number[] = [];
  for (let i = 0; i < 4; i++) statuses.push((await rig.ask(key)).status);
  return statuses;
}

describe("state.url on Redis Sentinel", () => {
  let set: SentinelSet;
  let rig: FailoverRig;
  let url: string;
  beforeAll(async () => {
    set = await startSentinelSet();
    const hosts = set.sentinels.map((p) => `127.0.0.1:${p}`).join(",");
    url = `redis+sentinel://${hosts}/${set.name}`;
    // A switch under a loaded machine (the whole suite beside it) took up to 10 s from the Sentinels'
    // announcement to the new primary's connection being ready: operations wait for it up to 12 s.
    rig = await failoverRig(url, { failover_wait_ms: 12_000 });
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

  it("fails over mid-load: every request answered by Redis, the buckets survive on the new primary and limit", async () => {
    // No failover came before the test's own.
    expect(set.primaryNow()).toBe(set.primary);
    const before = await rig.mint({ rpm: 1 });
    expect((await rig.ask(before)).status).toBe(200);
    expect((await rig.ask(before)).status).toBe(429);
    // A key that took one of its two requests: after the failover it has exactly one left (not two: no reset).
    const half = await rig.mint({ rpm: 2 });
    expect((await rig.ask(half)).status).toBe(200);
    // The primary holds both buckets (the one server Sentinel names), with the test's prefix.
    const kept = buckets(set, rig, set.primary);
    expect(kept).toHaveLength(2);
    await replicated(set, set.primary, set.replica);
    const degradedBefore = rig.degradations();

    const busy = await rig.mint({ rpm: 100_000 });
    const load = rig.load(busy);
    await expect.poll(() => set.cli(set.replica, "DBSIZE"), { timeout: 10_000 }).not.toBe("0");
    expect(set.cli(set.sentinels[0] as number, "SENTINEL", "FAILOVER", set.name)).toBe("OK");
    await expect.poll(() => set.primaryNow(), { timeout: 30_000, interval: 100 }).toBe(set.replica);
    // The gateway follows: its connection is on the new primary (its operations go there from now on).
    await untilGatewayOn(set, set.replica, "the gateway on the new primary");
    const answers = await load.stop();

    expect(answers.length).toBeGreaterThan(0);
    expect(answers.filter((a) => a.status === 0)).toEqual([]);
    expect(answers.filter((a) => a.status !== 200)).toEqual([]);
    // Every operation of the switch waited for the new primary and was answered there: none from memory.
    expect(rig.degradations()).toBe(degradedBefore);
    expect(rig.shared()).toBe(true);

    // The buckets taken before the failover are on the promoted replica, and still limit.
    expect(buckets(set, rig, set.replica)).toEqual(expect.arrayContaining(kept));
    expect((await rig.ask(before)).status).toBe(429);
    expect((await rig.ask(half)).status).toBe(200);
    expect((await rig.ask(half)).status).toBe(429);
    // A key minted now is limited on the new primary, where its bucket is.
    const known = new Set(buckets(set, rig, set.replica));
    expect(await sequence(rig)).toEqual([200, 200, 429, 429]);
    expect(buckets(set, rig, set.replica).filter((k) => !known.has(k))).toHaveLength(1);
    expect(rig.degradations()).toBe(degradedBefore);
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
    const known = new Set(buckets(set, rig, set.replica));
    const before = await rig.mint({ rpm: 1 });
    expect((await rig.ask(before)).status).toBe(200);
    const kept = buckets(set, rig, set.replica).filter((k) => !known.has(k));
    expect(kept).toHaveLength(1);
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
    await untilGatewayOn(set, set.primary, "the gateway on the new primary");
    const answers = await load.stop();
    expect(answers.filter((a) => a.status === 0)).toEqual([]);
    expect(answers.filter((a) => a.status !== 200)).toEqual([]);
    // What the old primary had replicated is there; the next operation answered by Redis (what this instance
    // counted in memory meanwhile, if the Sentinels took longer than failover_wait_ms, is replayed first).
    expect(buckets(set, rig, set.primary)).toEqual(expect.arrayContaining(kept));
    expect((await rig.ask(before)).status).toBe(429);
    expect(rig.shared()).toBe(true);
    expect(await sequence(rig)).toEqual([200, 200, 429, 429]);
    expect(rig.shared()).toBe(true);
  }, 60_000);
});
