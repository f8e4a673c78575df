/**
 * The measuring windows of `error_rate` and `cache_hit_rate` are counted in the hot state, for every instance
 * together: three instances that each settle a third of the requests (each too few to count alone) cross the
 * threshold together, and the alert reaches the webhook once. On the in-process state (the three instances
 * share one engine, as `--workers` do) and on Redis (three clients, one prefix of their own).
 */
import { randomBytes } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import type { Config } from "../../src/config/schema.js";
import { createLogger } from "../../src/log/logger.js";
import { AlertWatch } from "../../src/observe/alert-watch.js";
import { Alerts } from "../../src/observe/alerts.js";
import type { RequestRecord } from "../../src/request/record.js";
import type { HotState } from "../../src/state/hot-state.js";
import { MemoryState } from "../../src/state/memory.js";
import { RedisState } from "../../src/state/redis.js";
import { within } from "../support/team.js";
import { receiver } from "../support/webhook-receiver.js";

const REDIS = process.env.LLMUX_TEST_REDIS ?? "redis://127.0.0.1:6379";
const HOUR = 3_600_000;

const ENGINES = [
  {
    name: "the in-process state",
    open: (): HotState[] => {
      const shared = new MemoryState();
      return [shared, shared, shared];
    },
  },
  {
    name: "Redis",
    open: (): HotState[] => {
      const prefix = `llmux-test:${process.pid}:${randomBytes(4).toString("hex")}:`;
      return [0, 1, 2].map(() => new RedisState({ url: REDIS, prefix }));
    },
  },
];

/** A request to `model` that llmux ended itself: its streamed answer cut by its budget, or refused by its rate limits. */
function ownLimit(model: string, cls: "budget" | "rate_limit_local"): RequestRecord {
  const status = cls === "budget" ? 200 : 429;
  return { ...settled(model, false), outcome: "error", errorClass: cls, status } as RequestRecord;
}

/** A settled request to `model` (on the deployment `openai/<model>`) with its outcome and usage. */
function settled(model: string, failed: boolean, input = 1000, cacheRead = 0): RequestRecord {
  return {
    id: `req_${randomBytes(6).toString("hex")}`,
    startedAt: Date.now(),
    method: "POST",
    path: "/v1/chat/completions",
    kind: "generate",
    provider: "openai",
    model,
    deployment: `openai/${model}`,
    status: failed ? 500 : 200,
    usage: { inputTokens: input, outputTokens: 10, cacheReadTokens: cacheRead },
    requestBytes: 100,
    outputChars: 40,
  } as RequestRecord;
}

describe.each(ENGINES)("error_rate and cache_hit_rate windows shared by three instances on $name", ({ open }) => {
  let states: HotState[] = [];
  let close: () => void = () => undefined;
  afterEach(async () => {
    close();
    for (const s of new Set(states)) await s.close();
  });

  async function three(min: number) {
    const hook = await receiver();
    close = () => hook.server.close();
    states = open();
    const config: Config["alerts"] = {
      destinations: { ops: { type: "webhook", url: hook.url } },
      rules: [
        { on: "error_rate", to: ["ops"], threshold: 0.3, min_requests: min, window_s: 3600 },
        { on: "cache_hit_rate", to: ["ops"], threshold: 0.5, min_requests: min, window_s: 3600 },
      ],
    };
    // Inside one hour window, whatever the time of the run.
    const now = Math.floor(Date.now() / HOUR) * HOUR + 60_000;
    const watches = states.map(
      (hot) => new AlertWatch(new Alerts(config, hot, createLogger("silent"), [20]), hot, () => now),
    );
    const delivered = (rule: string) =>
      hook.got.map((g) => JSON.parse(g.body) as Record<string, unknown>).filter((b) => b.rule === rule);
    return { watches, delivered };
  }

  it("three instances' requests cross the thresholds together, and each alert is sent once", async () => {
    const { watches, delivered } = await three(6);
    const model = `m-${randomBytes(3).toString("hex")}`;
    // Each instance: one failed request, one answered without any cache read (2 of 6 in all, per instance).
    for (const w of watches) await w.count(settled(model, true));
    for (const w of watches) await w.count(settled(model, false));
    expect(await within(5_000, async () => delivered("error_rate").length > 0)).toBe(true);
    // The rest of the window, on every instance: neither rule is sent again.
    for (const w of watches) for (let i = 0; i < 3; i++) await w.count(settled(model, false));
    expect(await within(5_000, async () => delivered("cache_hit_rate").length > 0)).toBe(true);
    await new Promise((r) => setTimeout(r, 300));
    const errors = delivered("error_rate");
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ scope: "deployment", id: `openai/${model}`, requests: 6, failed: 3 });
    const caches = delivered("cache_hit_rate");
    expect(caches).toHaveLength(1);
    // Only the answered requests count for the cache share: the sixth of them (two per instance) crossed it.
    expect(caches[0]).toMatchObject({ scope: "model", id: model, cache_hit_rate: 0, requests: 6 });
  });

  it("below the thresholds together, nothing is sent", async () => {
    const { watches, delivered } = await three(6);
    const model = `m-${randomBytes(3).toString("hex")}`;
    // 1 failed of 9 (11%, under 30%); every answer reads most of its input from the cache (90%).
    await watches[0]!.count(settled(model, true));
    for (const w of watches) for (let i = 0; i < 3; i++) await w.count(settled(model, false, 1000, 900));
    await new Promise((r) => setTimeout(r, 300));
    expect(delivered("error_rate")).toHaveLength(0);
    expect(delivered("cache_hit_rate")).toHaveLength(0);
  });

  it("answers cut by their budget and llmux's own limit refusals are no failure of the deployment", async () => {
    const { watches, delivered } = await three(3);
    const model = `m-${randomBytes(3).toString("hex")}`;
    // Each instance: two answers cut by their budget, one refused by a rate limit, one answered.
    for (const w of watches) {
      await w.count(ownLimit(model, "budget"));
      await w.count(ownLimit(model, "budget"));
      await w.count(ownLimit(model, "rate_limit_local"));
      await w.count(settled(model, false, 1000, 900));
    }
    await new Promise((r) => setTimeout(r, 300));
    expect(delivered("error_rate")).toHaveLength(0);
    // The deployment's own failures still count: the second makes 2 of 5 requests (over 30%).
    for (const w of watches) await w.count(settled(model, true));
    expect(await within(5_000, async () => delivered("error_rate").length > 0)).toBe(true);
    expect(delivered("error_rate")[0]).toMatchObject({ id: `openai/${model}`, requests: 5, failed: 2 });
  });
});
