/**
 * The young generation kept at its first size while a command starts (issue 45, idle memory).
 *
 * Starting llmux loads some 650 modules and builds its configuration, its tables and its stores: tens of MB
 * that survive V8's scavenges. V8 doubles the young generation whenever more survives a scavenge than the
 * young generation holds, so a start left it at its largest (two 16 MB semi-spaces, about 18 MB of them
 * resident) although nothing was allocated in it afterwards, and V8 shrinks it only under memory pressure.
 * Held at its first size (growth factor 1) until the command has started, llmux is about 11 MB smaller idle
 * on its embedded defaults and starts as fast (measured: 101 → 89–91 MB RSS; time to listen 0.81–0.85 s
 * either way). Once started, the growth factor is V8's default again, so a young generation that load needs
 * grows as before.
 *
 * Imported for its effect, first of all main.ts's imports: ES modules are evaluated in the order imported,
 * so the hold is set before any other module is loaded. A node option naming the young generation's first size or
 * its growth (the user's own sizing) leaves V8's settings alone.
 */
import { subscribe, unsubscribe } from "node:diagnostics_channel";
import { setFlagsFromString } from "node:v8";

/** V8's default growth factor, on every Node.js llmux supports (20, 22, 24: `node --v8-options`). */
const V8_GROWTH_FACTOR = 2;

/**
 * The user sized the young generation's start or growth (a node option, V8 reads `-` and `_` alike): V8's settings
 * are left alone. A largest size (`--max-semi-space-size`, which docs/deploy.md suggests for a busy gateway) is
 * kept by the hold as it is.
 */
const userSized = [...process.execArgv, process.env.NODE_OPTIONS ?? ""].some((a) =>
  /min[-_]semi[-_]space[-_]size|semi[-_]space[-_]growth[-_]factor/.test(a),
);

let held = false;
if (!userSized) {
  setFlagsFromString("--semi-space-growth-factor=1");
  held = true;
}

/** The young generation may grow again (a command that ran, or failed to start). */
export function releaseYoungGeneration(): void {
  if (!held) return;
  held = false;
  unsubscribe(ACCEPTED, releaseYoungGeneration);
  setFlagsFromString(`--semi-space-growth-factor=${V8_GROWTH_FACTOR}`);
}

/** Node's channel of the connections its servers accept (any server of this process: HTTP, HTTPS, WebSocket). */
const ACCEPTED = "net.server.socket";

/**
 * A server that started: its young generation may grow from its first connection on (what start-up left to
 * do once it listens, loads and tables built on first use, still allocates with the hold on).
 */
export function releaseOnFirstConnection(): void {
  if (held) subscribe(ACCEPTED, releaseYoungGeneration);
}
