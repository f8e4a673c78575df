import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { calmPart, Journal } from "../../bench/journal.js";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function file(): string {
  const d = mkdtempSync(join(tmpdir(), "bench-journal-"));
  dirs.push(d);
  return join(d, "run.jsonl");
}

describe("bench journal", () => {
  it("resumes the parts an interrupted run of the same signature finished, and only those", async () => {
    const f = file();
    const first = new Journal(f, { git: "abc", quick: true });
    expect(first.resumed).toBe(0);
    first.put("cells:1:chat-small", [{ target: "llmux" }]);
    await first.once("phase:routing", async () => ({ p50: 3 }));
    // The run dies here, half-way through a line.
    writeFileSync(f, `${readFileSync(f, "utf8")}{"key":"cells:1:msg-c`);

    const again = new Journal(f, { git: "abc", quick: true });
    expect(again.resumed).toBe(2);
    expect(again.has("cells:1:chat-small")).toBe(true);
    expect(again.has("cells:1:msg-cc")).toBe(false);
    let measured = 0;
    const v = await again.once("phase:routing", async () => {
      measured++;
      return { p50: 9 };
    });
    expect(v).toEqual({ p50: 3 });
    expect(measured).toBe(0);

    // Another build (or other options): nothing is resumed, the file starts over.
    const other = new Journal(f, { git: "def", quick: true });
    expect(other.resumed).toBe(0);
    expect(other.has("cells:1:chat-small")).toBe(false);
    expect(readFileSync(f, "utf8").trim().split("\n")).toHaveLength(1);
  });

  it("starts afresh when asked, and is gone once the run completes", () => {
    const f = file();
    const j = new Journal(f, { a: 1 });
    j.put("x", 1);
    expect(new Journal(f, { a: 1 }, true).has("x")).toBe(false);
    const k = new Journal(f, { a: 1 });
    k.put("y", 2);
    k.finish();
    expect(new Journal(f, { a: 1 }).resumed).toBe(0);
  });

  it("measures a disturbed part again on resume and keeps the calmer of the two", async () => {
    const f = file();
    const first = new Journal(f, { git: "abc" });
    let runs = 0;
    const measure = (pct: number) => async () => {
      runs++;
      return [{ foreignCpuPct: 2 }, { foreignCpuPct: pct }];
    };
    await calmPart(first, "cells:1:calm", 15, measure(5));
    await calmPart(first, "cells:1:noisy", 15, measure(60));
    await calmPart(first, "cells:1:noisier", 15, measure(40));
    expect(runs).toBe(3);

    const again = new Journal(f, { git: "abc" });
    const calm = await calmPart(again, "cells:1:calm", 15, measure(1));
    expect(calm).toEqual({ part: [{ foreignCpuPct: 2 }, { foreignCpuPct: 5 }], resumed: true });
    expect(runs).toBe(3);
    const noisy = await calmPart(again, "cells:1:noisy", 15, measure(10));
    expect(noisy).toEqual({ part: [{ foreignCpuPct: 2 }, { foreignCpuPct: 10 }], resumed: false });
    const noisier = await calmPart(again, "cells:1:noisier", 15, measure(80));
    expect(noisier).toEqual({ part: [{ foreignCpuPct: 2 }, { foreignCpuPct: 40 }], resumed: true });
    expect(runs).toBe(5);

    // The calmer measurement was journaled: a third run takes it back without measuring.
    const third = new Journal(f, { git: "abc" });
    expect(third.get("cells:1:noisy")).toEqual([{ foreignCpuPct: 2 }, { foreignCpuPct: 10 }]);
  });
});
