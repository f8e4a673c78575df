/**
 * The docs' stage table (docs/architecture.md, "The request pipeline") is the list of stages the code runs:
 * its rows are STAGE_NAMES in order, its files exist, and its count_tokens column says "skipped" exactly
 * where the count pipeline skips a stage, with the same reason.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { GENERATION } from "../../src/pipeline/generate.js";
import { PIPELINE_STAGES, pipeline, STAGE_NAMES, type Step, skip } from "../../src/request/stage.js";
import { COUNT } from "../../src/server/count-tokens.js";

const ROOT = join(import.meta.dirname, "../..");

function stageTable(): string[][] {
  const doc = readFileSync(join(ROOT, "docs/architecture.md"), "utf8");
  const start = doc.indexOf("| stage | file |");
  expect(start).toBeGreaterThan(0);
  const rows = doc.slice(start).split("\n\n")[0]!.split("\n").slice(2);
  return rows.map((r) =>
    r
      .slice(1, -1)
      .split(" | ")
      .map((c) => c.trim()),
  );
}

const column = (steps: readonly Step<unknown>[], name: string) => {
  const step = steps.find((s) => s.name === name);
  if (!step) return "runs";
  return "skipped" in step ? `skipped: ${step.skipped}` : "ran";
};

describe("the stage table in docs/architecture.md", () => {
  it("lists the stages in the order the code runs them", () => {
    expect(stageTable().map((r) => r[0])).toEqual([...STAGE_NAMES]);
  });

  it("names files that exist", () => {
    for (const [stage, files] of stageTable())
      for (const m of files!.matchAll(/`(src\/[^`]+)`/g))
        expect(existsSync(join(ROOT, m[1]!)), `${stage}: ${m[1]}`).toBe(true);
  });

  it("says where count_tokens skips a stage, and why, as src/server/count-tokens.ts does", () => {
    for (const [stage, , , , count] of stageTable()) {
      const expected = column(COUNT as readonly Step<unknown>[], stage!);
      if (expected === "ran") expect(count, stage).not.toMatch(/^skipped/);
      else expect(count, stage).toBe(expected);
    }
  });

  it("has a generation that runs every stage between read+decode and settle", () => {
    expect(GENERATION.map((s) => s.name)).toEqual([...PIPELINE_STAGES]);
    expect(GENERATION.every((s) => "run" in s)).toBe(true);
  });

  it("refuses a pipeline that leaves a stage out or lists them out of order (sanity check)", () => {
    const steps = PIPELINE_STAGES.map((n) => skip(n, "-"));
    expect(pipeline(steps)).toEqual([]);
    expect(() => pipeline(steps.slice(1))).toThrow(/the stages are/);
    expect(() => pipeline([...steps].reverse())).toThrow(/the stages are/);
  });
});
