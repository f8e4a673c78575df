/**
 * `llmux cursor [--tunnel]`: what to paste into Cursor, whether Cursor's servers can reach that address, and
 * (with --tunnel) a Cloudflare quick tunnel to the local llmux, kept open while the command runs.
 */
import type { ChildProcess } from "node:child_process";
import { checkForCursor, cursorSettings, startTunnel, TUNNEL_OPTIONS } from "../launch/cursor.js";
import { cursorMcpJson, servesMcp } from "../launch/mcp.js";
import { checkKey } from "../launch/models.js";
import { findOnPath } from "../launch/run-tool.js";
import { ensureLlmux, probeHealth } from "../launch/server.js";
import type { Target } from "../launch/target.js";
import type { Command, CommandInput, Running } from "./command.js";
import { stringOption } from "./command.js";
import { TARGET_OPTIONS, targetOf } from "./launch.js";
import { optFlag, optString } from "./values.js";

const out = (line = "") => process.stdout.write(`${line}\n`);

async function modelNames(target: Target): Promise<string[]> {
  const checked = await checkKey(target.url, target.key, 3000);
  if (checked.ok === true) return checked.models;
  return target.resolved ? Object.keys(target.resolved.config.models).filter((m) => !m.includes("*")) : [];
}

function printSettings(base: string, target: Target, models: string[], mcp = false): void {
  out("In Cursor: Settings → Models");
  for (const line of cursorSettings(base, target.key, models)) out(`  ${line}`);
  out();
  if (!mcp) return;
  out("llmux's MCP tools: add to ~/.cursor/mcp.json (or .cursor/mcp.json in a project):");
  for (const line of cursorMcpJson(`${base}/mcp`, target.key).split("\n")) out(`  ${line}`);
  out();
}

/** The address as it is: paste instructions, then whether Cursor can use it. Exit status 1 when it cannot. */
async function describe(target: Target): Promise<number> {
  printSettings(target.url, target, await modelNames(target), await servesMcp(target.url, target.key));
  const checks = await checkForCursor(target.url);
  out(`Can Cursor reach ${target.url}?`);
  for (const c of checks) out(`  ${c.ok ? "✓" : "✗"} ${c.text}`);
  if (checks.every((c) => c.ok)) return 0;
  out();
  for (const line of TUNNEL_OPTIONS) out(line);
  return 1;
}

function openAuth(target: Target): boolean {
  const auth = target.resolved?.config.auth;
  return auth !== undefined && auth.keys.length === 0 && !auth.passthrough && auth.passthrough_providers.length === 0;
}

async function tunnel(target: Target, input: CommandInput): Promise<number | Running> {
  if (!target.local) {
    process.stderr.write("llmux cursor: --tunnel opens a tunnel to the llmux of this machine; leave out --url\n");
    return 2;
  }
  if (openAuth(target)) {
    process.stderr.write(
      "llmux cursor: this llmux requires no key, and a tunnel makes it public: anyone could spend your provider credits.\n" +
        "Set auth.keys in llmux.yaml first (see docs/config.md#auth).\n",
    );
    return 1;
  }
  const given = optString(input, "cloudflared") ?? (input.env.LLMUX_CLOUDFLARED_BIN || undefined);
  const bin = findOnPath(given ?? "cloudflared", input.env);
  if (!bin) {
    process.stderr.write(
      `llmux cursor: cloudflared is not installed (looked for ${given ?? "'cloudflared' on PATH"}).\n` +
        "Install it: https://developers.cloudflare.com/cloudflare-one/connections/connect-networks/downloads/\n",
    );
    return 127;
  }
  const running = await ensureLlmux(target, input.env);
  if (running.started) {
    const s = running.started;
    process.stderr.write(`llmux: started llmux in the background on ${target.url} (pid ${s.pid}; log ${s.log})\n`);
  }
  process.stderr.write(`llmux: starting a Cloudflare quick tunnel to ${target.url} …\n`);
  // From the moment cloudflared runs, a signal closes it: the tunnel never outlives the command.
  let child: ChildProcess | undefined;
  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= new Promise<void>((resolve) => {
      if (!child || child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once("exit", () => resolve());
      child.kill("SIGTERM");
      setTimeout(resolve, 3000).unref();
    }));
  const onSignal = () => void close().then(() => process.exit(0));
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  const t = await startTunnel(bin, target.url, (c) => {
    child = c;
  });
  t.child.once("exit", (code, signal) => {
    if (closing) return;
    process.stderr.write(`llmux cursor: cloudflared stopped (${signal ?? `status ${code}`}); the tunnel is closed\n`);
    process.exit(1);
  });
  out(`Tunnel: ${t.url} → ${target.url} (open while this command runs; Ctrl-C closes it)`);
  out();
  printSettings(t.url, target, await modelNames(target), await servesMcp(target.url, target.key));
  // Quick tunnels can take a while to be reachable; said when known, without holding the command up.
  void probeHealth(t.url, 20_000).then((h) =>
    out(
      h.kind === "llmux"
        ? `✓ llmux answers at ${t.url} (checked from this machine)`
        : `… ${t.url} does not answer from here yet (${h.kind === "other" ? h.what : h.why}); quick tunnels can take a minute`,
    ),
  );
  return { close, shutdown: close };
}

export const cursorCommand: Command = {
  name: "cursor",
  summary: "Show what to paste into Cursor, check the address can work, or open a tunnel (--tunnel).",
  description: [
    "Cursor calls its base URL from Cursor's own servers: it must be HTTPS and reachable from the internet.",
    "Without --tunnel, prints Cursor's settings for llmux's address (--url, or the local llmux) and checks",
    "it: HTTPS, a public address, llmux answering there; exit status 1 when Cursor could not use it.",
    "With --tunnel, starts llmux in the background if needed, runs `cloudflared tunnel --url …` (a quick",
    "tunnel; cloudflared must be on PATH or given with --cloudflared) and prints the settings for its public",
    "address. The tunnel stays open until the command is stopped. llmux must require a key (auth.keys).",
  ].join("\n"),
  options: {
    ...TARGET_OPTIONS,
    tunnel: { type: "boolean", description: "Open a Cloudflare quick tunnel to the local llmux." },
    cloudflared: stringOption(
      "PATH",
      "cloudflared's executable (default: $LLMUX_CLOUDFLARED_BIN, else 'cloudflared' on PATH).",
    ),
  },
  examples: ["llmux cursor", "llmux cursor --tunnel", "llmux cursor --url https://llm.example.com"],
  run: (input) => {
    const target = targetOf(input);
    return optFlag(input, "tunnel") ? tunnel(target, input) : describe(target);
  },
};
