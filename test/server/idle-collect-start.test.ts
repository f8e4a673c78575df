/**
 * The built `llmux start` gives back what a burst of large requests left once it falls idle
 * (src/cli/idle-collect.ts), read from V8's own trace (`node --trace-gc`): a collection the command makes is
 * traced as "testing", which V8 never does of itself, with the heap's size before and after. V8's own memory
 * reducer is turned off in the process, so nothing else collects while it is idle: the reducer does the same
 * after a first burst from a fresh start, but once it has run at a larger size it waits for the heap to pass
 * that size again (V8's memory-reducer.cc), so a long-running gateway after a smaller burst held what it left
 * (208–345 MB twenty seconds after the bench's lanes here). (When the command collects, and that it does not
 * while busy or while nothing new is held: test/cli/idle-collect.test.ts.)
 */
import type { ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { startBuilt } from "../support/built-start.js";

const dir = mkdtempSync(join(tmpdir(), "llmux-idle-gc-"));
let child: ChildProcess | undefined;

afterAll(() => {
  child?.kill("SIGKILL");
  rmSync(dir, { recursive: true, force: true });
});

/** The full collections the command made, as V8 traced them: the heap committed before and after, in MB. */
function forced(trace: string): { before: number; after: number }[] {
  return [...trace.matchAll(/Mark-Compact [\d.]+ \(([\d.]+)\) -> [\d.]+ \(([\d.]+)\) MB.*testing/g)].map((m) => ({
    before: Number(m[1]),
    after: Number(m[2]),
  }));
}

describe("llmux start after a burst of large requests", () => {
  it("gives back what it left once idle", async () => {
    const started = await startBuilt(dir, ["--no-memory-reducer", "--trace-gc"]);
    child = started.child;
    const { origin } = started;
    expect(forced(started.output())).toEqual([]);
    // A burst: 24 requests of 2 MB each, 8 at a time.
    const content = "lorem ipsum ".repeat(170_000);
    for (let round = 0; round < 3; round++)
      await Promise.all(
        Array.from({ length: 8 }, async () => {
          const res = await fetch(`${origin}/v1/chat/completions`, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({ model: "llmux-mock", messages: [{ role: "user", content }] }),
          });
          expect(res.status).toBe(200);
          await res.arrayBuffer();
        }),
      );
    // Once idle (two looks of five seconds), one collection of two passes...
    await expect.poll(() => forced(started.output()).length, { timeout: 20_000, interval: 200 }).toBe(2);
    // ...that gave back what the burst left: the heap's committed size fell by tens of MB.
    const [first, second] = forced(started.output());
    expect(first!.before - second!.after).toBeGreaterThan(24);
  }, 40_000);
});
