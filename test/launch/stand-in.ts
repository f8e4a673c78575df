/**
 * Stand-ins for the tools and for cloudflared: small executables (CommonJS, run by node) that record how they were started (argv,
 * environment, the private settings files they were given) and behave as told by variables — exit with a
 * status, die of a signal, wait for a signal, or (the Gemini stand-in) call the Gemini API as Gemini CLI does
 * with the variables it was given, through Google's own SDK.
 */
import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const TOOL = String.raw`#!/usr/bin/env node
const { existsSync, readFileSync, writeFileSync } = require("node:fs");
(async () => {
const argv = process.argv.slice(2);
const files = {};
const settings = argv.indexOf("--settings");
if (settings >= 0 && existsSync(argv[settings + 1])) files.settings = readFileSync(argv[settings + 1], "utf8");
const geminiHome = process.env.GEMINI_CLI_HOME;
if (geminiHome && existsSync(geminiHome + "/.gemini/settings.json")) {
  files.geminiSettings = readFileSync(geminiHome + "/.gemini/settings.json", "utf8");
}
if (process.env.FAKE_OUT) {
  writeFileSync(process.env.FAKE_OUT, JSON.stringify({ argv, env: process.env, cwd: process.cwd(), files }));
}
if (process.env.FAKE_GENAI) {
  const { GoogleGenAI } = await import(process.env.FAKE_GENAI);
  // What Gemini CLI does with these variables (its content generator for the API-key sign-in).
  const ai = new GoogleGenAI({
    apiKey: process.env.GEMINI_API_KEY,
    httpOptions: { baseUrl: process.env.GOOGLE_GEMINI_BASE_URL },
  });
  const r = await ai.models.generateContent({ model: process.env.GEMINI_MODEL, contents: argv.at(-1) });
  process.stdout.write(r.text + "\n");
}
if (process.env.FAKE_WAIT) {
  process.on("SIGTERM", () => {
    writeFileSync(process.env.FAKE_WAIT, "got SIGTERM");
    process.exit(42);
  });
  writeFileSync(process.env.FAKE_WAIT + ".ready", "");
  setInterval(() => undefined, 1000);
} else if (process.env.FAKE_SIGNAL) process.kill(process.pid, process.env.FAKE_SIGNAL);
else process.exit(Number(process.env.FAKE_EXIT ?? 0));
})();
`;

/**
 * cloudflared's quick tunnel as it logs without a terminal (zerolog's console format on stderr), with the
 * address in the box its AsciiBox draws (cmd/cloudflared/tunnel/quick_tunnel.go).
 */
const CLOUDFLARED = String.raw`#!/usr/bin/env node
const { writeFileSync } = require("node:fs");
writeFileSync(process.env.FAKE_CLOUDFLARED_OUT, JSON.stringify(process.argv.slice(2)));
const t = "2026-11-23T10:00:00Z";
const log = (m) => process.stderr.write(t + " INF " + m + "\n");
const box = (lines, pad) => {
  const max = Math.max(...lines.map((l) => l.length));
  const border = "+" + "-".repeat(max + pad * 2) + "+";
  return [border, ...lines.map((l) => "|" + " ".repeat(pad) + l + " ".repeat(max - l.length + pad) + "|"), border];
};
log("Thank you for trying Cloudflare Tunnel. Doing so, without a Cloudflare account, is a quick way to experiment and try it out. However, be aware that these account-less Tunnels have no uptime guarantee, are subject to the Cloudflare Online Services Terms of Use (https://www.cloudflare.com/website-terms/), and Cloudflare reserves the right to investigate your use of Tunnels for violations of such terms. If you intend to use Tunnels in production you should use a pre-created named tunnel by following: https://developers.cloudflare.com/cloudflare-one/connections/connect-apps");
log("Requesting new quick Tunnel on trycloudflare.com...");
setTimeout(() => {
  for (const l of box(["Your quick Tunnel has been created! Visit it at (it may take some time to be reachable):", "https://" + process.env.FAKE_TUNNEL_NAME + ".trycloudflare.com"], 2)) log(l);
  log("Cannot determine default configuration path. No file [config.yml config.yaml] in [~/.cloudflared ~/.cloudflare-warp ~/cloudflare-warp /etc/cloudflared /usr/local/etc/cloudflared]");
  log("Version 2025.11.1 (Checksum 0000000000000000000000000000000000000000000000000000000000000000)");
  log("Registered tunnel connection connIndex=0 connection=00000000-0000-0000-0000-000000000000 event=0 ip=198.41.192.7 location=ams01 protocol=quic");
}, 200);
process.on("SIGTERM", () => {
  writeFileSync(process.env.FAKE_CLOUDFLARED_OUT + ".stopped", "SIGTERM");
  log("Initiating graceful shutdown due to signal terminated ...");
  process.exit(0);
});
setInterval(() => undefined, 1000);
`;

/** Writes the stand-ins into `dir` (claude, codex, opencode, gemini, copilot and cloudflared) and returns `dir`. */
export function writeStandIns(dir: string): string {
  mkdirSync(dir, { recursive: true });
  for (const name of ["claude", "codex", "opencode", "gemini", "copilot"]) {
    writeFileSync(join(dir, name), TOOL);
    chmodSync(join(dir, name), 0o755);
  }
  writeFileSync(join(dir, "cloudflared"), CLOUDFLARED);
  chmodSync(join(dir, "cloudflared"), 0o755);
  return dir;
}

export interface Recorded {
  argv: string[];
  env: Record<string, string>;
  cwd: string;
  files: { settings?: string; geminiSettings?: string };
}
