import { execFile } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DIST } from "../support/built.js";

describe("hot state shared by cluster workers (llmux start --workers N without Redis)", () => {
  it("three worker processes racing 180 reservations against a limit of 100 get exactly 100; each reads the primary's values and writes several in one step", async () => {
    const out = await new Promise<string>((resolve, reject) => {
      execFile(
        process.execPath,
        [join(import.meta.dirname, "fixtures/cluster-state.mjs"), `${DIST}/`],
        { timeout: 30_000 },
        (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout)),
      );
    });
    const read = ["retry-after", "(undefined)"];
    expect(JSON.parse(out.trim())).toEqual({
      admitted: 100,
      counter: 100,
      reads: [read, read, read],
      written: ["3", null],
    });
  });
});
