/** The keep-alive of translated streams, on a simulated clock: a six-minute silence is filled, not waited. */
import { describe, expect, it } from "vitest";
import { PING, type SilenceTimer, withSilencePings } from "../../src/pipeline/silence-pings.js";

/** A clock that jumps: each wait passes at once and moves the time on by what it waited. */
function jumpingClock() {
  const clock = { now: 0, listeners: [] as (() => void)[] };
  const timer: SilenceTimer = {
    now: () => clock.now,
    wait(ms) {
      let cancelled = false;
      const done = new Promise<void>((resolve) =>
        setImmediate(() => {
          if (cancelled) return;
          clock.now += ms;
          for (const l of clock.listeners.splice(0)) l();
          resolve();
        }),
      );
      return {
        done,
        cancel: () => {
          cancelled = true;
        },
      };
    },
  };
  const until = (at: number) =>
    new Promise<void>((resolve) => {
      const check = () => (clock.now >= at ? resolve() : clock.listeners.push(check));
      check();
    });
  return { clock, timer, until };
}

describe("keep-alive during upstream silences", () => {
  it("fills a six-minute silence with a ping every interval, and passes every chunk in order", async () => {
    const { timer, until } = jumpingClock();
    async function* upstream() {
      yield "a";
      await until(6 * 60_000);
      yield "b";
      yield "c";
    }
    const seen: (string | "PING")[] = [];
    for await (const x of withSilencePings(upstream(), 15_000, timer)) seen.push(x === PING ? "PING" : x);
    expect(seen.filter((x) => x !== "PING")).toEqual(["a", "b", "c"]);
    expect(seen[0]).toBe("a");
    // 360 s of silence at one ping per 15 s, and not one more: each ping answers a silence.
    expect(seen.filter((x) => x === "PING")).toHaveLength(24);
    expect(seen.at(-1)).toBe("c");
  });

  it("sends nothing extra while the upstream keeps talking", async () => {
    const { timer } = jumpingClock();
    async function* upstream() {
      for (const s of ["a", "b", "c"]) yield s;
    }
    const seen: unknown[] = [];
    for await (const x of withSilencePings(upstream(), 15_000, timer)) seen.push(x);
    expect(seen).toEqual(["a", "b", "c"]);
  });

  it("stops reading when the consumer stops", async () => {
    const { timer } = jumpingClock();
    let returned = false;
    const upstream: AsyncIterable<string> = {
      [Symbol.asyncIterator]: () => ({
        next: () => new Promise<IteratorResult<string>>(() => undefined),
        return: async () => {
          returned = true;
          return { done: true, value: undefined };
        },
      }),
    };
    for await (const x of withSilencePings(upstream, 1000, timer)) if (x === PING) break;
    expect(returned).toBe(true);
  });

  it("passes on the upstream's failure after the chunks before it, and leaves no timer armed", async () => {
    const armed = new Set<number>();
    let n = 0;
    const timer: SilenceTimer = {
      now: () => 0,
      wait() {
        const id = n++;
        armed.add(id);
        return { done: new Promise<void>(() => undefined), cancel: () => armed.delete(id) };
      },
    };
    async function* upstream() {
      yield "a";
      throw new Error("cut mid-stream");
    }
    const seen: unknown[] = [];
    await expect(
      (async () => {
        for await (const x of withSilencePings(upstream(), 1000, timer)) seen.push(x);
      })(),
    ).rejects.toThrow("cut mid-stream");
    expect(seen).toEqual(["a"]);
    expect(armed.size).toBe(0);
    // An upstream that ends: the same, nothing left armed.
    async function* ends() {
      yield "b";
    }
    for await (const x of withSilencePings(ends(), 1000, timer)) seen.push(x);
    expect(seen).toEqual(["a", "b"]);
    expect(armed.size).toBe(0);
  });
});
