/**
 * The README's commands, run as written on a fresh copy of the checkout (its files as git sees them, so a
 * llmux.yaml or a build of one's own in this checkout changes nothing): `npm ci` builds llmux, `npx llmux …`
 * is a command, `npm start` serves the built-in mock without recompiling anything, and the README's curl
 * line (only the port moved off 4000) gets the mock's answer. The library example type-checks against the
 * built package, and the terminal log lines it shows are what llmux writes.
 */
import { type ChildProcess, execFile, execFileSync, spawn } from "node:child_process";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { requestLine } from "../../src/log/terminal-line.js";

const ROOT = join(import.meta.dirname, "../..");
const README = readFileSync(join(ROOT, "README.md"), "utf8");
const VERSION = (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string }).version;
const run = promisify(execFile);

function blocks(lang: string): string[] {
  return [...README.matchAll(new RegExp("```" + lang + "\\n([\\s\\S]*?)```", "g"))].map((m) => m[1]!.trim());
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** The environment of someone who just cloned: PATH and HOME, and npm's cache used before the network. */
const ENV = { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", npm_config_prefer_offline: "true" };

describe("README", () => {
  it("gives one command to start and one to test, and .ci/run runs the test one", () => {
    const sh = blocks("sh");
    expect(sh).toContain("npm ci && npm start");
    const testCommand = "scripts/system-deps.sh && npm ci && npm test";
    expect(sh).toContain(testCommand);
    // .ci/run runs exactly the README's test command, as its last line.
    const ci = readFileSync(join(ROOT, ".ci/run"), "utf8").trim().split("\n");
    expect(ci.at(-1)).toBe(testCommand);
  });

  it("says what npm test costs and what it needs", () => {
    const tests = README.slice(README.indexOf("## Tests"), README.indexOf("## Use your own models"));
    expect(tests).toMatch(/about 15 minutes/);
    expect(tests).toMatch(/downloads the real coding tools/);
    expect(tests).toMatch(/need the npm registry/);
  });

  it("its layout names every folder of src/, every top-level folder and every provider type", () => {
    const layout = README.slice(README.indexOf("## Layout"));
    const folders = (dir: string) =>
      readdirSync(join(ROOT, dir), { withFileTypes: true })
        .filter((d) => d.isDirectory() && d.name !== "types")
        .map((d) => d.name);
    for (const room of folders("src")) expect(layout, room).toContain(`src/${room}/`);
    const tracked = execFileSync("git", ["ls-tree", "-d", "--name-only", "HEAD"], { cwd: ROOT }).toString();
    for (const top of tracked
      .trim()
      .split("\n")
      .filter((d) => !d.startsWith(".")))
      expect(layout, top).toMatch(new RegExp(`(^|\\n)${top}/`));
    const registry = readFileSync(join(ROOT, "src/providers/index.ts"), "utf8");
    const types = [...registry.matchAll(/case "([\w-]+)":/g)].map((m) => m[1]!);
    const names: Record<string, string> = { azure: "Azure OpenAI", openai: "OpenAI", anthropic: "Anthropic" };
    Object.assign(names, { gemini: "Gemini", vertex: "Vertex AI", bedrock: "Amazon Bedrock", cursor: "Cursor" });
    Object.assign(names, { mock: "the built-in mock", "openai-compatible": "OpenAI-compatible" });
    expect(types.length).toBeGreaterThanOrEqual(9);
    for (const type of types) expect(layout, type).toContain(names[type] ?? `(no name for ${type})`);
  });

  it("the docs speak of one money unit, nano-dollars, and say what model name Codex sees", () => {
    const docs = [join(ROOT, "README.md"), ...readdirSync(join(ROOT, "docs")).filter((f) => f.endsWith(".md"))];
    for (const file of docs) {
      const text = readFileSync(file.startsWith("/") ? file : join(ROOT, "docs", file), "utf8");
      expect(text, file).not.toMatch(/micro-?dollars?|millionths of a dollar/i);
    }
    const codex = readFileSync(join(ROOT, "docs/clients/codex.md"), "utf8");
    expect(codex).toContain("Codex's answer names the model Codex asked for");
    expect(codex).not.toMatch(/answer shows the name of the upstream model/);
  });

  it("a llmux.yaml and a schema written in the checkout are ignored by git", () => {
    const ignored = execFileSync("git", ["check-ignore", "llmux.yaml", "llmux.schema.json"], { cwd: ROOT });
    expect(ignored.toString().trim().split("\n")).toEqual(["llmux.yaml", "llmux.schema.json"]);
  });

  it("shows request log lines as llmux writes them", () => {
    const text = blocks("text").find((b) => b.includes("POST /v1/messages"))!;
    const first = text.split("\n")[0]!.replace(/^\d\d:\d\d:\d\d /, "");
    expect(first).toBe(
      requestLine({
        req_id: "r",
        method: "POST",
        path: "/v1/messages",
        status: 200,
        requested: "claude-sonnet-4-5",
        alias: "claude-*",
        provider: "anthropic",
        model: "claude-sonnet-4-5",
        stream: true,
        latency_ms: 1200,
        ttfb_ms: 310,
        tokens: { input: 1234, output: 567 },
        key: "alice",
        client_tool: "claude-code",
      }),
    );
    const refused = text.split("\n")[1]!.replace(/^\d\d:\d\d:\d\d /, "");
    expect(refused).toBe(
      requestLine({
        req_id: "r",
        method: "POST",
        path: "/v1/messages",
        status: 401,
        outcome: "refused",
        reason: "the API key is not one of llmux's service keys",
        latency_ms: 0.3,
        client_tool: "claude-code",
      }),
    );
  });
});

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
    const version = await run("npx", ["llmux", "--version"], { cwd: copy, env: npxEnv });
    expect(version.stdout.trim()).toBe(VERSION);
    const help = await run("npx", ["llmux", "help", "start"], { cwd: join(copy, "docs"), env: npxEnv });
    expect(help.stdout).toContain("Usage: llmux start");
    // npx reads the checkout's whole dependency tree on its first run with an empty cache: a loaded machine's bound.
  }, 120_000);

  it("the command survives a rebuild: its launcher is committed executable, and says when dist/ is missing", async () => {
    const mode = execFileSync("git", ["ls-files", "-s", "bin/llmux.js"], { cwd: ROOT }).toString();
    expect(mode).toMatch(/^100755 /);
    rmSync(join(copy, "dist"), { recursive: true });
    const missing = await run("npx", ["llmux", "--version"], { cwd: copy, env: npxEnv }).catch((e: unknown) => e);
    expect((missing as { code?: number }).code).toBe(1);
    expect((missing as { stderr?: string }).stderr).toContain("llmux: not built yet: run `npm run build`");
    await run("npm", ["run", "build"], { cwd: copy, env: ENV });
    expect((await run("npx", ["llmux", "-v"], { cwd: copy, env: npxEnv })).stdout.trim()).toBe(VERSION);
    // A whole build from nothing: a generous bound for a loaded machine.
  }, 180_000);

  it("the README's npx llmux commands run as written (those that do not start a server)", async () => {
    const lines = blocks("sh")
      .flatMap((b) => b.split("\n"))
      .filter((l) => l.startsWith("npx llmux") && !/^npx llmux (start|mock)\b/.test(l));
    expect(lines).toEqual(["npx llmux --help", "npx llmux help start", "npx llmux schema > llmux.schema.json"]);
    for (const line of lines) await run("sh", ["-c", line], { cwd: copy, env: npxEnv });
    const schema = JSON.parse(readFileSync(join(copy, "llmux.schema.json"), "utf8")) as { title: string };
    expect(schema.title).toBe("llmux configuration");
  }, 120_000);

  it("npm start serves the mock model without recompiling, and the README curl works", async () => {
    const built = statSync(join(copy, "dist/cli/main.js")).mtimeMs;
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

  it("the library example type-checks against the built package", async () => {
    const example = blocks("ts")[0]!;
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
