import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { IdleWatch } from "../../src/upstream/idle-watch.js";

beforeEach(() => {
  vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "performance"] });
});
afterEach(() => {
  vi.useRealTimers();
});

describe("the idle timer of an upstream body", () => {
  it("expires when the upstream is silent for its time while llmux waits", () => {
    const expired = vi.fn();
    const w = new IdleWatch(100, expired);
    w.begin();
    vi.advanceTimersByTime(99);
    expect(expired).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(expired).toHaveBeenCalledTimes(1);
  });

  it("does not count the time the consumer holds the stream between two reads", () => {
    const expired = vi.fn();
    const w = new IdleWatch(100, expired);
    w.begin();
    vi.advanceTimersByTime(60);
    w.end(); // a chunk came
    vi.advanceTimersByTime(500); // the client is slow to take it
    w.begin();
    vi.advanceTimersByTime(99);
    expect(expired).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(expired).toHaveBeenCalledTimes(1);
  });

  it("counts each wait from its own start, however many chunks came before", () => {
    const expired = vi.fn();
    const w = new IdleWatch(100, expired);
    for (let i = 0; i < 30; i++) {
      w.begin();
      vi.advanceTimersByTime(9);
      w.end();
    }
    w.begin(); // at 270 ms: the first timer (armed at 0) fired at 100 and 200 during waits that began later
    vi.advanceTimersByTime(99);
    expect(expired).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(expired).toHaveBeenCalledTimes(1);
  });

  it("makes one timer per timeout period of a fast stream, not one per chunk", () => {
    const expired = vi.fn();
    const w = new IdleWatch(100, expired);
    for (let i = 0; i < 1000; i++) {
      w.begin();
      vi.advanceTimersByTime(1);
      w.end();
    }
    w.stop();
    expect(expired).not.toHaveBeenCalled();
    expect(w.armed).toBeLessThanOrEqual(11);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("leaves no timer behind when the stream is over", () => {
    const expired = vi.fn();
    const w = new IdleWatch(100, expired);
    w.begin();
    w.stop();
    vi.advanceTimersByTime(1000);
    expect(expired).not.toHaveBeenCalled();
    expect(vi.getTimerCount()).toBe(0);
  });
});
