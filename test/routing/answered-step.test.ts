/**
 * The end of an answered request on the deployment's health (DeploymentHealth.answered): the in-flight count
 * down, the error window's request, the TTFT average and, for a probe, the breaker's marks cleared, in one step.
 * On Redis that is one command (counted on the client as it sends them), where it was three to five. Both
 * hot-state engines.
 */
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { Provider } from "../../src/providers/types.js";
import { type Deployment, type Routing, routingOf } from "../../src/routing/deployments.js";
import { DeploymentHealth } from "../../src/routing/health.js";
import type { HotState } from "../../src/state/hot-state.js";
import { MemoryState } from "../../src/state/memory.js";
import { RedisState } from "../../src/state/redis.js";

const routing: Routing = { ...routingOf({ provider: "p" }), allowed_fails: 1, cooldown_s: 1 };
const dep = (id: string): Deployment => ({ id, name: id, provider: { name: "p" } as Provider, model: "m", weight: 1 });

const REDIS = process.env.LLMUX_TEST_REDIS ?? "redis://127.0.0.1:6379";

/** Each engine, with the commands its Redis client sent (none for memory). */
const ENGINES: { engine: string; open: () => { state: HotState; sent: string[] } }[] = [
  { engine: "memory", open: () => ({ state: new MemoryState(), sent: [] }) },
  {
    engine: "redis",
    open: () => {
      const state = new RedisState({
        url: REDIS,
        prefix: `llmux-test:${process.pid}:${randomBytes(4).toString("hex")}:`,
      });
      const sent: string[] = [];
      const send = state.client.sendCommand.bind(state.client);
      state.client.sendCommand = ((cmd: { name: string }, ...rest: unknown[]) => {
        sent.push(cmd.name);
        return (send as (...a: unknown[]) => unknown)(cmd, ...rest);
      }) as typeof state.client.sendCommand;
      return { state, sent };
    },
  },
];

describe.each(ENGINES)("an answered request's end on $engine", ({ engine, open }) => {
  it("counts it out of flight, into the window and the TTFT average, in one step", async () => {
    const { state, sent } = open();
    try {
      const recovered: string[] = [];
      const health = new DeploymentHealth(state, { coolDown() {}, recovered: (d) => recovered.push(d.id) });
      const d = dep(`a-${engine}`);
      await health.started(d);
      await health.started(d);
      // The counts up are sent off without a wait: they were sent once they read.
      await expect.poll(() => health.inflight(d)).toBe(2);
      // The first answer reads the shared TTFT average (none yet), then writes in one step.
      sent.length = 0;
      await health.answered(d, routing, 100, false);
      if (engine === "redis") expect(sent).toEqual(["get", "evalsha"]);
      // Within a second the instance builds on its own write: one command.
      sent.length = 0;
      await health.answered(d, routing, 200, false);
      if (engine === "redis") expect(sent).toEqual(["evalsha"]);
      const v = await health.view(d, routing);
      expect([v.in_flight, v.window_requests, v.window_errors]).toEqual([0, 2, 0]);
      expect(await health.ttft(d)).toBe(130);
      // Never below zero: an end with no start left (its counter expired, or Redis restarted) leaves 0.
      await health.answered(d, routing, undefined, false);
      expect((await health.view(d, routing)).in_flight).toBe(0);
      expect(recovered).toEqual([]);
    } finally {
      await state.close();
    }
  });

  it("a probe that answered reopens its deployment in the same step", async () => {
    const { state, sent } = open();
    try {
      const recovered: string[] = [];
      const health = new DeploymentHealth(state, { coolDown() {}, recovered: (d) => recovered.push(d.id) });
      const d = dep(`p-${engine}`);
      await health.failed(d, routing, { class: "connection" }, false);
      expect(await health.availability(d)).toBe("cooling");
      await expect.poll(() => health.availability(d), { timeout: 5_000, interval: 100 }).toBe("half-open");
      expect(await health.claimProbe(d)).toBe(true);
      await health.started(d);
      // The count up is sent off without a wait: it was sent once it reads.
      await expect.poll(() => health.inflight(d)).toBe(1);
      sent.length = 0;
      await health.answered(d, routing, 40, true);
      if (engine === "redis") expect(sent).toEqual(["get", "evalsha"]);
      expect(await health.availability(d)).toBe("ok");
      expect(recovered).toEqual([d.id]);
      // The probe's slot is free again: a later half-open spell can be probed.
      expect(await health.claimProbe(d)).toBe(true);
      expect((await health.view(d, routing)).in_flight).toBe(0);
    } finally {
      await state.close();
    }
  });
});

/** Microtask turns until `p` settles (at most 100). */
async function turnsUntil(p: Promise<unknown>): Promise<number> {
  let done = false;
  void p.then(() => {
    done = true;
  });
  let turns = 0;
  while (!done && turns < 100) {
    await Promise.resolve();
    turns++;
  }
  return turns;
}

describe("an answered request's end on the in-process state", () => {
  it("is done in a fixed number of microtask turns: no promise per write, none for an average it knows", async () => {
    const state = new MemoryState();
    try {
      const health = new DeploymentHealth(state, { coolDown() {}, recovered() {} });
      const d = dep("turns");
      await health.started(d);
      await health.started(d);
      // The first answer reads the average (a wait); the next, within a second, builds on its own write.
      await health.answered(d, routing, 100, false);
      // Three writes in one step. A promise awaited per write, and one for the list of writes, took 6 turns
      // here; 3 with the writes applied at once, 5 with the list given at once.
      expect(await turnsUntil(health.answered(d, routing, 200, false))).toBe(2);
      const v = await health.view(d, routing);
      expect([v.in_flight, v.window_requests]).toEqual([0, 2]);
      expect(await health.ttft(d)).toBe(130);
    } finally {
      await state.close();
    }
  });
});
