import { afterEach, describe, expect, it } from "vitest";
import { Hangups } from "../../src/cli/hangups.js";

/** A hangup as the process receives one: its listeners run (process.emit, so no real signal is sent). */
const hangup = () => process.emit("SIGHUP", "SIGHUP");

describe("SIGHUP in the primary of --workers", () => {
  const made: Hangups[] = [];
  const make = () => {
    const h = new Hangups();
    made.push(h);
    return h;
  };
  afterEach(() => {
    for (const h of made.splice(0)) h.close();
  });

  it("takes the signal over from the moment it is made (its default action would end the process)", () => {
    const before = process.listenerCount("SIGHUP");
    const h = make();
    expect(process.listenerCount("SIGHUP")).toBe(before + 1);
    h.close();
    expect(process.listenerCount("SIGHUP")).toBe(before);
  });

  it("a hangup before the workers serve reloads them once they do", async () => {
    const h = make();
    hangup();
    let runs = 0;
    h.serve(async () => {
      runs++;
    });
    await new Promise((r) => setImmediate(r));
    expect(runs).toBe(1);
    // Made after that hangup and served without one of its own: nothing to reload.
    const calm = make();
    let calmRuns = 0;
    calm.serve(async () => {
      calmRuns++;
    });
    await new Promise((r) => setImmediate(r));
    expect(calmRuns).toBe(0);
  });

  it("reloads one at a time: the hangups during a reload ask for a single reload after it", async () => {
    const h = make();
    let running = 0;
    let most = 0;
    let runs = 0;
    let release: () => void = () => undefined;
    h.serve(async () => {
      runs++;
      running++;
      most = Math.max(most, running);
      await new Promise<void>((r) => {
        release = r;
      });
      running--;
    });
    hangup();
    await new Promise((r) => setImmediate(r));
    expect(runs).toBe(1);
    hangup();
    hangup();
    hangup();
    release();
    await new Promise((r) => setImmediate(r));
    expect(runs).toBe(2);
    release();
    await new Promise((r) => setImmediate(r));
    expect(runs).toBe(2);
    expect(most).toBe(1);
  });

  it("once stopping, a hangup reloads nothing and is still not fatal; the stop waits for a reload under way", async () => {
    const before = process.listenerCount("SIGHUP");
    const h = make();
    let runs = 0;
    let release: () => void = () => undefined;
    h.serve(async () => {
      runs++;
      await new Promise<void>((r) => {
        release = r;
      });
    });
    hangup();
    let stopped = false;
    const stop = h.stop().then(() => {
      stopped = true;
    });
    await new Promise((r) => setImmediate(r));
    expect(stopped).toBe(false);
    release();
    await stop;
    // Stopped: the handler stays (a hangup is not fatal) and runs nothing more.
    expect(process.listenerCount("SIGHUP")).toBe(before + 1);
    hangup();
    await new Promise((r) => setImmediate(r));
    expect(runs).toBe(1);
    // Nothing under way: the stop has nothing to wait for.
    await h.stop();
  });

  it("a reload that fails leaves the next hangup its own reload", async () => {
    const h = make();
    let runs = 0;
    h.serve(async () => {
      runs++;
      if (runs === 1) throw new Error("no worker listened");
    });
    hangup();
    await new Promise((r) => setImmediate(r));
    hangup();
    await new Promise((r) => setImmediate(r));
    expect(runs).toBe(2);
  });
});
