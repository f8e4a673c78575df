/**
 * V8's allocation-site pretenuring turned off by the `llmux` command (src/cli/pretenuring.ts, issue 45). V8's own
 * account, read from `--trace-pretenuring-statistics`: with pretenuring on, each scavenge that finds allocation
 * mementos prints a "pretenuring:" line for the sites it weighed; with it off, V8 weighs none and prints nothing.
 * The workload keeps a million objects of one object literal alive, so that their site's objects survive
 * scavenges: the case pretenuring exists for.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { BIN, DIST } from "../support/built.js";

const dir = mkdtempSync(join(tmpdir(), "llmux-pretenuring-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const WORKLOAD = `{ const make = (i) => ({ i, s: "x" + i }); const kept = []; for (let i = 0; i < 1_000_000; i++) kept.push(make(i)); globalThis.kept = kept; }`;

/** The "pretenuring:" lines V8 printed while the script ran (`importModule`: the built module first). */
function weighed(importModule: boolean, nodeOptions: string[] = []): number {
  const file = join(dir, `s-${Math.random().toString(36).slice(2)}.mjs`);
  const head = importModule ? `await import(${JSON.stringify(`${DIST}/cli/pretenuring.js`)});\n` : "";
  writeFileSync(file, `${head}${WORKLOAD}\nconsole.log("done");\n`);
  return run([...nodeOptions, "--trace-pretenuring-statistics", file]);
}

function run(args: string[]): number {
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  const r = spawnSync(process.execPath, args, { encoding: "utf8", env });
  if (r.status !== 0) throw new Error(`node failed: ${r.stderr}`);
  return r.stdout.split("\n").filter((l) => l.includes("pretenuring:")).length;
}

describe("allocation-site pretenuring", () => {
  it("is weighed by V8 in a process that does not load the module (the check can fail)", () => {
    expect(weighed(false)).toBeGreaterThan(0);
  });

  it("is off once the module is loaded", () => {
    expect(weighed(true)).toBe(0);
  });

  it.each(["--allocation-site-pretenuring", "--allocation_site_pretenuring"])(
    "is left on when the user asks for it on the command line (%s)",
    (option) => {
      expect(weighed(true, [option])).toBeGreaterThan(0);
    },
  );

  it("is off in the built `llmux` command (the workload runs as it exits)", () => {
    const hook = join(dir, "at-exit.mjs");
    writeFileSync(hook, `process.on("exit", () => ${WORKLOAD});\n`);
    expect(run(["--trace-pretenuring-statistics", "--import", hook, BIN, "--version"])).toBe(0);
    // The control: the same hook and workload, without the command.
    const plain = join(dir, "plain.mjs");
    writeFileSync(plain, `console.log("done");\n`);
    expect(run(["--trace-pretenuring-statistics", "--import", hook, plain])).toBeGreaterThan(0);
  });
});
