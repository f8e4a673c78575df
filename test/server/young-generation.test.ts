/**
 * The young generation held while llmux starts (src/cli/young-generation.ts, issue 45's idle memory). V8's
 * own figures, read in the process (v8.getHeapSpaceStatistics): sizes, not bytes of RSS or time.
 *
 * - The built `llmux start` on its embedded defaults listens with its young generation near its first size,
 *   where an unheld start leaves it at its largest (two 16 MB semi-spaces).
 * - The module itself, in a process of its own: while held, tens of MB of long-lived allocation leave the
 *   young generation near its first size (1 → 2 MB); released, the same allocation grows it to its largest
 *   (32 MB); the first connection a server accepts releases it; a user's own sizing of its start or growth (a
 *   node option) is left alone, and a largest size of the user's (`--max-semi-space-size`) is kept by the hold
 *   and applies once released.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { DIST } from "../support/built.js";
import { startBuilt } from "../support/built-start.js";

const MB = 1024 * 1024;
const dir = mkdtempSync(join(tmpdir(), "llmux-young-"));

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The young generation's size (both semi-spaces), as V8 reports it. */
const NEW_SPACE = `(await import("node:v8")).getHeapSpaceStatistics().find((s) => s.space_name === "new_space").space_size`;

/** Keeps ~40 MB of small objects alive, allocated in the young generation and surviving its scavenges. */
const ALLOCATE = `globalThis.kept ??= []; for (let i = 0; i < 400_000; i++) globalThis.kept.push({ i, s: "x" + i });`;

/** Runs a script that imports the built module first, and returns what it printed (JSON). */
function script(body: string, nodeOptions: string[] = []): Record<string, number> {
  const file = join(dir, `s-${Math.random().toString(36).slice(2)}.mjs`);
  const young = JSON.stringify(`${DIST}/cli/young-generation.js`);
  writeFileSync(
    file,
    `const young = await import(${young});\nconst out = {};\n${body}\nconsole.log(JSON.stringify(out));\n`,
  );
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  const run = spawnSync(process.execPath, [...nodeOptions, file], { encoding: "utf8", env });
  if (run.status !== 0) throw new Error(`the script failed: ${run.stderr}`);
  return JSON.parse(run.stdout.trim().split("\n").pop()!) as Record<string, number>;
}

describe("the young generation while a command starts", () => {
  it("stays near its first size while held, and grows once released", () => {
    const out = script(`
      out.first = ${NEW_SPACE};
      ${ALLOCATE}
      out.held = ${NEW_SPACE};
      young.releaseYoungGeneration();
      ${ALLOCATE}
      ${ALLOCATE}
      out.released = ${NEW_SPACE};`);
    expect(out.held).toBeLessThanOrEqual(2 * out.first!);
    expect(out.released).toBeGreaterThanOrEqual(8 * out.first!);
  });

  it("is released by the first connection a server of the process accepts", () => {
    const out = script(`
      const { createServer, get } = await import("node:http");
      young.releaseOnFirstConnection();
      ${ALLOCATE}
      out.listening = ${NEW_SPACE};
      const server = createServer((req, res) => res.end("ok"));
      await new Promise((done) => server.listen(0, "127.0.0.1", done));
      await new Promise((done) => get("http://127.0.0.1:" + server.address().port + "/", (res) => res.resume().on("end", done)));
      server.close();
      ${ALLOCATE}
      ${ALLOCATE}
      out.served = ${NEW_SPACE};`);
    expect(out.served).toBeGreaterThanOrEqual(4 * out.listening!);
  });

  it.each(["--semi-space-growth-factor=4", "--min_semi_space_size=2"])(
    "leaves a user's own sizing of its start or growth alone (%s)",
    (option) => {
      const out = script(
        `out.first = ${NEW_SPACE};
      ${ALLOCATE}
      ${ALLOCATE}
      out.after = ${NEW_SPACE};`,
        [option],
      );
      expect(out.after).toBeGreaterThan(2 * out.first!);
    },
  );

  it("still holds it under a largest size set by a node option, which applies once released", () => {
    const out = script(
      `out.first = ${NEW_SPACE};
      ${ALLOCATE}
      out.held = ${NEW_SPACE};
      young.releaseYoungGeneration();
      for (let n = 0; n < 6; n++) { ${ALLOCATE} }
      out.released = ${NEW_SPACE};`,
      ["--max-semi-space-size=64"],
    );
    expect(out.held).toBeLessThanOrEqual(2 * out.first!);
    // Past Node's default largest (two semi-spaces of 16 MB): the option's 64 MB applies.
    expect(out.released).toBeGreaterThan(32 * MB);
  });
});

describe("llmux start on its embedded defaults", () => {
  it("listens with its young generation far below its largest", async () => {
    const hook = join(dir, "hook.mjs");
    const report = join(dir, "young.json");
    writeFileSync(
      hook,
      `import { writeFileSync } from "node:fs";\nimport { getHeapSpaceStatistics } from "node:v8";\n` +
        `process.on("SIGUSR2", () => writeFileSync(${JSON.stringify(report)}, JSON.stringify(getHeapSpaceStatistics())));\n`,
    );
    const { child } = await startBuilt(dir, ["--import", hook]);
    try {
      // What the start does once it listens (the access line) is done within its first moments.
      await new Promise((done) => setTimeout(done, 500));
      child.kill("SIGUSR2");
      const spaces = await new Promise<{ space_name: string; space_size: number }[]>((resolve, reject) => {
        const deadline = Date.now() + 10_000;
        const poll = () => {
          try {
            resolve(JSON.parse(readFileSync(report, "utf8")));
          } catch {
            if (Date.now() > deadline) reject(new Error("llmux did not report its heap"));
            else setTimeout(poll, 50);
          }
        };
        poll();
      });
      const young = spaces.find((s) => s.space_name === "new_space")!.space_size;
      // Held: its first size, or one doubling made while the modules were read (before any of them ran).
      // Unheld, a start leaves it at 32 MB.
      expect(young).toBeLessThanOrEqual(8 * MB);
    } finally {
      child.kill("SIGKILL");
    }
  });
});
