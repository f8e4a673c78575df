import { describe, expect, it } from "vitest";
import { bounded, RedisTimeout } from "../../src/state/redis-bounded.js";

/** Keeps this process busy for `ms` (a loaded machine, a long synchronous step of another request). */
function block(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // busy
  }
}

const never = new Promise<string>(() => undefined);

describe("a Redis operation's timeout", () => {
  it("fails an operation that gets no answer in time", async () => {
    await expect(bounded(never, 30)).rejects.toBeInstanceOf(RedisTimeout);
  });

  it("takes an answer that was already waiting when a late timer fired", async () => {
    // Answered during the block (the answer sits in the event loop's queue), the timer due meanwhile.
    const op = new Promise<string>((resolve) => setImmediate(() => resolve("answered")));
    const b = bounded(op, 30);
    block(120);
    expect(await b).toBe("answered");
  });

  it("waits again for a command that could only leave after the process was blocked", async () => {
    // Sent on the next turn of the event loop (as a command held under load is) and answered 20 ms later:
    // the whole timeout passed before it left.
    const op = new Promise<string>((resolve) => setImmediate(() => setTimeout(() => resolve("answered"), 20)));
    const b = bounded(op, 60);
    block(240);
    expect(await b).toBe("answered");
  });

  it("waits again only once: a Redis that never answers still fails a blocked process's operation", async () => {
    const b = bounded(never, 30);
    block(120);
    await expect(b).rejects.toBeInstanceOf(RedisTimeout);
  });

  it("passes on an error at once, and the answer of an operation answered in time", async () => {
    await expect(bounded(Promise.reject(new Error("WRONGTYPE")), 1000)).rejects.toThrow("WRONGTYPE");
    expect(await bounded(Promise.resolve(7), 1000)).toBe(7);
  });
});
