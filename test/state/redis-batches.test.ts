/**
 * How the Redis engine sends its commands (src/state/redis.ts `run`, src/state/redis-turn.ts): a command alone
 * leaves within its turn (the commands of one turn in one write); commands sent while others await their answers
 * leave together, in one write at the end of the event loop's turn. The process's write system calls (`syscw` of
 * /proc/self/io) are the oracle: a write to the socket is one.
 */
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { RedisState } from "../../src/state/redis.js";

const REDIS = process.env.LLMUX_TEST_REDIS ?? "redis://127.0.0.1:6379";
const TTL = 60_000;

/** Write system calls this process has made so far. */
function writes(): number {
  const m = /^syscw:\s*(\d+)$/m.exec(readFileSync("/proc/self/io", "utf8"));
  if (!m) throw new Error("/proc/self/io has no syscw");
  return Number(m[1]);
}

let state: RedisState | undefined;
afterEach(async () => {
  await state?.close();
  state = undefined;
});

function open(): RedisState {
  state = new RedisState({ url: REDIS, prefix: `llmux-test:${process.pid}:${randomBytes(4).toString("hex")}:` });
  return state;
}

describe("Redis commands under load", () => {
  it("leave together: 200 increments sent in one turn take a handful of writes, each counted once", async () => {
    const s = open();
    expect(await s.incr("warm", 1, TTL)).toBe(1);
    const before = writes();
    const answers = await Promise.all(Array.from({ length: 200 }, () => s.incr("n", 1, TTL)));
    const made = writes() - before;
    // The first leaves at once; the 199 sent while it awaits its answer leave in one write.
    expect(made).toBeLessThan(20);
    expect([...answers].sort((a, b) => a - b)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    expect(await s.count("n")).toBe(200);
  });

  it("leave together turn after turn: 64 requests' counts and settlements, each answered, in few writes", async () => {
    const s = open();
    expect(await s.incr("warm", 1, TTL)).toBe(1);
    const before = writes();
    let left = 2000;
    const seen: number[] = [];
    // Each loop sends its next command when its last is answered: the commands of later turns, while others await.
    await Promise.all(
      Array.from({ length: 64 }, async () => {
        while (left-- > 0) {
          seen.push(await s.incr("load", 1, TTL));
          expect(await s.adjust("load", 0)).toBeGreaterThan(0);
        }
      }),
    );
    const made = writes() - before;
    expect([...seen].sort((a, b) => a - b)).toEqual(Array.from({ length: 2000 }, (_, i) => i + 1));
    expect(await s.count("load")).toBe(2000);
    // 4,000 commands; one write each would be 4,000.
    expect(made).toBeLessThan(1000);
  });

  it("keep their order: increments, guarded adds and settlements of one counter, interleaved", async () => {
    const s = open();
    const ops: Promise<unknown>[] = [];
    for (let i = 0; i < 100; i++) {
      ops.push(s.addWithin("slots", 1, 1000, TTL));
      ops.push(s.adjust("slots", -1));
      ops.push(s.incr("slots", 1, TTL));
    }
    await Promise.all(ops);
    // A settlement sent before its add would find the counter absent (or at 0) and leave it short.
    expect(await s.count("slots")).toBe(100);
  });

  it("side by side, a lone request's commands of one turn leave in one write, answered each in order", async () => {
    const s = open();
    expect(await s.incr("warm", 1, TTL)).toBe(1);
    const before = writes();
    for (let i = 1; i <= 40; i++) {
      // Two commands sent in one turn with none awaited, as a request's health read and rate check are.
      const [seen, added] = await Promise.all([s.getMany(["pair", "other"]), s.incr("pair", 1, TTL)]);
      expect(seen).toEqual([i === 1 ? undefined : String(i - 1), undefined]);
      expect(added).toBe(i);
    }
    const made = writes() - before;
    // One write a pair (two each when every command left on its own: 80).
    expect(made).toBeGreaterThanOrEqual(40);
    expect(made).toBeLessThan(60);
  });

  it("alone, one leaves within its turn, before the event loop polls", async () => {
    const s = open();
    expect(await s.incr("warm", 1, TTL)).toBe(1);
    const before = writes();
    const pending = s.incr("m", 1, TTL);
    // Runs before anything the command could have deferred to the end of this turn.
    const made = await new Promise<number>((resolve) => setImmediate(() => resolve(writes() - before)));
    expect(made).toBeGreaterThanOrEqual(1);
    expect(await pending).toBe(1);
  });
});
