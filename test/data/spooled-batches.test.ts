/**
 * Under steady load the spooled writer sends the database full batches: rows that arrive while a batch is
 * being written wait for the next full batch (or the timer), instead of following at once in trickles.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { type SpoolEvents, SpooledWriter } from "../../src/data/spooled-writer.js";

const events: SpoolEvents = { spooled: () => undefined, caughtUp: () => undefined };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A writer in a directory of its own whose inserts take `writeMs`; `batches` lists the size of each. */
function writer(o: { journal: boolean; flushMs: number; writeMs: number }) {
  const batches: number[] = [];
  const w = new SpooledWriter<{ n: number }>(mkdtempSync(join(tmpdir(), "llmux-spool-")), events, {
    name: "t",
    journal: o.journal,
    batch: 50,
    flushMs: o.flushMs,
    insert: async (rows) => {
      batches.push(rows.length);
      if (o.writeMs > 0) await sleep(o.writeMs);
    },
  });
  return { w, batches };
}

describe("spooled writer batches", () => {
  it("rows added one by one while slow writes run reach the database in full batches, and a flush writes the rest", async () => {
    const { w, batches } = writer({ journal: true, flushMs: 10_000, writeMs: 25 });
    for (let n = 0; n < 230; n++) {
      w.add({ n });
      if (n % 5 === 4) await sleep(1);
    }
    await sleep(60);
    // Four full batches were due; the 30 rows left wait for the timer.
    expect(batches).toEqual([50, 50, 50, 50]);
    expect(w.queued).toBe(30);
    await w.flush();
    expect(batches).toEqual([50, 50, 50, 50, 30]);
    expect(w.queued).toBe(0);
    await w.close();
  });

  it("rows fewer than a batch are written by the timer", async () => {
    const { w, batches } = writer({ journal: false, flushMs: 30, writeMs: 0 });
    for (let n = 0; n < 7; n++) w.add({ n });
    expect(batches).toEqual([]);
    await sleep(80);
    expect(batches).toEqual([7]);
    await w.close();
  });
});
