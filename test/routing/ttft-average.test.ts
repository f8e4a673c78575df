/**
 * The TTFT average of a deployment: an exponential average kept on the hot state. An instance builds the
 * next value on the one it wrote itself for a second (one round trip per answer), then reads the shared
 * value again, so another instance's writes are folded in.
 */
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { Provider } from "../../src/providers/types.js";
import { type Deployment, routingOf } from "../../src/routing/deployments.js";
import { DeploymentHealth } from "../../src/routing/health.js";
import type { HotState } from "../../src/state/hot-state.js";
import { MemoryState } from "../../src/state/memory.js";
import { RedisState } from "../../src/state/redis.js";

const d: Deployment = { id: "p/m", name: "m", provider: { name: "p" } as Provider, model: "m", weight: 1 };
const routing = routingOf({ provider: "p" });
const events = { coolDown() {}, recovered() {} };

const REDIS = process.env.LLMUX_TEST_REDIS ?? "redis://127.0.0.1:6379";
const ENGINES: { engine: string; open: (now: () => number) => HotState }[] = [
  { engine: "memory", open: (now) => new MemoryState(now) },
  {
    engine: "redis",
    open: () => new RedisState({ url: REDIS, prefix: `llmux-test:${process.pid}:${randomBytes(4).toString("hex")}:` }),
  },
];

/** A hot state that counts its reads of the TTFT key. */
function counted(open: (now: () => number) => HotState, now: () => number) {
  const state = open(now);
  let reads = 0;
  const get = state.get.bind(state);
  state.get = (key: string) => {
    if (key.includes("ttft")) reads++;
    return get(key);
  };
  return { state, reads: () => reads };
}

describe.each(ENGINES)("a deployment's TTFT average on $engine", ({ open }) => {
  it("builds on its own last write for a second, then reads the shared value again", async () => {
    let t = 1_000_000;
    const now = () => t;
    const { state, reads } = counted(open, now);
    const a = new DeploymentHealth(state, events, now);
    const b = new DeploymentHealth(state, events, now);
    await a.succeeded(d, routing, 100, false);
    expect(await a.ttft(d)).toBe(100);
    const before = reads();
    t += 200;
    await a.succeeded(d, routing, 200, false);
    // 100 × 0.7 + 200 × 0.3, built on its own write: no read.
    expect(reads()).toBe(before);
    expect(await a.ttft(d)).toBe(130);
    // Another instance reads the shared value and writes its own average.
    await b.succeeded(d, routing, 30, false);
    expect(await a.ttft(d)).toBe(100);
    // A second later the first instance reads again, and builds on the other's write.
    t += 1000;
    const again = reads();
    await a.succeeded(d, routing, 200, false);
    expect(reads()).toBe(again + 1);
    expect(await a.ttft(d)).toBe(130);
    await state.close();
  });
});
