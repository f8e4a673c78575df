/**
 * A Sentinel that accepts connections and never answers (a frozen machine, a stopped process) is the first
 * `state.url` names: the gateway's question to it is bounded (src/state/ioredis.ts), so it asks the next
 * Sentinel and reaches the primary, instead of waiting on the first forever and answering from its memory.
 * The hung Sentinel is a TCP proxy the test holds in front of a real one.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FailoverRig, failoverRig } from "../support/redis-failover-load.js";
import { type SentinelSet, startSentinelSet, untilGatewayOn } from "../support/redis-topology.js";
import { type TcpProxy, tcpProxy } from "../support/tcp-proxy.js";

describe("state.url on Sentinels, the first of them hung", () => {
  let set: SentinelSet;
  let hung: TcpProxy;
  let rig: FailoverRig;
  beforeAll(async () => {
    set = await startSentinelSet();
    hung = await tcpProxy("127.0.0.1", set.sentinels[0] as number);
    hung.hang();
    const hosts = [hung.port, ...set.sentinels.slice(1)].map((p) => `127.0.0.1:${p}`).join(",");
    rig = await failoverRig(`redis+sentinel://${hosts}/${set.name}`);
  }, 60_000);
  afterAll(async () => {
    await rig?.close();
    await hung?.close();
    await set?.close();
  });

  it("the gateway asks the next Sentinel and keys are limited on the primary", async () => {
    await untilGatewayOn(set, set.primary, "the gateway on the primary", 20_000);
    await expect.poll(() => rig.shared(), { timeout: 10_000 }).toBe(true);
    const key = await rig.mint({ rpm: 1 });
    expect((await rig.ask(key)).status).toBe(200);
    expect((await rig.ask(key)).status).toBe(429);
    const buckets = set.cli(set.primary, "--scan", "--pattern", `${rig.prefix}rpm:*`).split("\n");
    expect(buckets.filter((k) => k !== "")).toHaveLength(1);
    expect(rig.shared()).toBe(true);
  }, 60_000);
});
