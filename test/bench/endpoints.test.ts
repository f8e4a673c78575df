/** Where the bench's servers listen and where it finds PostgreSQL and Redis: options, not hard-wired. */
import { createServer, type Server } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { benchPgUrl, benchRedisUrl, DEFAULT_PG, DEFAULT_REDIS } from "../../bench/endpoints.js";
import { parseOptions, portRange, USAGE } from "../../bench/options.js";
import { freePort, usePorts } from "../../bench/procs.js";

const saved = { pg: process.env.LLMUX_BENCH_PG, redis: process.env.LLMUX_BENCH_REDIS };
const open: Server[] = [];
afterEach(async () => {
  process.env.LLMUX_BENCH_PG = saved.pg ?? "";
  process.env.LLMUX_BENCH_REDIS = saved.redis ?? "";
  await Promise.all(open.splice(0).map((s) => new Promise((r) => s.close(r))));
});

describe("bench endpoints", () => {
  it("takes PostgreSQL and Redis from --pg / --redis, refusing what is not such a URL", () => {
    const o = parseOptions(["--pg", "postgres://u@db.example:6543/x", "--redis", "rediss://cache.example:6380"]);
    expect(o.pg).toBe("postgres://u@db.example:6543/x");
    expect(o.redis).toBe("rediss://cache.example:6380");
    expect(() => parseOptions(["--redis", "http://x"])).toThrow(/--redis needs a redis: or rediss:/);
    expect(() => parseOptions(["--pg", "not a url"])).toThrow(/--pg needs a URL/);
    expect(() => parseOptions(["--pg"])).toThrow(/needs a value/);
    expect(USAGE).toContain("--redis URL");
    process.env.LLMUX_BENCH_PG = "";
    process.env.LLMUX_BENCH_REDIS = "";
    expect([benchPgUrl(), benchRedisUrl()]).toEqual([DEFAULT_PG, DEFAULT_REDIS]);
    process.env.LLMUX_BENCH_REDIS = "redis://10.0.0.9:7000";
    expect(benchRedisUrl()).toBe("redis://10.0.0.9:7000");
  });

  it("parses --ports FROM-TO with bounds", () => {
    expect(parseOptions(["--ports", "41000-41099"]).ports).toEqual({ from: 41000, to: 41099 });
    for (const bad of ["80-200", "41000-41005", "41099-41000", "41000-70000", "x-y", "41000"])
      expect(() => portRange(bad), bad).toThrow(/--ports needs FROM-TO/);
  });

  it("hands out free ports of the range only, skipping one in use", async () => {
    const base = await findFreeBlock();
    const busy = createServer();
    open.push(busy);
    await new Promise<void>((r) => busy.listen(base, "127.0.0.1", r));
    usePorts(base, base + 15);
    const got = [await freePort(), await freePort(), await freePort()];
    expect(got).toEqual([base + 1, base + 2, base + 3]);
  });
});

/** A block of 16 ports that are free now (a few tries around a system-given port). */
async function findFreeBlock(): Promise<number> {
  for (let i = 0; i < 20; i++) {
    const s = createServer();
    const p = await new Promise<number>((r) =>
      s.listen(0, "127.0.0.1", () => r((s.address() as { port: number }).port)),
    );
    await new Promise((r) => s.close(r));
    const base = Math.min(p, 65535 - 16);
    const frees = await Promise.all(
      Array.from({ length: 16 }, (_, k) => {
        const t = createServer();
        return new Promise<boolean>((r) => {
          t.once("error", () => r(false));
          t.listen(base + k, "127.0.0.1", () => t.close(() => r(true)));
        });
      }),
    );
    if (frees.every(Boolean)) return base;
  }
  throw new Error("no block of 16 free ports");
}
