/**
 * The JSON logger on standard output (createLogger, as built): lines gathered into writes of a few kB reach the
 * output whole, in order, their text unchanged (non-ASCII included), whether the process goes on (the batch's
 * timer writes them) or exits at once (pino's exit flush writes what is held).
 */
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { DIST } from "../support/built.js";

const LINES = 3000;

/** A process that logs LINES lines (every tenth through logData), then exits at once or lets the timer write. */
function run(exit: "at once" | "after the timer"): string {
  const logger = pathToFileURL(join(DIST, "log/logger.js")).href;
  const program = `
    const { createLogger, logData } = await import(${JSON.stringify(logger)});
    const log = createLogger("info", false);
    for (let i = 0; i < ${LINES}; i++) {
      const text = "é→✓😀 ".repeat(i % 7) + "x".repeat(i % 300);
      if (i % 10 === 0) logData(log, "info", { i, text }, "data line");
      else log.info({ i, text }, "line");
    }
    ${exit === "at once" ? "process.exit(0);" : "setTimeout(() => {}, 200);"}
  `;
  return execFileSync(process.execPath, ["--input-type=module", "-e", program], { encoding: "utf8" });
}

describe("the JSON logger on standard output", () => {
  for (const exit of ["at once", "after the timer"] as const) {
    it(`writes every line whole and in order (exit ${exit})`, () => {
      const out = run(exit).split("\n");
      expect(out.pop()).toBe("");
      expect(out).toHaveLength(LINES);
      out.forEach((line, i) => {
        const o = JSON.parse(line) as { i: number; text: string; msg: string; level: number };
        expect(o.i).toBe(i);
        expect(o.text).toBe("é→✓😀 ".repeat(i % 7) + "x".repeat(i % 300));
        expect(o.msg).toBe(i % 10 === 0 ? "data line" : "line");
        expect(o.level).toBe(30);
      });
    });
  }
});
