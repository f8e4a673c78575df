import { existsSync, mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { JournalFile, whenJournalled } from "../../src/data/journal-file.js";

const fresh = () => new JournalFile(join(mkdtempSync(join(tmpdir(), "llmux-journal-")), "ledger-1-ab.journal"));
const read = (j: JournalFile) => readFileSync(j.path, "utf8");

describe("a process's journal file", () => {
  it("is emptied in place once nothing is pending, and keeps appending after", () => {
    const j = fresh();
    j.append("a\nb\n");
    j.settle(true, () => {
      throw new Error("not rewritten when it is emptied");
    });
    expect(read(j)).toBe("");
    j.append("c\n");
    expect(read(j)).toBe("c\n");
    j.close();
  });

  it("keeps lines already written while rows are pending, until it must forget one", () => {
    const j = fresh();
    j.append("held\nwritten\n");
    j.settle(false, () => "held\n");
    expect(read(j)).toBe("held\nwritten\n");
    j.forget();
    j.settle(false, () => "held\n");
    expect(read(j)).toBe("held\n");
    expect(existsSync(`${j.path}.next`)).toBe(false);
    j.append("next\n");
    expect(read(j)).toBe("held\nnext\n");
    j.close();
  });

  it("is rewritten with only what is pending once it grows past 1 MiB", () => {
    const j = fresh();
    const line = `${"x".repeat(1023)}\n`;
    for (let i = 0; i < 1023; i++) j.append(line);
    j.settle(false, () => "pending\n");
    expect(statSync(j.path).size).toBe(1023 * 1024);
    j.append(line);
    j.append(line);
    j.settle(false, () => "pending\n");
    expect(read(j)).toBe("pending\n");
    j.close();
  });

  it("gathers the lines queued in one turn of the event loop into one write, and runs what waits for it after", async () => {
    const a = fresh();
    const b = fresh();
    a.queue("1\n");
    b.queue("x\n");
    a.queue("2\n");
    const seen: string[] = [];
    whenJournalled(() => seen.push(`${read(a)}|${read(b)}`));
    // Nothing is written before the end of the turn, and nothing that waits for it has run.
    expect(existsSync(a.path)).toBe(false);
    expect(seen).toEqual([]);
    await new Promise<void>((done) => whenJournalled(done));
    expect(seen).toEqual(["1\n2\n|x\n"]);
    // With nothing queued, what waits runs at once.
    let now = false;
    whenJournalled(() => {
      now = true;
    });
    expect(now).toBe(true);
    // A synchronous append writes the queued lines first; lines of rows already written go with an emptying.
    a.queue("3\n");
    a.append("4\n");
    expect(read(a)).toBe("1\n2\n3\n4\n");
    a.queue("5\n");
    a.settle(true, () => "");
    await new Promise<void>((done) => whenJournalled(done));
    expect(read(a)).toBe("");
    a.close();
    b.close();
  });
});
