#!/usr/bin/env node
// Captures the pictures in docs/ui/ from the real web UI: starts llmux (dist/, as built by `npm run build`)
// in front of the mock upstream, sends it traffic the way coding tools do (Claude Code over Messages, Codex
// over Responses, scripts over Chat; tool calls, reasoning, an image, a few upstream failures), then drives
// Debian's Chromium through the pages. Usage: npm run build && node scripts/ui-screenshots.mjs [OUT_DIR]
import { mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { chromium } from "playwright-core";
import { parseConfig } from "../dist/config/load.js";
import { startMockServer } from "../dist/mock/server.js";
import { Gateway } from "../dist/server/gateway.js";

const out = process.argv[2] ?? "docs/ui";
// The traffic is spread over this many minutes, so the charts have more than one point.
const minutes = Number(process.env.MINUTES ?? 4);
const pause = (n) => new Promise((r) => setTimeout(r, (minutes * 60_000) / n));
mkdirSync(out, { recursive: true });
const ADMIN = "docs-admin-key-0123456789abcdef";
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

// The picture a user pasted into the conversation: a terminal's failing test, drawn by the browser itself.
const PNG = await (async () => {
  const page = await browser.newPage({ viewport: { width: 360, height: 90 } });
  await page.setContent(
    `<body style="margin:0;background:#1e1e1e;color:#eee;font:14px monospace;padding:12px">` +
      `<div><span style="background:#c62828;color:#fff;padding:0 6px">FAIL</span> test/main.test.ts</div>` +
      `<div style="color:#ef9a9a;margin-top:8px">TypeError: Cannot read properties of undefined</div></body>`,
  );
  const png = await page.screenshot({ type: "png" });
  await page.close();
  return png.toString("base64");
})();

async function session(viewport, colorScheme = "light") {
  const context = await browser.newContext({ baseURL: base, viewport, colorScheme });
  const page = await context.newPage();
  page.on("console", (msg) => msg.type() === "error" && console.error(`console error: ${msg.text()}`));
  page.on("pageerror", (err) => console.error(`page error: ${err.message}`));
  return { context, page };
}
const shot = async (page, name, fullPage = true) => {
  await page.mouse.move(0, 0);
  await page.waitForTimeout(400);
  await page.screenshot({ path: join(out, `${name}.png`), fullPage, animations: "disabled" });
  console.log(`${out}/${name}.png`);
};

const mock = await startMockServer({ chunkDelayMs: 4 });
const m = mock.url;
const config = parseConfig(
  {
    store: { path: join(mkdtempSync(join(tmpdir(), "llmux-docs-")), "llmux.db") },
    admin: { keys: [ADMIN] },
    secrets: { master_key: "docs-master-key-0123456789abcdef" },
    logging: { level: "error", bodies: "all" },
    providers: {
      anthropic: { type: "anthropic", base_url: m, api_key: "an-key" },
      "azure-east": { type: "azure", base_url: m, api_key: "az-key", api: "responses" },
      "azure-west": { type: "azure", base_url: m, api_key: "az-key", api: "responses" },
      openai: { type: "openai", base_url: `${m}/v1`, api_key: "oa-key", api: "chat" },
      gemini: { type: "gemini", base_url: m, api_key: "ge-key" },
    },
    models: {
      "claude-sonnet": { provider: "anthropic", model: "claude-sonnet-4-5" },
      "gpt-high": {
        deployments: [
          { provider: "azure-east", model: "gpt-5-codex", weight: 2 },
          { provider: "azure-west", model: "gpt-5-codex", weight: 1 },
        ],
        routing: { strategy: "weighted", retries: 2, cooldown_s: 30 },
        fallbacks: ["claude-sonnet"],
      },
      "gpt-fast": { provider: "openai", model: "gpt-4.1" },
      "gemini-pro": { provider: "gemini", model: "gemini-2.5-pro" },
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

// Signed in before the traffic (the sign-in is the oldest entry of the log).
const desk = await session({ width: 1280, height: 800 });
let p = desk.page;
await p.goto("/ui/");
await p.getByLabel("Admin key, or your own lx- key").waitFor();
await shot(p, "sign-in", false);
await p.getByLabel("Admin key, or your own lx- key").fill(ADMIN);
await p.getByRole("button", { name: "Sign in" }).click();
await p.getByRole("button", { name: "Sign out" }).waitFor();

// Teams and keys.
const platform = await call("POST", "/admin/v1/teams", {
  body: { name: "platform", budget: { usd: 200, period: "month" }, limits: { rpm: 600 } },
});
const research = await call("POST", "/admin/v1/teams", {
  body: { name: "research", models: ["claude-*", "gemini-*", "gpt-*"], budget: { usd: 50, period: "week" } },
});
const alice = await call("POST", "/admin/v1/keys", {
  body: { name: "alice-laptop", user: "alice", team_id: platform.id, budget: { usd: 20, period: "month" } },
});
const ci = await call("POST", "/admin/v1/keys", {
  body: { name: "ci-bot", user: "ci", team_id: platform.id, limits: { rpm: 120, concurrency: 4 } },
});
const bob = await call("POST", "/admin/v1/keys", {
  body: { name: "bob-desktop", user: "bob", team_id: research.id, expires_at: "2027-06-30T00:00:00Z" },
});

const CLAUDE = { "user-agent": "claude-cli/2.1.197 (external, cli)", "anthropic-version": "2023-06-01" };
const CODEX = { "user-agent": "codex_cli_rs/0.169.0 (Debian 12; x86_64)", originator: "codex_cli_rs" };
const usage = (input, output, cacheRead = 0, reasoning = 0) => ({ input, output, cacheRead, reasoning });

// Claude Code over Messages, with a system prompt, tools, a tool round trip, a picture and thinking.
mock.enqueue({
  blocks: [
    {
      type: "reasoning",
      text: "The test fails on a type error in `src/main.ts`. I should read the file before proposing a fix.",
    },
    { type: "text", text: "The failing assertion is in `src/main.ts`. Let me read it first." },
    { type: "tool_call", id: "toolu_01Read", name: "Read", arguments: '{"file_path":"src/main.ts","limit":200}' },
  ],
  usage: usage(18_420, 212, 16_900, 48),
});
await call("POST", "/v1/messages", {
  key: alice.key,
  headers: CLAUDE,
  body: {
    model: "claude-sonnet",
    max_tokens: 4096,
    stream: true,
    system:
      "You are Claude Code, an interactive CLI tool that helps users with software engineering tasks.\n\n# Tone\nBe concise. Use GitHub-flavoured Markdown.",
    tools: [
      { name: "Read", description: "Reads a file from the local filesystem.", input_schema: { type: "object" } },
      { name: "Bash", description: "Runs a shell command.", input_schema: { type: "object" } },
    ],
    messages: [
      {
        role: "user",
        content: [
          { type: "text", text: "`npm test` fails since this morning. Here is the output:" },
          { type: "image", source: { type: "base64", media_type: "image/png", data: PNG } },
        ],
      },
      {
        role: "assistant",
        content: [
          { type: "tool_use", id: "toolu_01Bash", name: "Bash", input: { command: "npm test -- --reporter=dot" } },
        ],
      },
      {
        role: "user",
        content: [
          {
            type: "tool_result",
            tool_use_id: "toolu_01Bash",
            content:
              "FAIL test/main.test.ts > parses the port\nTypeError: Cannot read properties of undefined (reading 'port')",
          },
          {
            type: "text",
            text: "Fix it, and keep the change small:\n\n```ts\nexport function port(config: Config): number {\n  return config.server.port ?? 4000;\n}\n```",
          },
        ],
      },
    ],
  },
});

// Then, spread over a few minutes: Codex over Responses on the routed alias (one deployment is rate
// limited once), scripts over Chat and Gemini, and two upstream failures.
const steps = 20;
for (let i = 0; i < steps; i++) {
  if (i === 2)
    mock.enqueue({
      httpError: { status: 429, message: "Rate limit reached", retryAfter: "20" },
      match: { model: "gpt-5-codex" },
    });
  if (i % 3 === 0) {
    mock.enqueue({
      match: { model: "gpt-5-codex" },
      blocks: [
        { type: "reasoning", text: "Plan the edit.", summary: ["Planning the edit to the build script."] },
        { type: "text", text: `Done: updated \`scripts/build-${i}.sh\` and ran the tests (all green).` },
      ],
      usage: usage(9_000 + i * 700, 420 + i * 30, 6_000, 128),
    });
    await call("POST", "/v1/responses", {
      key: i % 2 ? bob.key : alice.key,
      headers: CODEX,
      body: { model: "gpt-high", stream: true, input: `Refactor build step ${i} to use the new cache` },
    });
  }
  if (i === 9 || i === 15)
    mock.enqueue({
      httpError: i === 9 ? { status: 500, message: "upstream broke" } : { status: 503, message: "overloaded" },
    });
  else
    mock.enqueue({
      blocks: [{ type: "text", text: `Summary ${i}: the change is safe.` }],
      usage: usage(2_400 + i * 90, 180 + i * 7),
    });
  await call("POST", "/v1/chat/completions", {
    key: ci.key,
    body: { model: i % 3 ? "gpt-fast" : "gemini-pro", messages: [{ role: "user", content: `Review commit ${i}` }] },
  });
  await pause(steps);
}
await new Promise((r) => setTimeout(r, 1500));

await p.reload();
await p.getByTestId("tile-requests").waitFor();
await shot(p, "overview");
await p.getByRole("link", { name: "Requests" }).click();
await p.getByRole("table", { name: "Requests, newest first" }).locator("tbody tr.clickable").first().waitFor();
await shot(p, "requests", false);
await p.getByRole("row").filter({ hasText: "claude-sonnet" }).first().getByRole("link").click();
await p.getByRole("heading", { name: "Conversation" }).waitFor();
for (const d of await p.locator("details.reasoning").all()) await d.evaluate((el) => el.setAttribute("open", ""));
await shot(p, "request");
await p.getByRole("link", { name: "Keys" }).click();
await p.getByRole("row").filter({ hasText: "alice-laptop" }).waitFor();
await shot(p, "keys", false);
await p.getByRole("button", { name: "Create key" }).click();
const dialog = p.getByRole("dialog", { name: "Create a key" });
await dialog.getByLabel("Name").fill("carol-laptop");
await dialog.getByLabel("Team").selectOption({ label: "research" });
await dialog.getByLabel("User").fill("carol");
await dialog.getByLabel("USD").fill("25");
await dialog.getByRole("button", { name: "Create key" }).click();
await p.getByTestId("secret").waitFor();
await shot(p, "key-created", false);
await p.getByRole("button", { name: "Done" }).click();
await p.getByRole("link", { name: "Teams" }).click();
await p.getByRole("row").filter({ hasText: "research" }).waitFor();
await shot(p, "teams", false);
await p.getByRole("link", { name: "Spend" }).click();
await p.getByLabel("Group by").selectOption("model");
await p.getByRole("table", { name: "Spend by model" }).waitFor();
await shot(p, "spend");
// Just before the picture: one of gpt-high's deployments answers 429 with a minute's retry-after (the other
// deployment answers), so the page shows it cooling down.
mock.enqueue({
  httpError: { status: 429, message: "Rate limit reached", retryAfter: "60" },
  match: { model: "gpt-5-codex" },
});
await call("POST", "/v1/responses", {
  key: alice.key,
  headers: CODEX,
  body: { model: "gpt-high", stream: false, input: "One more refactor" },
});
await p.getByRole("link", { name: "Deployments" }).click();
await p
  .getByRole("table", { name: "Deployments" })
  .getByText(/cooling down/i)
  .first()
  .waitFor();
await shot(p, "deployments", false);
await p.getByRole("link", { name: "Playground" }).click();
await p.getByLabel("Client key").fill(alice.key);
await p.getByLabel("Dialect").selectOption("messages");
await p.getByLabel("Model").fill("claude-sonnet");
await p.getByLabel("Prompt", { exact: true }).fill("Write a haiku about gateways.");
mock.enqueue({
  blocks: [
    { type: "reasoning", text: "Five, seven, five syllables; about routing requests." },
    { type: "text", text: "Many tools, one door —  \nrequests find their model home,  \ntokens counted true." },
  ],
});
await p.getByRole("button", { name: "Send" }).click();
await p.getByText("done", { exact: true }).waitFor();
// The usage table's cost comes from the request log once the request is settled.
await p.getByRole("table", { name: "Usage" }).getByText(/^\$\d/).waitFor();
await shot(p, "playground");
await desk.context.close();

const phone = await session({ width: 390, height: 844 });
p = phone.page;
await p.goto("/ui/");
await p.getByLabel("Admin key, or your own lx- key").fill(ADMIN);
await p.getByRole("button", { name: "Sign in" }).click();
await p.getByTestId("tile-requests").waitFor();
await shot(p, "phone-overview", false);
await phone.context.close();

const dark = await session({ width: 1280, height: 800 }, "dark");
p = dark.page;
await p.goto("/ui/");
await p.getByLabel("Admin key, or your own lx- key").fill(alice.key);
await p.getByRole("button", { name: "Sign in" }).click();
await p.getByTestId("tile-requests").waitFor();
await shot(p, "self-view-dark", false);
await dark.context.close();

await browser.close();
await gateway.close();
await mock.close();
