/** `npm run bench`'s command line: the committed report is written only when asked, and --help helps. */
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { COMMITTED_REPORT, parseOptions, REPORT_IN_CACHE, USAGE } from "../../bench/options.js";
import { resultsFile } from "../../bench/results-file.js";
import { e2e } from "../support/e2e.js";

e2e("`npm run bench`, which builds llmux");

const ROOT = join(import.meta.dirname, "../..");

describe("bench options", () => {
  it("writes docs/performance.md only with --write; otherwise the report goes to .cache/", () => {
    expect(parseOptions([]).out).toBe(REPORT_IN_CACHE);
    expect(parseOptions(["--quick"]).out).toBe(REPORT_IN_CACHE);
    expect(parseOptions(["--write"]).out).toBe(COMMITTED_REPORT);
    expect(parseOptions(["--out", "/tmp/x.md"]).out).toBe("/tmp/x.md");
    expect(resultsFile(parseOptions([]), "/repo/.cache")).toBe("/repo/.cache/bench-results.json");
    expect(resultsFile(parseOptions(["--write"]), "/repo/.cache")).toBe("/repo/.cache/bench-results.json");
  });

  it("an unknown option names it and shows the usage", () => {
    expect(() => parseOptions(["--quik"])).toThrow(/^unknown option --quik\n\nnpm run bench -- \[OPTIONS\]/);
    expect(parseOptions(["-h"]).help).toBe(true);
    for (const o of ["--quick", "--write", "--out FILE", "--no-peers", "--report-only"]) expect(USAGE).toContain(o);
  });

  it("npm run bench -- --help prints the usage and exits 0, starting nothing", async () => {
    const { stdout, stderr } = await promisify(execFile)("npm", ["run", "bench", "--silent", "--", "--help"], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, HOME: process.env.HOME },
      timeout: 60_000,
    });
    expect(stdout.trim()).toBe(USAGE);
    expect(stderr).not.toMatch(/Error|at .*\.js:\d+/);
  }, 60_000);
});
