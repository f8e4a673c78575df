/**
 * The spooled writer says which processes that are gone it has written every leftover file of (their budget
 * leases are then released: src/data/budget-leases.ts `releaseLeasesOf`): a dead process's journal with rows,
 * one whose journal is empty (idle when it died, a slice maybe still leased), never a running process, and
 * again at the next replay when the first try failed.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { type SpoolEvents, SpooledWriter } from "../../src/data/spooled-writer.js";

const events: SpoolEvents = { spooled: () => undefined, caughtUp: () => undefined };

/** The pid of a process that ran and is gone. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ["-e", ""]);
  return r.pid!;
}

describe("spooled writer: processes that are gone, replayed", () => {
  it("names each gone process once all its files are written, the idle one too, never a running one", async () => {
    const dir = mkdtempSync(join(tmpdir(), "llmux-gone-"));
    const busy = `${deadPid()}-deadbeef`;
    const idle = `${deadPid()}-cafebabe`;
    const running = `${process.ppid}-0badf00d`;
    writeFileSync(join(dir, `t-${busy}.journal`), `${JSON.stringify({ n: 1 })}\n${JSON.stringify({ n: 2 })}\n`);
    writeFileSync(join(dir, `t-${busy}.spool`), `${JSON.stringify({ n: 3 })}\n`);
    writeFileSync(join(dir, `t-${idle}.journal`), "");
    writeFileSync(join(dir, `t-${running}.journal`), `${JSON.stringify({ n: 9 })}\n`);
    const written: number[] = [];
    const released: string[][] = [];
    const w = new SpooledWriter<{ n: number }>(dir, events, {
      name: "t",
      journal: true,
      scanMs: 60_000,
      insert: async (rows) => {
        written.push(...rows.map((r) => r.n));
      },
      replayedGone: async (owners) => {
        released.push([...owners].sort());
      },
    });
    await vi.waitFor(() => expect(released).toHaveLength(1), { timeout: 5000, interval: 20 });
    expect(written.sort()).toEqual([1, 2, 3]);
    expect(released[0]).toEqual([busy, idle].sort());
    expect(readdirSync(dir).filter((n) => n.includes(running))).toEqual([`t-${running}.journal`]);
    await w.close();
  });

  it("a release that failed is tried again at the next replay", async () => {
    const dir = mkdtempSync(join(tmpdir(), "llmux-gone-"));
    const gone = `${deadPid()}-feedface`;
    writeFileSync(join(dir, `t-${gone}.journal`), `${JSON.stringify({ n: 1 })}\n`);
    const tries: string[][] = [];
    const w = new SpooledWriter<{ n: number }>(dir, events, {
      name: "t",
      journal: true,
      retryMs: 50,
      scanMs: 60_000,
      insert: async () => undefined,
      replayedGone: async (owners) => {
        tries.push(owners);
        if (tries.length === 1) throw new Error("the database is away");
      },
    });
    await vi.waitFor(() => expect(tries).toHaveLength(2), { timeout: 5000, interval: 20 });
    expect(tries).toEqual([[gone], [gone]]);
    await new Promise((r) => setTimeout(r, 200));
    expect(tries).toHaveLength(2);
    await w.close();
  });
});
