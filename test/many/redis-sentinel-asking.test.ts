/**
 * The Sentinels announce the new primary (+switch-master) while the gateway's client is still asking one of
 * them where the primary is (it lost its connection when the primary's process died). ioredis's failover
 * detector then closes the connector under the question, and the question's end rejects the client's
 * connection attempt for good (the client's status `end`: it never tries again). The gateway must reach the
 * new primary all the same (src/state/redis.ts connects such a client again).
 *
 * Made deterministic with TCP proxies in front of the Sentinels (the addresses `state.url` names): new
 * connections to them are held unanswered from before the kill until every Sentinel names the new primary,
 * so the client's question is in flight when the announcement arrives on the detector's open subscriptions
 * (each held Sentinel is left after 2 s for the next: three of them hold the question about 6 s a round, and
 * the switch comes 3–6 s after the kill; without the reconnection the test failed 3 runs of 3 either way).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FailoverRig, failoverRig } from "../support/redis-failover-load.js";
import { type SentinelSet, startSentinelSet, untilGatewayOn } from "../support/redis-topology.js";
import { type TcpProxy, tcpProxy } from "../support/tcp-proxy.js";

/** Every Sentinel names `port` as the primary. */
function everyNames(set: SentinelSet, port: number): boolean {
  return set.sentinels.every(
    (s) => Number(set.cli(s, "SENTINEL", "GET-MASTER-ADDR-BY-NAME", set.name).split("\n")[1]) === port,
  );
}

describe("state.url on Sentinels: the switch announced while the client asks for the primary", () => {
  let set: SentinelSet;
  let proxies: TcpProxy[] = [];
  let rig: FailoverRig;
  beforeAll(async () => {
    set = await startSentinelSet();
    proxies = await Promise.all(set.sentinels.map((p) => tcpProxy("127.0.0.1", p)));
    const hosts = proxies.map((p) => `127.0.0.1:${p.port}`).join(",");
    rig = await failoverRig(`redis+sentinel://${hosts}/${set.name}`, { failover_wait_ms: 12_000 });
  }, 60_000);
  afterAll(async () => {
    await rig?.close();
    await Promise.all(proxies.map((p) => p.close()));
    await set?.close();
  });

  it("the gateway connects again and reaches the new primary, where its limits hold", async () => {
    const key = await rig.mint({ rpm: 2 });
    expect((await rig.ask(key)).status).toBe(200);
    await untilGatewayOn(set, set.primary, "the gateway on the primary", 10_000);
    await expect.poll(() => set.cli(set.replica, "DBSIZE"), { timeout: 10_000 }).not.toBe("0");

    for (const p of proxies) p.holdNew();
    const pid = Number(/^process_id:(\d+)/m.exec(set.cli(set.primary, "INFO", "server"))?.[1]);
    process.kill(pid, "SIGKILL");
    await expect
      .poll(() => everyNames(set, set.replica), { timeout: 30_000, interval: 200, message: "every Sentinel switched" })
      .toBe(true);
    // The announcement reached the detector's subscriptions (open before the hold) with the switch; let the
    // gateway (this process) read it before the held question ends.
    await new Promise((r) => setTimeout(r, 300));
    for (const p of proxies) p.restore();

    await untilGatewayOn(set, set.replica, "the gateway on the new primary");
    await expect.poll(() => rig.shared(), { timeout: 10_000 }).toBe(true);
    // The key's bucket (one of two taken) was replicated before the kill: one request left, on the new primary.
    expect((await rig.ask(key)).status).toBe(200);
    expect((await rig.ask(key)).status).toBe(429);
    expect(rig.shared()).toBe(true);
  }, 90_000);
});
