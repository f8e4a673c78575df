#!/usr/bin/env node
// Captures docs/ui/sessions.png, session.png, spend-by-tag.png and alerts.png from the real web UI: starts
// llmux (dist/, as built by `npm run build`) in front of the mock upstream with alerts sent to a local
// Slack-format receiver, sends it coding sessions the way the tools do (Claude Code with its session and
// agent headers and sub-agents, Codex with its session-id, tagged with llmux-tags), then drives Debian's
// Chromium through the pages. Usage: npm run build && node scripts/sessions-screenshots.mjs [OUT_DIR]
import { mkdirSync, mkdtempSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { chromium } from "playwright-core";
import { parseConfig } from "../dist/config/load.js";
import { startMockServer } from "../dist/mock/server.js";
import { Gateway } from "../dist/server/gateway.js";

const out = process.argv[2] ?? "docs/ui";
// The turns are spread over this many seconds, so sessions last a while.
const seconds = Number(process.env.SECONDS_SPREAD ?? 30);
mkdirSync(out, { recursive: true });
const ADMIN = "docs-admin-key-0123456789abcdef";

// Where alerts go: a Slack-format receiver that fails its first delivery (the page shows the retry).
let hooks = 0;
const receiver = createServer((req, res) => {
  req.resume();
  req.on("end", () => res.writeHead(hooks++ === 0 ? 500 : 200).end());
});
await new Promise((r) => receiver.listen(0, "127.0.0.1", r));

const mock = await startMockServer({ chunkDelayMs: 2 });
const m = mock.url;
const config = parseConfig(
  {
    store: { path: join(mkdtempSync(join(tmpdir(), "llmux-docs-")), "llmux.db") },
    admin: { keys: [ADMIN] },
    secrets: { master_key: "docs-master-key-0123456789abcdef" },
    logging: { level: "error" },
    billing: { alert_at: 0.8 },
    providers: {
      anthropic: { type: "anthropic", base_url: m, api_key: "an-key" },
      "azure-east": { type: "azure", base_url: m, api_key: "az-key", api: "responses" },
      "azure-west": { type: "azure", base_url: m, api_key: "az-key", api: "responses" },
    },
    models: {
      "claude-sonnet": { provider: "anthropic", model: "claude-sonnet-4-5" },
      "claude-haiku": { provider: "anthropic", model: "claude-haiku-4-5" },
      "gpt-high": {
        deployments: [
          { provider: "azure-east", model: "gpt-5-codex" },
          { provider: "azure-west", model: "gpt-5-codex" },
        ],
        routing: { retries: 2, cooldown_s: 30 },
      },
    },
    alerts: {
      destinations: { "team-chat": { type: "slack", url: `http://127.0.0.1:${receiver.address().port}/hook` } },
      rules: [
        { on: "budget_share", to: ["team-chat"] },
        { on: "budget_blocked", to: ["team-chat"] },
        { on: "deployment_down", to: ["team-chat"] },
      ],
    },
  },
  {},
);
const gateway = new Gateway(config, pino({ level: "error" }));
const { port } = await gateway.listen(0, "127.0.0.1");
const base = `http://127.0.0.1:${port}`;

async function call(method, path, { key = ADMIN, body, headers = {} } = {}) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json", ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

const checkout = await call("POST", "/admin/v1/teams", { body: { name: "checkout" } });
const alice = await call("POST", "/admin/v1/keys", {
  body: { name: "alice-laptop", user: "alice", team_id: checkout.id, budget: { usd: 0.34, period: "day" } },
});
const bob = await call("POST", "/admin/v1/keys", { body: { name: "bob-desktop", user: "bob", team_id: checkout.id } });
const intern = await call("POST", "/admin/v1/keys", {
  body: { name: "intern-sandbox", user: "sam", budget: { usd: 0.000001, period: "month" } },
});

const CLAUDE = { "user-agent": "claude-cli/2.1.197 (external, cli)", "anthropic-version": "2023-06-01" };
const CODEX = { "user-agent": "codex_cli_rs/0.169.0 (Debian 12; x86_64)", originator: "codex_cli_rs" };
const usage = (input, output, cacheRead = 0) => ({ input, output, cacheRead });

/** One Claude Code turn: the session, the agent (and its parent) in Claude Code's own headers. */
async function claude(key, session, { agent, parent, tags, model = "claude-sonnet", u, fail } = {}) {
  if (fail) mock.enqueue({ httpError: { status: 529, message: "Overloaded" } });
  else mock.enqueue({ blocks: [{ type: "text", text: "Done." }], usage: u });
  await call("POST", "/v1/messages", {
    key,
    headers: {
      ...CLAUDE,
      "x-claude-code-session-id": session,
      ...(agent ? { "x-claude-code-agent-id": agent } : {}),
      ...(parent ? { "x-claude-code-parent-agent-id": parent } : {}),
      ...(tags ? { "llmux-tags": tags } : {}),
    },
    body: { model, max_tokens: 4096, messages: [{ role: "user", content: "Continue." }] },
  });
}

async function codex(key, session, tags, u) {
  mock.enqueue({ blocks: [{ type: "text", text: "Patched." }], usage: u, match: { model: "gpt-5-codex" } });
  await call("POST", "/v1/responses", {
    key,
    headers: { ...CODEX, "session-id": session, "llmux-tags": tags },
    body: { model: "gpt-high", input: "Refactor the search index builder" },
  });
}

const pause = (n) => new Promise((r) => setTimeout(r, (seconds * 1000) / n));
const SESSION = "8c1f2a4e-93b7-4d2e-a0f5-6e2b9c7d1a30";
const main = (u) => claude(alice.key, SESSION, { tags: "project=checkout", u });
const explore = (u) => claude(alice.key, SESSION, { agent: "explore-1", tags: "project=checkout", u });
const tests = (u, fail) =>
  claude(alice.key, SESSION, { agent: "test-runner", parent: "explore-1", tags: "project=checkout", u, fail });
const turns = [
  () => main(usage(21_400, 640, 0)),
  () => explore(usage(8_200, 310, 0)),
  () => explore(usage(11_900, 420, 7_800)),
  () => tests(usage(4_100, 220, 0)),
  () => tests(undefined, true),
  () => tests(usage(5_300, 180, 3_900)),
  () => codex(bob.key, "0199a3c4-5e6f-7a8b-9c0d-e1f2a3b4c5d6", "project=search", usage(14_200, 900, 9_100)),
  () => explore(usage(13_800, 510, 11_200)),
  () => main(usage(26_900, 1_150, 21_000)),
  () => codex(bob.key, "0199a3c4-5e6f-7a8b-9c0d-e1f2a3b4c5d6", "project=search", usage(18_600, 1_300, 13_900)),
  () => claude(bob.key, "2d7e0b51-6c48-4f1a-9e3d-b85a0c7f4e12", { model: "claude-haiku", u: usage(3_200, 150) }),
  () => main(usage(31_500, 2_040, 26_700)),
  () => main(usage(34_800, 880, 31_100)),
];
for (const t of turns) {
  await t();
  await pause(turns.length);
}
// A sandbox key with no budget left is refused (budget_blocked); alice passed 80% of her day's budget; one
// of gpt-high's deployments answers 429 and cools down (deployment_down; the other answers).
// (Refused before any upstream call: nothing is queued on the mock for it.)
await call("POST", "/v1/messages", {
  key: intern.key,
  headers: { ...CLAUDE, "x-claude-code-session-id": "sandbox-try" },
  body: { model: "claude-sonnet", max_tokens: 1024, messages: [{ role: "user", content: "hello" }] },
});
mock.enqueue({
  httpError: { status: 429, message: "Rate limit reached", retryAfter: "30" },
  match: { model: "gpt-5-codex" },
});
await call("POST", "/v1/responses", { key: bob.key, headers: CODEX, body: { model: "gpt-high", input: "again" } });
// The first delivery fails; the retry follows after a second.
await new Promise((r) => setTimeout(r, 2500));

const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
  ],
});
const context = await browser.newContext({ baseURL: base, viewport: { width: 1280, height: 800 } });
const p = await context.newPage();
p.on("console", (msg) => msg.type() === "error" && console.error(`console error: ${msg.text()}`));
p.on("pageerror", (err) => console.error(`page error: ${err.message}`));
const shot = async (name, fullPage = true) => {
  await p.mouse.move(0, 0);
  await p.waitForTimeout(400);
  await p.screenshot({ path: join(out, `${name}.png`), fullPage, animations: "disabled" });
  console.log(`${out}/${name}.png`);
};

await p.goto("/ui/sessions");
await p.getByLabel("Admin key, or your own lx- key").fill(ADMIN);
await p.getByRole("button", { name: "Sign in" }).click();
await p.getByRole("table", { name: "Sessions" }).getByRole("link", { name: SESSION }).waitFor();
await shot("sessions", false);
await p.getByRole("link", { name: SESSION }).click();
await p.getByRole("table", { name: "Timeline" }).waitFor();
await shot("session");
await p.getByRole("link", { name: "Spend" }).click();
await p.getByLabel("Group by").selectOption("tag");
await p.getByRole("table", { name: "Spend by tag project" }).getByText("(untagged)").waitFor();
await shot("spend-by-tag", false);
await p.getByRole("link", { name: "Alerts" }).click();
await p.getByRole("table", { name: "Alerts, newest first" }).getByText("deployment_down").waitFor();
await shot("alerts", false);

await browser.close();
await gateway.close();
await mock.close();
receiver.close();
