/**
 * The peer gateways, installed on demand from npm into .cache/bench-peers/<name>/ and run as their own
 * processes against the mock upstream:
 *
 * - Portkey AI gateway 1.15.2, with npm overrides pinning @hono/node-server 1.13.5, hono 4.9.7 and
 *   @hono/node-ws 1.2.0 (unpinned, every streaming request fails with status 500 on Node 20); routed per
 *   request with x-portkey-provider and x-portkey-custom-host;
 * - claude-code-router 2.0.0 (3.1.1 does not install here: missing dependencies, Node ≥ 22), with a
 *   temporary HOME holding its config.json (LOG: false) and one provider per upstream kind.
 *
 * Each listens on a free port picked at start (Portkey's --port, claude-code-router's PORT setting).
 */
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, type Server, startServer } from "./procs.js";
import type { PeerStatus } from "./types.js";

export type PeerName = "portkey" | "ccr";

interface PeerSpec {
  pkg: string;
  version: string;
  overrides?: Record<string, string>;
}

export const PEERS: Record<PeerName, PeerSpec> = {
  portkey: {
    pkg: "@portkey-ai/gateway",
    version: "1.15.2",
    overrides: { "@hono/node-server": "1.13.5", hono: "4.9.7", "@hono/node-ws": "1.2.0" },
  },
  ccr: { pkg: "@musistudio/claude-code-router", version: "2.0.0" },
};

function installedVersion(dir: string, pkg: string): string | undefined {
  try {
    return (JSON.parse(readFileSync(join(dir, "node_modules", pkg, "package.json"), "utf8")) as { version: string })
      .version;
  } catch {
    return undefined;
  }
}

function npmInstall(dir: string, timeoutMs: number): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error"], {
      cwd: dir,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (d: Buffer) => {
      output += d.toString();
    });
    child.stderr.on("data", (d: Buffer) => {
      output += d.toString();
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.once("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

/** Installs a peer into the cache unless the right version (and overrides) are already there. */
export async function installPeer(name: PeerName, cacheDir: string, log: (s: string) => void): Promise<PeerStatus> {
  const spec = PEERS[name];
  const dir = join(cacheDir, name);
  mkdirSync(dir, { recursive: true });
  const manifest = {
    name: `llmux-bench-peer-${name}`,
    private: true,
    description: "Installed by llmux's benchmark (bench/peers.ts); safe to delete.",
    dependencies: { [spec.pkg]: spec.version },
    ...(spec.overrides ? { overrides: spec.overrides } : {}),
  };
  const text = `${JSON.stringify(manifest, null, 2)}\n`;
  const current = existsSync(join(dir, "package.json")) ? readFileSync(join(dir, "package.json"), "utf8") : "";
  const pinned = Object.entries(spec.overrides ?? {}).every(([p, v]) => installedVersion(dir, p) === v);
  if (current === text && installedVersion(dir, spec.pkg) === spec.version && pinned) {
    return { target: name, version: spec.version, ok: true, note: "cached" };
  }
  writeFileSync(join(dir, "package.json"), text);
  log(`installing ${spec.pkg}@${spec.version} into ${dir} …`);
  const t0 = Date.now();
  const { code, output } = await npmInstall(dir, 300_000);
  const version = installedVersion(dir, spec.pkg);
  if (code !== 0 || version !== spec.version) {
    const why = output.trim().split("\n").slice(-3).join(" ").slice(0, 300);
    return { target: name, ok: false, note: `npm install failed (exit ${code}): ${why}` };
  }
  return { target: name, version, ok: true, note: `installed in ${((Date.now() - t0) / 1000).toFixed(0)} s` };
}

/** Starts Portkey on a free port; the mock is chosen per request by headers. */
export async function startPortkey(cacheDir: string, execArgv: string[] = []): Promise<Server> {
  const spec = PEERS.portkey;
  const port = await freePort();
  return startServer({
    name: "portkey",
    command: process.execPath,
    args: [...execArgv, `node_modules/${spec.pkg}/build/start-server.js`, "--headless", `--port=${port}`],
    cwd: join(cacheDir, "portkey"),
    port,
  });
}

/** claude-code-router's config.json: one provider per upstream kind, all on the mock. */
export function ccrConfig(mockOrigin: string, port: number): Record<string, unknown> {
  return {
    LOG: false,
    LOG_LEVEL: "fatal",
    HOST: "127.0.0.1",
    PORT: port,
    API_TIMEOUT_MS: 600000,
    NON_INTERACTIVE_MODE: true,
    Providers: [
      {
        name: "compat",
        api_base_url: `${mockOrigin}/compat/v1/chat/completions`,
        api_key: "bench",
        models: ["bench-model"],
      },
      {
        name: "anth",
        api_base_url: `${mockOrigin}/v1/messages`,
        api_key: "bench",
        models: ["claude-opus-4-8", "claude-haiku-4-5"],
        transformer: { use: ["Anthropic"] },
      },
      {
        name: "azresp",
        api_base_url: `${mockOrigin}/openai/v1/responses`,
        api_key: "bench",
        models: ["gpt-5-codex"],
        transformer: { use: ["openai-responses"] },
      },
    ],
    Router: { default: "compat,bench-model" },
  };
}

/** Starts claude-code-router with a temporary HOME holding its configuration. */
export async function startCcr(
  cacheDir: string,
  mockOrigin: string,
  execArgv: string[] = [],
): Promise<{ server: Server; home: string }> {
  const spec = PEERS.ccr;
  const port = await freePort();
  const home = mkdtempSync(join(tmpdir(), "llmux-bench-ccr-"));
  mkdirSync(join(home, ".claude-code-router"), { recursive: true });
  writeFileSync(join(home, ".claude-code-router", "config.json"), JSON.stringify(ccrConfig(mockOrigin, port), null, 2));
  try {
    const server = await startServer({
      name: "ccr",
      command: process.execPath,
      args: [...execArgv, `node_modules/${spec.pkg}/dist/cli.js`, "start"],
      cwd: join(cacheDir, "ccr"),
      env: { ...process.env, HOME: home },
      port,
      timeoutMs: 30_000,
    });
    return { server, home };
  } catch (err) {
    rmSync(home, { recursive: true, force: true });
    throw err;
  }
}
