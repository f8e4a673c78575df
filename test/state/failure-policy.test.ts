import { randomBytes } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import type { HotState } from "../../src/state/hot-state.js";
import { openHotState } from "../../src/state/open.js";
import { StateUnavailable } from "../../src/state/resilient.js";
import { type TcpProxy, tcpProxy } from "../support/tcp-proxy.js";

const prefix = () => `llmux-test:${process.pid}:${randomBytes(4).toString("hex")}:`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(check: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return;
    await sleep(50);
  }
  throw new Error("condition not met in time");
}

describe("Redis that goes away", () => {
  let proxy: TcpProxy | undefined;
  let state: HotState | undefined;
  afterEach(async () => {
    await state?.close();
    await proxy?.close();
    state = proxy = undefined;
  });

  it("degrade (default): keeps answering from this instance's memory, says so once each way, then shares again", async () => {
    proxy = await tcpProxy("127.0.0.1", 6379);
    const events: string[] = [];
    state = openHotState({
      url: `redis://127.0.0.1:${proxy.port}`,
      prefix: prefix(),
      timeoutMs: 300,
      events: { down: () => events.push("down"), up: () => events.push("up") },
    });
    expect(await state.incr("rpm", 1)).toBe(1);
    expect(await state.incr("rpm", 1)).toBe(2);
    proxy.cut();
    // Counting goes on, in memory, while Redis is away; nothing throws.
    const during = await Promise.all(Array.from({ length: 5 }, () => state!.addWithin("local", 1, 3)));
    expect(during.filter((r) => r.ok)).toHaveLength(3);
    // Several writes in one step, too: applied to memory meanwhile.
    await state.writeMany([
      { op: "incr", key: "inflight", delta: 1 },
      { op: "set", key: "ttft", value: "40" },
    ]);
    expect(await state.getMany(["inflight", "ttft"])).toEqual(["1", "40"]);
    expect(events).toEqual(["down"]);
    proxy.restore();
    // Once Redis answers again, the shared counter (kept by Redis all along) is back.
    await until(async () => (await state!.count("rpm")) === 2);
    expect(events).toEqual(["down", "up"]);
    // What was written to memory meanwhile stayed there (not a counter that is replayed); Redis's answer again.
    await state.writeMany([{ op: "set", key: "ttft", value: "41" }]);
    expect(await state.getMany(["inflight", "ttft"])).toEqual([undefined, "41"]);
  });

  it("fail-closed: operations are refused with StateUnavailable while it is away", async () => {
    proxy = await tcpProxy("127.0.0.1", 6379);
    state = openHotState({
      url: `redis://127.0.0.1:${proxy.port}`,
      prefix: prefix(),
      onFailure: "fail-closed",
      timeoutMs: 300,
    });
    expect((await state.addWithin("b", 1, 10)).ok).toBe(true);
    proxy.cut();
    await expect(state.addWithin("b", 1, 10)).rejects.toBeInstanceOf(StateUnavailable);
    await expect(state.writeMany([{ op: "set", key: "t", value: "1" }])).rejects.toBeInstanceOf(StateUnavailable);
    proxy.restore();
    await until(async () => {
      try {
        return (await state!.count("b")) === 1;
      } catch {
        return false;
      }
    });
  });

  it("a busy instance is not a Redis gone: an answer that arrived while this process was blocked is taken", async () => {
    const events: string[] = [];
    state = openHotState({
      url: "redis://127.0.0.1:6379",
      prefix: prefix(),
      timeoutMs: 200,
      events: { down: () => events.push("down"), up: () => events.push("up") },
    });
    expect(await state.incr("n", 1)).toBe(1);
    for (let i = 0; i < 3; i++) {
      const pending = state.incr("n", 1);
      // Let the command go out, then keep the event loop busy well past the timeout (a loaded machine).
      await new Promise((r) => setImmediate(r));
      const until = Date.now() + 600;
      while (Date.now() < until) {
        // busy
      }
      expect(await pending).toBe(i + 2);
    }
    // Counted once each, in Redis, and never taken for an outage.
    expect(await state.count("n")).toBe(4);
    expect(events).toEqual([]);
  });

  it("a Redis that was never there: degrade serves from memory at once", async () => {
    const events: string[] = [];
    state = openHotState({
      url: "redis://127.0.0.1:1",
      prefix: prefix(),
      timeoutMs: 200,
      events: { down: () => events.push("down"), up: () => events.push("up") },
    });
    expect(await state.incr("x", 4)).toBe(4);
    expect(await state.count("x")).toBe(4);
    expect(events).toEqual(["down"]);
  });
});
