/**
 * `llmux cursor [--tunnel]`: what to paste into Cursor, whether Cursor's servers can reach that address, and
 * (with --tunnel) a Cloudflare quick tunnel to the local llmux, kept open while the command runs.
 */
import type { ChildProcess } from "node:child_process";
import {
  type CursorKey,
  checkForCursor,
  cursorKeyOf,
  cursorSettings,
  startTunnel,
  TEAM_RECIPE,
  TUNNEL_OPTIONS,
} from "../launch/cursor.js";
import { cursorMcpJson, servesMcp } from "../launch/mcp.js";
import { checkKey } from "../launch/models.js";
import { findOnPath } from "../launch/run-tool.js";
import { ensureLlmux, probeHealth } from "../launch/server.js";
import { OPEN_KEY, type Target } from "../launch/target.js";
import { type Access, accessOf, isClosed } from "../server/access.js";
import { TeamParts } from "../server/team-parts.js";
import type { Command, CommandInput, Running } from "./command.js";
import { stringOption } from "./command.js";
import { TARGET_OPTIONS, targetOf } from "./launch.js";
import { optFlag, optString } from "./values.js";

const out = (line = "") => process.stdout.write(`${line}\n`);

/** The model names llmux lists for the key, and whether it refused the key (a placeholder: llmux is closed). */
async function modelNames(target: Target): Promise<{ models: string[]; refused: boolean }> {
  const checked = await checkKey(target.url, target.key, 3000);
  if (checked.ok === true) return { models: checked.models, refused: false };
  const configured = target.resolved ? Object.keys(target.resolved.config.models).filter((m) => !m.includes("*")) : [];
  return { models: configured, refused: checked.ok === false };
}

/** Who may call the llmux of this machine's configuration (its store says whether keys were minted). */
async function localAccess(target: Target): Promise<Access | undefined> {
  const config = target.resolved?.config;
  if (!target.local || !config) return undefined;
  const parts = new TeamParts(config, { bytes: 1 << 20, timeoutMs: 10_000 });
  try {
    return await accessOf(config, parts);
  } catch {
    return undefined;
  } finally {
    await parts.close().catch(() => undefined);
  }
}

function printSettings(base: string, target: Target, key: CursorKey, models: string[], mcp = false): void {
  out("In Cursor: Settings → Models");
  for (const line of cursorSettings(base, key, models)) out(`  ${line}`);
  out();
  if (!mcp) return;
  out("llmux's MCP tools: add to ~/.cursor/mcp.json (or .cursor/mcp.json in a project):");
  const mcpKey = key.kind === "key" ? key.key : key.kind === "own" ? "YOUR-LLMUX-KEY" : target.key;
  for (const line of cursorMcpJson(`${base}/mcp`, mcpKey).split("\n")) out(`  ${line}`);
  out();
}

/** The address as it is: paste instructions, then whether Cursor can use it. Exit status 1 when it cannot. */
async function describe(target: Target): Promise<number> {
  const { models, refused } = await modelNames(target);
  // The placeholder refused, or keys minted in this machine's store: llmux is closed, each person has a key.
  const closed = refused || (target.key === OPEN_KEY && isClosedAccess(await localAccess(target)));
  printSettings(target.url, target, cursorKeyOf(target.key, closed), models, await servesMcp(target.url, target.key));
  const checks = await checkForCursor(target.url);
  out(`Can Cursor reach ${target.url}?`);
  for (const c of checks) out(`  ${c.ok ? "✓" : "✗"} ${c.text}`);
  const ok = checks.every((c) => c.ok);
  if (!ok) {
    out();
    for (const line of TUNNEL_OPTIONS) out(line);
  }
  out();
  for (const line of TEAM_RECIPE) out(line);
  return ok ? 0 : 1;
}

const isClosedAccess = (a: Access | undefined): boolean => a !== undefined && isClosed(a);

async function tunnel(target: Target, input: CommandInput): Promise<number | Running> {
  if (!target.local) {
    process.stderr.write("llmux cursor: --tunnel opens a tunnel to the llmux of this machine; leave out --url\n");
    return 2;
  }
  // Minted keys (or sign-in) close it as auth.keys do; only a gateway that asks no key at all is refused.
  const access = await localAccess(target);
  if (access === undefined || access === "open") {
    process.stderr.write(
      access === undefined
        ? "llmux cursor: whether this llmux requires a key could not be read from its store; a tunnel makes it public.\n"
        : "llmux cursor: this llmux requires no key, and a tunnel makes it public: anyone could spend your provider credits.\n" +
            "Mint one key per person first (llmux keys create --name NAME-cursor --user NAME): from the first key on,\n" +
            "only their holders may call llmux. See docs/clients/cursor.md#a-team.\n",
    );
    return 1;
  }
  // A team gateway: each developer pastes their own key (never the key of whoever opened the tunnel).
  const key: CursorKey = access === "minted" || access === "signin" ? { kind: "own" } : cursorKeyOf(target.key, true);
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
  printSettings(t.url, target, key, (await modelNames(target)).models, await servesMcp(target.url, target.key));
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
    "address. The tunnel stays open until the command is stopped. llmux must require a key: minted keys (one",
    "per person, llmux keys create; each developer pastes their own), sign-in, or auth.keys.",
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
