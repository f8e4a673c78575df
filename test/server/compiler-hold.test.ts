/**
 * V8's optimizing compilers held until a served process is busy (src/cli/compiler-hold.ts, issue 45's idle
 * memory). V8's own account: `%GetOptimizationStatus` (a node option, `--allow-natives-syntax`) in a process of
 * its own, and `--trace-opt`'s lines for the built `llmux start`.
 *
 * - The module, loaded first: a hot function stays interpreted while held and is optimized once released; a
 *   watch releases them once the process has spent the CPU it is given, and not while the process is idle; a
 *   node option naming a compiler leaves V8's settings alone (either way).
 * - The built `llmux start` on its embedded defaults: nothing is optimized once it runs, while it starts and
 *   serves a few requests; under load it releases them and V8 optimizes.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { DIST } from "../support/built.js";
import { startBuilt } from "../support/built-start.js";

const dir = mkdtempSync(join(tmpdir(), "llmux-compilers-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** V8's status bits of a function that runs optimized code, of one TurboFan compiled, and of one with baseline code (runtime-test.cc). */
const OPTIMIZED = 16;
const TURBOFANNED = 64;
const BASELINE = 1 << 15;

/** A function hot enough for V8 to optimize (its loop alone is), and how optimized it is. */
const HOT = `
const hot = (n) => { let s = 0; for (let i = 0; i < n; i++) s = (s + i * 7) % 1000003; return s; };
const optimized = (bit = ${OPTIMIZED}) => (%GetOptimizationStatus(hot) & bit) !== 0;
const baseline = () => (%GetOptimizationStatus(hot) & ${BASELINE}) !== 0;
const warm = (rounds) => { for (let i = 0; i < rounds && !optimized(); i++) hot(1000); };`;

/** Runs a script that imports the built module first, and returns what it printed (JSON). */
function script(body: string, nodeOptions: string[] = []): Record<string, unknown> {
  const file = join(dir, `s-${Math.random().toString(36).slice(2)}.mjs`);
  const module = JSON.stringify(`${DIST}/cli/compiler-hold.js`);
  writeFileSync(
    file,
    `const hold = await import(${module});\nconst out = {};\n${HOT}\n${body}\nconsole.log(JSON.stringify(out));\n`,
  );
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  const run = spawnSync(process.execPath, ["--allow-natives-syntax", ...nodeOptions, file], { encoding: "utf8", env });
  if (run.status !== 0) throw new Error(`the script failed: ${run.stderr}`);
  return JSON.parse(run.stdout.trim().split("\n").pop()!) as Record<string, unknown>;
}

describe("the optimizing compilers while a command starts", () => {
  it("leave a hot function interpreted while held (no baseline code, not optimized), and optimize it once released", () => {
    const out = script(`
      out.held = hold.compilersHeld();
      warm(20_000);
      out.whileHeld = optimized();
      out.baselineWhileHeld = baseline();
      hold.releaseCompilers();
      warm(20_000);
      out.released = optimized();`);
    expect(out).toEqual({ held: true, whileHeld: false, baselineWhileHeld: false, released: true });
  });

  it("are released by a watch once the process has spent the CPU it is given, not before", () => {
    const out = script(`
      const { setTimeout: sleep } = await import("node:timers/promises");
      const from = process.cpuUsage();
      hold.releaseCompilersWhenBusy({ busyCpuMs: 300, everyMs: 10 });
      await sleep(200);
      out.idle = hold.compilersHeld();
      // Busy: the hot function in turns of 20 ms of work, the event loop between them.
      for (let turn = 0; turn < 1000 && hold.compilersHeld(); turn++) {
        const until = performance.now() + 20;
        while (performance.now() < until) hot(1000);
        out.whileHeld ??= optimized();
        await sleep(1);
      }
      const used = process.cpuUsage(from);
      out.atRelease = used.user + used.system >= 300_000;
      out.busy = hold.compilersHeld();
      warm(20_000);
      out.released = optimized();`);
    expect(out).toEqual({ idle: true, whileHeld: false, atRelease: true, busy: false, released: true });
  });

  it.each([
    ["--no-opt", false],
    ["--no-turbofan", false],
    ["--turbofan", true],
    ["--opt", true],
    ["--no-sparkplug", true],
  ])("are as the user set them with a node option naming one (%s)", (option, on) => {
    // TurboFan's own bit: Maglev, on in Node 24, is the user's too (and optimizes whatever the option).
    const out = script(
      `
      out.held = hold.compilersHeld();
      for (let i = 0; i < 20_000 && !optimized(${TURBOFANNED}); i++) hot(1000);
      out.optimized = optimized(${TURBOFANNED});`,
      [option],
    );
    expect(out).toEqual({ held: false, optimized: on });
  });
});

/** V8's lines for each function it optimized (TurboFan's, and Maglev's where it is on). */
const optimizedLines = (text: string) => text.split("\n").filter((l) => /completed (?:optimizing|compiling)/.test(l));
const turbofanLines = (text: string) => optimizedLines(text).filter((l) => l.includes("TURBOFAN"));

describe("llmux start on its embedded defaults", () => {
  it("optimizes nothing once it runs, while it starts and serves a few requests, and optimizes once it is busy", async () => {
    const { child, output, origin } = await startBuilt(dir, ["--trace-opt"]);
    // Node 24's Maglev may compile one of Node's own path functions while it resolves the entry's imports,
    // before llmux's first module runs; nothing after that, and TurboFan nothing at all.
    const atListening = optimizedLines(output()).length;
    const ask = async (content: string) => {
      const res = await fetch(`${origin}/v1/chat/completions`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ model: "llmux-mock", messages: [{ role: "user", content }] }),
      });
      expect(res.status).toBe(200);
      await res.text();
    };
    try {
      for (let i = 0; i < 20; i++) await ask(`hello ${i}`);
      expect(optimizedLines(output()).length).toBe(atListening);
      expect(turbofanLines(output())).toEqual([]);
      // Busy: four clients at once until V8 optimizes (a second of CPU releases the compilers; bounded).
      const text = "x".repeat(20_000);
      for (let round = 0; round < 2_000 && turbofanLines(output()).length === 0; round++) {
        await Promise.all([ask(text), ask(text), ask(text), ask(text)]);
      }
      expect(turbofanLines(output()).length).toBeGreaterThan(0);
    } finally {
      child.kill("SIGKILL");
    }
  });
});
