/**
 * Cursor: what to paste into its settings, whether the address can work (Cursor calls from its own servers,
 * so it must be public HTTPS), and a Cloudflare quick tunnel when it is not.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { lookup } from "node:dns/promises";
import { isIP } from "node:net";
import { probeHealth } from "./server.js";
import { OPEN_KEY } from "./target.js";

/**
 * Which key Cursor's settings name: `key` (one to paste), `open` (llmux asks none: any text works), or `own`
 * (llmux is closed by minted keys or sign-in: each developer pastes their own key, never a shared one).
 */
export type CursorKey = { kind: "key"; key: string } | { kind: "open" } | { kind: "own" };

/** The key line for the key a launcher holds: the placeholder means "open" unless llmux is closed. */
export function cursorKeyOf(key: string, closed: boolean): CursorKey {
  if (key !== OPEN_KEY) return { kind: "key", key };
  return closed ? { kind: "own" } : { kind: "open" };
}

export const OWN_KEY_LINE =
  "1. OpenAI API Key: your own llmux key (lx-…; one per person: llmux keys create --user NAME, or ask your team's admin), switch on";

/** The lines of Cursor's Settings → Models for llmux at `url`. */
export function cursorSettings(url: string, key: string | CursorKey, models: readonly string[]): string[] {
  const k = typeof key === "string" ? cursorKeyOf(key, false) : key;
  const keyLine =
    k.kind === "open"
      ? "1. OpenAI API Key: any text (this llmux requires no key yet: mint one key per person with llmux keys create before it is public), switch on"
      : k.kind === "own"
        ? OWN_KEY_LINE
        : `1. OpenAI API Key: ${k.key}   (switch on)`;
  const modelLine =
    models.length > 0
      ? `3. Add Model, once per name, and switch each on: ${models.join(", ")}`
      : "3. Add Model: each model name your llmux configuration routes, and switch it on";
  return [
    keyLine,
    `2. Override OpenAI Base URL: ${url}/cursor   (switch on)`,
    modelLine,
    "   The base URL applies to every OpenAI model of the picker: switch off those llmux does not serve.",
  ];
}

/** 10/8, 172.16/12, 192.168/16, 127/8, 169.254/16, 100.64/10, 0/8; ::1, fc00::/7, fe80::/10, mapped v4. */
export function isPrivateAddress(ip: string): boolean {
  if (isIP(ip) === 4) {
    const [a, b] = ip.split(".").map(Number) as [number, number];
    return (
      a === 10 ||
      a === 127 ||
      a === 0 ||
      (a === 172 && b >= 16 && b <= 31) ||
      (a === 192 && b === 168) ||
      (a === 169 && b === 254) ||
      (a === 100 && b >= 64 && b <= 127)
    );
  }
  const v6 = ip.toLowerCase();
  if (v6.startsWith("::ffff:")) return isPrivateAddress(v6.slice(7));
  return v6 === "::1" || v6 === "::" || /^f[cd]/.test(v6) || /^fe[89ab]/.test(v6);
}

const LOCAL_NAMES = /(^localhost$)|(\.localhost$)|(\.local$)|(\.internal$)|(\.lan$)|(\.home\.arpa$)/i;

export interface Check {
  ok: boolean;
  text: string;
}

/** Whether Cursor's servers can call `url`: HTTPS, a public address, and llmux answering there. */
export async function checkForCursor(url: string): Promise<Check[]> {
  const u = new URL(url);
  const host = u.hostname.replace(/^\[|\]$/g, "");
  const checks: Check[] = [];
  checks.push(
    u.protocol === "https:"
      ? { ok: true, text: "HTTPS" }
      : { ok: false, text: `${u.protocol.slice(0, -1)}:// — Cursor calls its base URL over HTTPS only` },
  );
  let addresses: string[] = [];
  if (isIP(host)) addresses = [host];
  else if (!LOCAL_NAMES.test(host) && host.includes(".")) {
    try {
      addresses = (await lookup(host, { all: true })).map((a) => a.address);
    } catch (err) {
      checks.push({ ok: false, text: `${host} does not resolve here (${(err as { code?: string }).code ?? err})` });
    }
  }
  const local = LOCAL_NAMES.test(host) || !host.includes(".") || addresses.some(isPrivateAddress);
  if (local) {
    checks.push({ ok: false, text: `${host} is a local or private address — Cursor's servers cannot reach it` });
  } else if (addresses.length > 0) checks.push({ ok: true, text: `${host} is a public address (${addresses[0]})` });
  const h = await probeHealth(url, 5000);
  checks.push(
    h.kind === "llmux"
      ? { ok: true, text: "llmux answers there (checked from this machine)" }
      : { ok: false, text: `llmux does not answer there from this machine (${h.kind === "other" ? h.what : h.why})` },
  );
  return checks;
}

export const TUNNEL_OPTIONS = [
  "Cursor needs an HTTPS address its servers can reach. Either:",
  "  1. llmux cursor --tunnel    a Cloudflare quick tunnel to this llmux (needs cloudflared on PATH:",
  "     https://developers.cloudflare.com/cloudflare-one/connections/connect-networks/downloads/)",
  "  2. HTTPS on a public host: server.tls in llmux.yaml (docs/clients/cursor.md), then",
  "     llmux cursor --url https://your-host",
  "  3. your own reverse proxy or named tunnel in front of llmux, then llmux cursor --url https://…",
];

/** How a team puts Cursor on one llmux: a public HTTPS address, then a key per person (never a shared one). */
export const TEAM_RECIPE = [
  "For a team: one llmux on an HTTPS address Cursor's servers reach (server.tls, or a reverse proxy such as",
  "Caddy or nginx in front of it), then one key per person: llmux keys create --name NAME-cursor --user NAME",
  "(with --team, --budget, --models as needed). Each developer pastes their own key in Cursor; their spend",
  "and limits stay their own.",
];

/** cloudflared prints the quick tunnel's address in a box on its log (stderr): `|  https://….trycloudflare.com  |`. */
const QUICK_URL = /https:\/\/[a-z0-9][a-z0-9-]*\.trycloudflare\.com\b/i;

export function quickTunnelUrl(text: string): string | undefined {
  return QUICK_URL.exec(text)?.[0];
}

export interface Tunnel {
  url: string;
  child: ChildProcess;
}

/** Starts `cloudflared tunnel --url LOCAL` and resolves with the public address it prints. */
export function startTunnel(
  bin: string,
  localUrl: string,
  onSpawn: (child: ChildProcess) => void = () => undefined,
  timeoutMs = 60_000,
): Promise<Tunnel> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, ["tunnel", "--url", localUrl], { stdio: ["ignore", "pipe", "pipe"] });
    onSpawn(child);
    let output = "";
    let done = false;
    const fail = (why: string) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      child.kill("SIGTERM");
      const last = output.trimEnd().split("\n").slice(-10).join("\n");
      reject(new Error(`cloudflared ${why}${last ? `:\n${last}` : ""}`));
    };
    const timer = setTimeout(() => fail(`printed no tunnel address within ${timeoutMs / 1000} s`), timeoutMs);
    const read = (chunk: Buffer) => {
      output = (output + chunk.toString("utf8")).slice(-20_000);
      const url = quickTunnelUrl(output);
      if (url && !done) {
        done = true;
        clearTimeout(timer);
        resolve({ url, child });
      }
    };
    child.stdout!.on("data", read);
    child.stderr!.on("data", read);
    child.once("error", (err) => fail(`could not be started (${err.message})`));
    child.once("exit", (code, signal) => fail(`exited (${signal ?? `status ${code}`}) before printing an address`));
  });
}
