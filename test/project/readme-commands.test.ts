/**
 * The README's commands, run as written on a fresh copy of the checkout (its files as git sees them, so a
 * llmux.yaml or a build of one's own in this checkout changes nothing): `npm ci` builds llmux, `npx llmux …`
 * is a command, `npm start` serves the built-in mock without recompiling anything, and the README's curl
 * line (only the port moved off 4000) gets the mock's answer. The library example type-checks against the
 * built package.
 */
import { type ChildProcess, execFile, execFileSync, spawn } from "node:child_process";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { e2e } from "../support/e2e.js";
import { freePort } from "../support/free-port.js";
import { blocks, ROOT } from "./readme.js";

e2e("npm ci, npm start and npx llmux on a copy of the checkout");

const VERSION = (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string }).version;
const run = promisify(execFile);

/** The environment of someone who just cloned: PATH and HOME, and npm's cache used before the network. */
const ENV = { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", npm_config_prefer_offline: "true" };

describe("README commands on a fresh copy of the checkout", () => {
  let copy: string;
  let child: ChildProcess | undefined;
  /** npx installs the checkout into npm's cache to run its bin: a cache of its own, removed with the copy. */
  let npxEnv: Record<string, string>;

  beforeAll(async () => {
    const parent = mkdtempSync(join(tmpdir(), "llmux-clone-"));
    copy = join(parent, "llmux");
    npxEnv = { ...ENV, npm_config_cache: join(parent, "npm-cache") };
    // What a clone holds: the files git tracks (and new ones it would), as they are in the working tree.
    const files = execFileSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], { cwd: ROOT })
      .toString()
      .split("\0")
      .filter((f) => f && existsSync(join(ROOT, f)) && statSync(join(ROOT, f)).isFile());
    for (const f of files) {
      mkdirSync(dirname(join(copy, f)), { recursive: true });
      copyFileSync(join(ROOT, f), join(copy, f));
    }
    await run("npm", ["ci", "--no-audit", "--no-fund"], { cwd: copy, env: ENV, timeout: 240_000 });
  }, 300_000);

  // Removing the copy's node_modules takes a while on a loaded machine.
  afterAll(() => {
    if (child?.pid) process.kill(-child.pid, "SIGTERM");
    if (copy) rmSync(dirname(copy), { recursive: true, force: true });
  }, 180_000);

  it("npm ci builds llmux, and npx llmux is a command", async () => {
    expect(existsSync(join(copy, "dist/cli/main.js"))).toBe(true);
    // The command as shipped: llmux bundled (scripts/serve-bundle.mjs), what bin/llmux.js runs.
    expect(existsSync(join(copy, "dist/bundle/llmux.js"))).toBe(true);
    const version = await run("npx", ["llmux", "--version"], { cwd: copy, env: npxEnv });
    expect(version.stdout.trim()).toBe(VERSION);
    const help = await run("npx", ["llmux", "help", "start"], { cwd: join(copy, "docs"), env: npxEnv });
    expect(help.stdout).toContain("Usage: llmux start");
    // npx reads the checkout's whole dependency tree on its first run with an empty cache: a loaded machine's bound.
  }, 120_000);

  // The build from nothing is npm ci's (beforeAll); npm start runs the build again over it, then the command
  // (below). Here: without dist/, the launcher says what to do; with dist/ back, it runs.
  it("the command's launcher is committed executable, and says when dist/ is missing", async () => {
    const mode = execFileSync("git", ["ls-files", "-s", "bin/llmux.js"], { cwd: ROOT }).toString();
    expect(mode).toMatch(/^100755 /);
    renameSync(join(copy, "dist"), join(copy, "dist.aside"));
    try {
      const missing = await run("npx", ["llmux", "--version"], { cwd: copy, env: npxEnv }).catch((e: unknown) => e);
      expect((missing as { code?: number }).code).toBe(1);
      expect((missing as { stderr?: string }).stderr).toContain("llmux: not built yet: run `npm run build`");
    } finally {
      renameSync(join(copy, "dist.aside"), join(copy, "dist"));
    }
    expect((await run("npx", ["llmux", "-v"], { cwd: copy, env: npxEnv })).stdout.trim()).toBe(VERSION);
  }, 120_000);

  it("the README's team recipe runs as written (but for the server): its llmux.yaml, a team, a key", async () => {
    const lines = blocks("sh")
      .flatMap((b) => b.split("\n"))
      .filter((l) => l.startsWith("npx llmux") && !/^npx llmux (start|mock)\b/.test(l));
    expect(lines.map((l) => l.split(" ").slice(0, 4).join(" "))).toEqual([
      "npx llmux teams create",
      "npx llmux keys create",
    ]);
    const dir = join(copy, "team-recipe");
    mkdirSync(dir);
    const yaml = blocks("yaml").find((b) => b.includes("LLMUX_ADMIN_KEY"))!;
    writeFileSync(join(dir, "llmux.yaml"), yaml);
    const env = { ...npxEnv, LLMUX_ADMIN_KEY: "a".repeat(44), ANTHROPIC_API_KEY: "sk-ant-t", OPENAI_API_KEY: "sk-t" };
    const out: string[] = [];
    for (const line of lines) out.push((await run("sh", ["-c", line], { cwd: dir, env })).stdout);
    expect(out[0]).toMatch(/name\s+platform/);
    expect(out[1]).toMatch(/\n\s+lx-[\w-]+\n/);
    expect(out[1]).toContain("llmux claude");
    expect(out[1]).toMatch(/llmux login \S+ --key lx-[\w-]+\n/);
    rmSync(dir, { recursive: true });
  }, 120_000);

  it("npm start serves the mock model without recompiling, and the README curl works", async () => {
    const built = statSync(join(copy, "dist/cli/main.js")).mtimeMs;
    const bundled = statSync(join(copy, "dist/bundle/llmux.js")).mtimeMs;
    const curl = blocks("sh").find((b) => b.startsWith("curl"))!;
    expect(curl).toContain("http://127.0.0.1:4000/");
    const port = await freePort();
    child = spawn("npm", ["start", "--", "--port", String(port)], {
      cwd: copy,
      env: ENV,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout!.on("data", (c: Buffer) => {
      out += c.toString();
    });
    child.stderr!.on("data", (c: Buffer) => {
      out += c.toString();
    });
    const deadline = Date.now() + 30_000;
    while (!out.includes("llmux listening")) {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`llmux did not start:\n${out}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(out).toContain("serving the built-in mock model");
    const { stdout } = await run("sh", ["-c", curl.replace(":4000/", `:${port}/`)]);
    const body = JSON.parse(stdout) as { model: string; choices: { message: { content: string } }[] };
    expect(body.model).toBe("llmux-mock");
    expect(body.choices[0]!.message.content).toBe('llmux mock: you said "Hello"');
    // Its log line, and no warning about the mock's price (llmux's own mock costs nothing).
    for (let i = 0; i < 100 && !out.includes("/v1/chat/completions"); i++) await new Promise((r) => setTimeout(r, 50));
    expect(out).toContain("/v1/chat/completions");
    expect(out).not.toContain("no price");
    expect(statSync(join(copy, "dist/cli/main.js")).mtimeMs).toBe(built);
    expect(statSync(join(copy, "dist/bundle/llmux.js")).mtimeMs).toBe(bundled);
  }, 60_000);

  it("a broken llmux.yaml dropped in the checkout changes nothing for the tests that start llmux", async () => {
    writeFileSync(join(copy, "llmux.yaml"), "server: { prot: 1 }\nproviders: { x: { type: nope } }\n");
    try {
      const files = ["test/config/env-setups.test.ts", "test/providers/passthrough-auth-and-betas.test.ts"];
      const env = { ...ENV, NO_COLOR: "1" };
      const { stdout } = await run("npx", ["vitest", "run", ...files], { cwd: copy, env, timeout: 120_000 });
      expect(stdout).toMatch(/Test Files\s+2 passed \(2\)/);
    } finally {
      rmSync(join(copy, "llmux.yaml"));
    }
  }, 150_000);

  it("docs/library.md's example type-checks against the built package", async () => {
    const library = readFileSync(join(ROOT, "docs/library.md"), "utf8");
    const example = /```ts\n([\s\S]*?)```/.exec(library)![1]!.trim();
    expect(example).toContain('from "llmux"');
    const dir = join(copy, "readme-example");
    mkdirSync(dir);
    // What the example leaves to its surroundings: a parsed Chat body, a response to write to, upstream bytes.
    const prelude = [
      'import type { ServerResponse } from "node:http";',
      'import type { Json } from "llmux";',
      "declare const chatBody: Json;",
      "declare const res: ServerResponse;",
      "declare const upstreamBytes: Uint8Array;",
    ].join("\n");
    const body = example.replace(/^(import [^\n]+\n)/, `$1${prelude}\n`);
    writeFileSync(join(dir, "example.ts"), `${body}\nexport const used = [warnings, anthropicBody];\n`);
    writeFileSync(
      join(dir, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          noEmit: true,
          module: "NodeNext",
          moduleResolution: "NodeNext",
          target: "ES2022",
          types: ["node"],
          skipLibCheck: true,
        },
        files: ["example.ts"],
      }),
    );
    const tsc = join(copy, "node_modules/typescript/bin/tsc");
    const result = await run(process.execPath, [tsc, "-p", dir], { cwd: dir }).catch((err: { stdout?: string }) => err);
    expect((result as { stdout?: string }).stdout ?? "").toBe("");
  }, 60_000);
});
