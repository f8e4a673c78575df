/**
 * `state.url: redis+cluster://…` against a real Redis Cluster (Debian's redis-server: three primaries with a
 * replica each). Every multi-key operation of the hot state (the counter scripts with their operation-id
 * bitmaps, MGET of keys read together) runs without CROSSSLOT on keys of every family; then a gateway is
 * failed over mid-load (CLUSTER FAILOVER on the replica of the primary that holds a key's rate bucket): no
 * request hangs, every answer is a 200, the limit taken before holds after, and a new key is limited. Last,
 * a primary's process is killed mid-load (no coordination): its replica takes over after the cluster's node
 * timeout, the gateway answers meanwhile from its own counters (state.on_failure: degrade), and limits are
 * shared again once it does.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkRedis } from "../../src/cli/doctor-services.js";
import { parseConfig } from "../../src/config/load.js";
import { hotKeys } from "../../src/state/keys.js";
import { RedisState } from "../../src/state/redis.js";
import { type FailoverRig, failoverRig } from "../support/redis-failover-load.js";
import { type ClusterSet, replicated, slotOwner, startCluster } from "../support/redis-topology.js";

/** Every key family of src/state/keys.ts, with values that spread them over the cluster's slots. */
function everyFamily(n: number): string[] {
  const id = `x${n}`;
  return [
    hotKeys.budgetAlert("team", id, 1),
    hotKeys.concurrency("key", id),
    hotKeys.rpm(`key:${id}`),
    hotKeys.tpm(`key:${id}`),
    hotKeys.cooling(`acct/${id}`),
    hotKeys.halfOpen(`acct/${id}`),
    hotKeys.probe(`acct/${id}`),
    hotKeys.inflight(`acct/${id}`),
    hotKeys.ttft(`acct/${id}`),
    hotKeys.windowRequests(`acct/${id}`, "7"),
    hotKeys.windowErrors(`acct/${id}`, "7"),
    hotKeys.windowFailures(`acct/${id}`, "7"),
    hotKeys.seenDeployments(),
    hotKeys.affinity("alias", id),
    hotKeys.responseDeployment(id),
    hotKeys.responseOwner(id),
    hotKeys.reasoningMark(id),
    hotKeys.sessionCost("owner", id),
    hotKeys.mcpCalls(id),
    hotKeys.mcpSession(id),
    hotKeys.toolUse("owner", id),
    hotKeys.signinWrong(`10.0.0.${n}`, 3),
    hotKeys.signinWrongAll(),
    hotKeys.signinCodeSeen(id),
    hotKeys.signinStarts(`10.0.0.${n}`, 3),
    hotKeys.embedding("alias", id),
    hotKeys.guardVerdict(id),
    hotKeys.guardMasks(id),
    hotKeys.guardMask(id, "P1"),
    hotKeys.embeddingCount(id),
    hotKeys.alertSent("rule", "team", id, "w"),
    hotKeys.alertWindow("error_rate", `acct/${id}`, 60, 3, "requests"),
    // A key with braces of a caller's own (a session name): its slot is its own tag, still one slot.
    hotKeys.sessionCost("owner", `{weird}${id}`),
  ];
}

describe("state.url on a Redis Cluster", () => {
  let cluster: ClusterSet;
  let rig: FailoverRig;
  let state: RedisState;
  let url: string;
  beforeAll(async () => {
    cluster = await startCluster();
    url = `redis+cluster://${cluster.nodes
      .slice(0, 3)
      .map((p) => `127.0.0.1:${p}`)
      .join(",")}`;
    state = new RedisState({ url, prefix: `llmux-cluster:${process.pid}:`, timeoutMs: 2000 });
    rig = await failoverRig(url);
  }, 60_000);
  afterAll(async () => {
    await state?.close();
    await rig?.close();
    await cluster?.close();
  });

  it("llmux doctor names the topology: the cluster's state, its primaries and replicas", async () => {
    const c = await checkRedis(parseConfig({ providers: {}, models: {}, state: { url } }, {}), 3000);
    expect(c.mark, c.detail).toBe("✓");
    expect(c.detail).toMatch(
      /^redis cluster .*: Redis \d+\.\d+\.\d+, Redis Cluster \(state ok\): 3 primaries, 3 replicas$/,
    );
  });

  it("every counter operation and multi-key read works on keys of every family (no CROSSSLOT)", async () => {
    const keys = [...new Set([0, 1, 2, 3].flatMap(everyFamily))];
    let seq = 0;
    for (const key of keys) {
      const op = { origin: "test", seq: seq++ };
      expect(await state.incr(key, 2, 60_000, op)).toBe(2);
      // The same operation again (a replay): applied once.
      expect(await state.incr(key, 2, 60_000, op)).toBe(2);
      expect((await state.addWithin(key, 1, 10, 60_000, false, { origin: "test", seq: seq++ })).ok).toBe(true);
      expect(await state.adjust(key, -1, { origin: "test", seq: seq++ })).toBe(2);
    }
    const bucket = hotKeys.rpm("key:gcra");
    expect((await state.throttle(bucket, 1, 1, 60_000, Date.now(), false, { origin: "t", seq: 1 })).ok).toBe(true);
    expect((await state.throttle(bucket, 1, 1, 60_000, Date.now(), false, { origin: "t", seq: 2 })).ok).toBe(false);
    // Read together across slots, in the keys' order.
    expect(await state.getMany([...keys, "absent"])).toEqual([...keys.map(() => "2"), undefined]);
    // Written together across slots (one script per hash tag), each in its order: a deployment's end of answer
    // beside keys of other slots.
    const d = "a/b";
    const written = [hotKeys.inflight(d), hotKeys.windowRequests(d, "1"), hotKeys.sessionCost("o", "s"), "plain"];
    await state.writeMany([
      ...written.map((key) => ({ op: "incr" as const, key, delta: 3, ttlMs: 60_000 })),
      { op: "set", key: hotKeys.ttft(d), value: "41.5", ttlMs: 60_000 },
      { op: "incr", key: hotKeys.inflight(d), delta: -1 },
    ]);
    expect(await state.getMany([...written, hotKeys.ttft(d)])).toEqual(["2", "3", "3", "3", "41.5"]);
    await state.addMember(hotKeys.guardMasks("o"), "P1", 60_000);
    expect(await state.members(hotKeys.guardMasks("o"))).toEqual(["P1"]);
    // A deployment's health and a caller's masks are read in one MGET: their keys share a slot.
    const slot = (k: string) => cluster.cli(cluster.nodes[0] as number, "CLUSTER", "KEYSLOT", `llmux:${k}`);
    expect(slot(hotKeys.cooling("a/b"))).toBe(slot(hotKeys.halfOpen("a/b")));
    expect(slot(hotKeys.guardMasks("o"))).toBe(slot(hotKeys.guardMask("o", "P9")));
    expect(slot(hotKeys.rpm("key:k"))).toBe(slot(hotKeys.opsSeenIn("key:k", "i", 0)));
  });

  it("fails over mid-load: no request hangs, limits hold before and after", async () => {
    const before = await rig.mint({ rpm: 1 });
    expect((await rig.ask(before)).status).toBe(200);
    expect((await rig.ask(before)).status).toBe(429);
    const buckets = cluster.nodes.flatMap((p) =>
      cluster
        .cli(p, "--scan", "--pattern", `${rig.prefix}rpm:*`)
        .split("\n")
        .filter((k) => k !== ""),
    );
    expect(buckets.length).toBeGreaterThan(0);
    const { primary, replica } = slotOwner(cluster, buckets[0] as string);
    await replicated(cluster, primary, replica);

    const busy = await rig.mint({ rpm: 100_000 });
    const load = rig.load(busy);
    await expect.poll(() => cluster.cli(replica, "DBSIZE"), { timeout: 10_000 }).not.toBe("0");
    expect(cluster.cli(replica, "CLUSTER", "FAILOVER")).toBe("OK");
    await expect
      .poll(() => /role:master/.test(cluster.cli(replica, "INFO", "replication")), { timeout: 30_000 })
      .toBe(true);
    await expect
      .poll(() => /role:slave/.test(cluster.cli(primary, "INFO", "replication")), { timeout: 30_000 })
      .toBe(true);
    await expect
      .poll(async () => (await rig.ask(busy)).status === 200 && rig.shared(), { timeout: 30_000, interval: 200 })
      .toBe(true);
    const answers = await load.stop();

    expect(answers.length).toBeGreaterThan(0);
    expect(answers.filter((a) => a.status === 0)).toEqual([]);
    expect(answers.filter((a) => a.status !== 200)).toEqual([]);
    // The bucket taken before the failover is on the promoted replica, and still limits.
    expect(cluster.cli(replica, "EXISTS", buckets[0] as string)).toBe("1");
    expect((await rig.ask(before)).status).toBe(429);
    const after = await rig.mint({ rpm: 2 });
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await rig.ask(after)).status);
    expect(statuses).toEqual([200, 200, 429, 429]);
    expect(rig.shared()).toBe(true);
  }, 60_000);

  it("a primary killed mid-load: its replica takes over, no request hangs, limits are shared again", async () => {
    const any = cluster.nodes[0] as number;
    const lines = cluster.cli(any, "CLUSTER", "NODES").split("\n");
    const port = (l: string) => Number(/:(\d+)@/.exec(l)?.[1]);
    const victim = lines.find(
      (l) => /\bmaster\b/.test(l) && port(l) !== any && lines.some((r) => r.split(" ")[3] === l.split(" ")[0]),
    );
    expect(victim).toBeDefined();
    const id = (victim as string).split(" ")[0];
    const heir = port(lines.find((l) => l.split(" ")[3] === id) as string);
    const pid = Number(/^process_id:(\d+)/m.exec(cluster.cli(port(victim as string), "INFO", "server"))?.[1]);

    const busy = await rig.mint({ rpm: 100_000 });
    const load = rig.load(busy);
    await expect.poll(() => cluster.cli(heir, "DBSIZE"), { timeout: 10_000 }).not.toBe("0");
    process.kill(pid, "SIGKILL");
    await expect
      .poll(() => /role:master/.test(cluster.cli(heir, "INFO", "replication")), { timeout: 30_000, interval: 200 })
      .toBe(true);
    await expect
      .poll(() => /cluster_state:ok/.test(cluster.cli(any, "CLUSTER", "INFO")), { timeout: 30_000 })
      .toBe(true);
    await expect
      .poll(async () => (await rig.ask(busy)).status === 200 && rig.shared(), { timeout: 30_000, interval: 200 })
      .toBe(true);
    const answers = await load.stop();
    expect(answers.length).toBeGreaterThan(0);
    expect(answers.filter((a) => a.status === 0)).toEqual([]);
    expect(answers.filter((a) => a.status !== 200)).toEqual([]);

    // Keys minted now are limited, whichever shard their buckets land on.
    for (let k = 0; k < 3; k++) {
      const after = await rig.mint({ rpm: 2 });
      const statuses = [];
      for (let i = 0; i < 4; i++) statuses.push((await rig.ask(after)).status);
      expect(statuses).toEqual([200, 200, 429, 429]);
    }
    expect(rig.shared()).toBe(true);
  }, 60_000);
});
