/**
 * The stored layers' poller (src/data/version-poller.ts): a version stored elsewhere is put in force at the
 * poller's next tick (0.5 s for models, providers, rules and guardrails: "within 2 s" on every instance is
 * this period plus one read), one read at a time; `nextPoll()` waits for a poll that starts after it.
 * Timers are Vitest's fake ones: the tick is counted, not timed.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { type VersionedSource, VersionPoller } from "../../src/data/version-poller.js";

const quiet = { warn: () => undefined, info: () => undefined };

/** A stored value and its version, as another instance would have written them. */
function store() {
  const s = { version: 0, value: "", reads: 0, applied: [] as string[], fail: false };
  const source: VersionedSource<string> = {
    what: "test layer",
    version: async () => {
      if (s.fail) throw new Error("down");
      return s.version;
    },
    read: async () => {
      s.reads++;
      return s.version === 0 ? undefined : { version: s.version, value: s.value };
    },
    apply: (v) => {
      s.applied.push(v);
    },
  };
  return { s, source };
}

describe("VersionPoller", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("puts a version stored elsewhere in force at its next tick, and reads nothing while it did not move", async () => {
    const { s, source } = store();
    const p = new VersionPoller(source, quiet, 500);
    await vi.advanceTimersByTimeAsync(0);
    expect(p.applied).toBe(0);
    s.version = 7;
    s.value = "seven";
    await vi.advanceTimersByTimeAsync(499);
    expect(s.applied).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(s.applied).toEqual(["seven"]);
    expect(p.applied).toBe(7);
    const reads = s.reads;
    await vi.advanceTimersByTimeAsync(5_000);
    expect(s.reads).toBe(reads);
    p.stop();
  });

  it("nextPoll() resolves after a poll that started after it, by which a stored change is in force", async () => {
    const { s, source } = store();
    const p = new VersionPoller(source, quiet, 500);
    await vi.advanceTimersByTimeAsync(0);
    s.version = 3;
    s.value = "three";
    let done = false;
    const next = p.nextPoll().then(() => {
      done = true;
    });
    await vi.advanceTimersByTimeAsync(499);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await next;
    expect(s.applied).toEqual(["three"]);
    p.stop();
  });

  it("a nextPoll() asked while a poll runs waits for the one after it", async () => {
    const { s, source } = store();
    let release: () => void = () => undefined;
    const slow: VersionedSource<string> = {
      ...source,
      version: () => new Promise<number>((r) => (release = () => r(s.version))),
    };
    const p = new VersionPoller(slow, quiet, 500);
    // The first poll (at start) is still reading its version.
    s.version = 4;
    s.value = "four";
    let done = false;
    const next = p.nextPoll().then(() => {
      done = true;
    });
    release();
    await vi.advanceTimersByTimeAsync(0);
    expect(s.applied).toEqual(["four"]);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(500);
    release();
    await next;
    expect(done).toBe(true);
    p.stop();
  });

  it("check() asked while a poll runs that applies an older version polls again before it resolves", async () => {
    const { s, source } = store();
    let gate: (() => void) | undefined;
    let held: { version: number; value: string } | undefined;
    const stale: VersionedSource<string> = {
      ...source,
      read: async () => {
        // The first read after start holds what it read (version 1) until released: a slow read of an old state.
        if (gate === undefined && s.version === 1) {
          held = { version: 1, value: "one" };
          await new Promise<void>((r) => (gate = r));
          return held;
        }
        return source.read();
      },
    };
    s.version = 1;
    s.value = "one";
    const p = new VersionPoller(stale, quiet, 500);
    await vi.advanceTimersByTimeAsync(0);
    expect(gate).toBeDefined();
    s.version = 2;
    s.value = "two";
    const checked = p.check();
    gate?.();
    await checked;
    expect(s.applied).toEqual(["one", "two"]);
    expect(p.applied).toBe(2);
    p.stop();
  });

  it("a failed read leaves what is in force and is tried again at the next tick", async () => {
    const { s, source } = store();
    const warned: string[] = [];
    const p = new VersionPoller(source, { warn: (_f, m) => warned.push(m), info: () => undefined }, 500);
    await vi.advanceTimersByTimeAsync(0);
    s.fail = true;
    s.version = 2;
    s.value = "two";
    await vi.advanceTimersByTimeAsync(1_500);
    expect(s.applied).toEqual([]);
    expect(warned).toEqual(["the test layer could not be read"]);
    s.fail = false;
    await vi.advanceTimersByTimeAsync(500);
    expect(s.applied).toEqual(["two"]);
    p.stop();
  });

  it("stop() ends the ticks and releases whoever waits for one", async () => {
    const { s, source } = store();
    const p = new VersionPoller(source, quiet, 500);
    await vi.advanceTimersByTimeAsync(0);
    const waiting = p.nextPoll();
    p.stop();
    await waiting;
    s.version = 9;
    await vi.advanceTimersByTimeAsync(5_000);
    expect(s.applied).toEqual([]);
  });
});
