#!/usr/bin/env node
// The running cost of a coding session through llmux, in one line, for a tool's status line.
//
// Claude Code (settings.json): {"statusLine": {"type": "command", "command": "node ~/.claude/llmux-statusline.mjs"}}
//   Claude Code sends the session as JSON on stdin ({"session_id": …}); the line shows that session.
// Codex, or any shell prompt: node llmux-statusline.mjs --latest codex
//   shows the key's most recent session of that tool.
//
// It asks llmux's self-service API with the key the tool uses: $LLMUX_URL or $ANTHROPIC_BASE_URL (default
// http://127.0.0.1:4000), and $LLMUX_KEY, $ANTHROPIC_AUTH_TOKEN or $ANTHROPIC_API_KEY (a minted lx-… key).
// Node 18 or later; no dependencies. Prints nothing rather than an error (a status line stays quiet).

const env = process.env;
const base = (env.LLMUX_URL ?? env.ANTHROPIC_BASE_URL ?? "http://127.0.0.1:4000").replace(/\/+$/, "");
const key = env.LLMUX_KEY ?? env.ANTHROPIC_AUTH_TOKEN ?? env.ANTHROPIC_API_KEY;

async function get(path) {
  const res = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${key}` } });
  if (!res.ok) return undefined;
  return res.json();
}

async function stdin() {
  if (process.stdin.isTTY) return "";
  let text = "";
  for await (const chunk of process.stdin) text += chunk;
  return text;
}

const money = (usd) => `$${usd < 10 ? usd.toFixed(2) : usd.toFixed(0)}`;

async function main() {
  if (!key) return "";
  const latest = process.argv.indexOf("--latest");
  let id;
  if (latest >= 0) {
    const tool = process.argv[latest + 1];
    const q = new URLSearchParams({ sort: "recent", limit: "1", ...(tool ? { tool } : {}) });
    id = (await get(`/admin/v1/me/sessions?${q}`))?.rows?.[0]?.id;
  } else {
    try {
      id = JSON.parse(await stdin()).session_id;
    } catch {}
  }
  const [session, me] = await Promise.all([
    id ? get(`/admin/v1/me/sessions/${encodeURIComponent(id)}?limit=1`) : undefined,
    get("/admin/v1/me"),
  ]);
  const parts = [];
  if (session) {
    parts.push(`session ${money(session.cost_usd)}`, `${session.requests} req`);
    if (session.cache_hit_rate !== null) parts.push(`cache ${Math.round(session.cache_hit_rate * 100)}%`);
  }
  if (me && me.remaining_usd !== null && me.remaining_usd !== undefined)
    parts.push(`budget ${money(me.remaining_usd)} left`);
  return parts.length > 0 ? `llmux · ${parts.join(" · ")}` : "";
}

main()
  .then((line) => process.stdout.write(line ? `${line}\n` : ""))
  .catch(() => undefined);
