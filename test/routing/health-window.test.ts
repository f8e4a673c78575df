/**
 * The deployments view's request and failure counts cover the current error window and the one before it: a
 * failure just before a window ends still shows just after (the view's figures no longer drop to zero at each
 * window's turn), and is gone two windows on. Both hot-state engines.
 */
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { Provider } from "../../src/providers/types.js";
import { type Deployment, routingOf } from "../../src/routing/deployments.js";
import { classifyReply } from "../../src/routing/error-class.js";
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

describe.each(ENGINES)("the deployments view's error window on $engine", ({ open }) => {
  it("counts the window before the current one too, and forgets a failure two windows on", async () => {
    expect(routing.window_s).toBe(60);
    // 10 ms before a window's end.
    let t = 60_000 * 29_000_000 - 10;
    const now = () => t;
    const state = open(now);
    try {
      const health = new DeploymentHealth(state, events, now);
      const failure = classifyReply(500, {}, "upstream broke");
      await health.failed(d, routing, failure, false);
      const during = await health.view(d, routing);
      expect([during.window_requests, during.window_errors]).toEqual([1, 1]);
      // Just after the window's turn: the failure still shows, and a success adds to it.
      t += 20;
      await health.succeeded(d, routing, 50, false);
      const after = await health.view(d, routing);
      expect([after.window_requests, after.window_errors]).toEqual([2, 1]);
      // A window on: the failure's window is gone, the success's is the one before.
      t += 60_000;
      const later = await health.view(d, routing);
      expect([later.window_requests, later.window_errors]).toEqual([1, 0]);
    } finally {
      await state.close();
    }
  });
});
