import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { TimerWheel, WheelEntry } from "../../src/http/timer-wheel.js";
import { IdleWatch } from "../../src/upstream/idle-watch.js";

/** An entry that records when it came due. */
class Probe extends WheelEntry {
  readonly dueAt: number[] = [];
  constructor(private readonly again?: (now: number) => void) {
    super();
  }
  wheelDue(now: number): void {
    this.dueAt.push(now);
    this.again?.(now);
  }
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ["setInterval", "clearInterval", "setTimeout", "clearTimeout", "performance"] });
});
afterEach(() => {
  vi.useRealTimers();
});

describe("the timer wheel of the calls in flight", () => {
  it("fires a deadline at the first turn at or after it, never before", () => {
    const wheel = new TimerWheel(100);
    const p = new Probe();
    const start = performance.now();
    wheel.schedule(p, start + 250);
    vi.advanceTimersByTime(200);
    expect(p.dueAt).toEqual([]);
    vi.advanceTimersByTime(100);
    expect(p.dueAt).toHaveLength(1);
    expect(p.dueAt[0]).toBeGreaterThanOrEqual(start + 250);
    expect(p.dueAt[0]).toBeLessThanOrEqual(start + 350);
    expect(wheel.pending).toBe(0);
  });

  it("fires each of many deadlines once, in their turn, over more than one round of its slots", () => {
    const wheel = new TimerWheel(10, 8); // 8 slots of 10 ms: deadlines up to 1 s come round many times
    const start = performance.now();
    const probes = Array.from({ length: 50 }, (_, i) => {
      const p = new Probe();
      wheel.schedule(p, start + 20 * i + 5);
      return p;
    });
    for (let t = 0; t < 1100; t += 10) {
      vi.advanceTimersByTime(10);
      const now = performance.now();
      probes.forEach((p, i) => {
        const at = start + 20 * i + 5;
        // Not yet due: not fired. Due a turn ago or more: fired, once.
        if (now < at) expect(p.dueAt).toEqual([]);
        if (now >= at + 10) expect(p.dueAt).toHaveLength(1);
      });
    }
    for (const [i, p] of probes.entries()) expect(p.dueAt[0]).toBeGreaterThanOrEqual(start + 20 * i + 5);
    expect(wheel.pending).toBe(0);
  });

  it("never fires the deadline of a call that finished, nor the old one of a deadline moved later", () => {
    const wheel = new TimerWheel(100);
    const done = new Probe();
    const moved = new Probe();
    const now = performance.now();
    wheel.schedule(done, now + 100);
    wheel.schedule(moved, now + 100);
    wheel.cancel(done);
    wheel.cancel(done); // twice: nothing more happens
    wheel.schedule(moved, now + 1000);
    expect(wheel.pending).toBe(1);
    vi.advanceTimersByTime(900);
    expect(done.dueAt).toEqual([]);
    expect(moved.dueAt).toEqual([]);
    vi.advanceTimersByTime(100);
    expect(moved.dueAt).toHaveLength(1);
    vi.advanceTimersByTime(5000);
    expect(done.dueAt).toEqual([]);
    expect(moved.dueAt).toHaveLength(1);
  });

  it("runs its one interval only while something is on it", () => {
    const wheel = new TimerWheel(100);
    expect(vi.getTimerCount()).toBe(0);
    const a = new Probe();
    const b = new Probe();
    wheel.schedule(a, performance.now() + 60_000);
    wheel.schedule(b, performance.now() + 60_000);
    expect(wheel.running).toBe(true);
    expect(vi.getTimerCount()).toBe(1); // one timer, however many calls
    wheel.cancel(a);
    wheel.cancel(b);
    // It stops at its next turn that finds nothing on it.
    vi.advanceTimersByTime(100);
    expect(wheel.running).toBe(false);
    expect(vi.getTimerCount()).toBe(0);
    const turns = wheel.turns;
    vi.advanceTimersByTime(10_000);
    expect(wheel.turns).toBe(turns);
    // And starts again with the next call.
    wheel.schedule(a, performance.now() + 150);
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(200);
    expect(a.dueAt).toHaveLength(1);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("lets an entry put itself back when it comes due, and clear() forgets everything", () => {
    const wheel = new TimerWheel(100);
    const p: Probe = new Probe((now) => wheel.schedule(p, now + 300));
    wheel.schedule(p, performance.now() + 300);
    vi.advanceTimersByTime(1000);
    expect(p.dueAt).toHaveLength(3);
    wheel.clear();
    expect(wheel.pending).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(1000);
    expect(p.dueAt).toHaveLength(3);
  });

  it("looks at every slot once after a turn that came very late (a loop held for long)", () => {
    const wheel = new TimerWheel(10, 4);
    const p = new Probe();
    const t0 = performance.now();
    wheel.schedule(p, t0 + 25);
    // The interval's next turn comes when the clock says a second passed: 100 ticks, 25 rounds of 4 slots.
    const clock = vi.spyOn(performance, "now").mockReturnValue(t0 + 1000);
    vi.advanceTimersByTime(10);
    clock.mockRestore();
    expect(p.dueAt).toEqual([t0 + 1000]);
    expect(wheel.pending).toBe(0);
  });
});

describe("an idle watch on the wheel", () => {
  it("expires after its time of silence while llmux waits, not while the consumer holds the stream", () => {
    const wheel = new TimerWheel(100);
    const expired = vi.fn();
    const w = new IdleWatch(1000, expired, wheel);
    w.begin();
    vi.advanceTimersByTime(600);
    w.end(); // a chunk came
    vi.advanceTimersByTime(5000); // the client is slow to take it
    expect(expired).not.toHaveBeenCalled();
    w.begin();
    vi.advanceTimersByTime(900);
    expect(expired).not.toHaveBeenCalled();
    vi.advanceTimersByTime(200);
    expect(expired).toHaveBeenCalledTimes(1);
  });

  it("makes no timer of its own, and leaves the wheel when its call is over", () => {
    const wheel = new TimerWheel(100);
    const expired = vi.fn();
    const watches = Array.from({ length: 100 }, () => new IdleWatch(1000, expired, wheel));
    for (let i = 0; i < 50; i++) {
      for (const w of watches) w.begin();
      vi.advanceTimersByTime(20);
      for (const w of watches) w.end();
    }
    expect(vi.getTimerCount()).toBe(1); // the wheel's interval only
    for (const w of watches) w.stop();
    expect(wheel.pending).toBe(0);
    vi.advanceTimersByTime(5000);
    expect(expired).not.toHaveBeenCalled();
    expect(vi.getTimerCount()).toBe(0);
  });
});
