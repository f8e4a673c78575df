#!/usr/bin/env node
// Captures docs/logs-terminal.png from a real run: starts llmux (dist/, as built by `npm run build`) in
// front of the mock upstream with bodies kept, sends it one turn of a Claude Code tool loop (a system
// prompt, tools, a Bash call and its failing output; the answer thinks, explains and calls Edit), then runs
// `llmux logs --url … -n 1` in a real xterm on a virtual display and takes a picture of the window.
// Needs Debian's xvfb, xterm and imagemagick. Usage: npm run build && node scripts/logs-screenshot.mjs [OUT]
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pino } from "pino";
import { parseConfig } from "../dist/config/load.js";
import { startMockServer } from "../dist/mock/server.js";
import { Gateway } from "../dist/server/gateway.js";

const out = resolve(process.argv[2] ?? "docs/logs-terminal.png");
const ADMIN = "docs-admin-key-0123456789abcdef";
const mock = await startMockServer({ port: 0 });
const config = parseConfig(
  {
    store: { path: join(mkdtempSync(join(tmpdir(), "llmux-logs-shot-")), "llmux.db") },
    admin: { keys: [ADMIN] },
    secrets: { master_key: "docs-master-key-0123456789abcdef" },
    logging: { bodies: "all" },
    providers: { anthropic: { type: "anthropic", base_url: mock.url, api_key: "an-key" } },
    models: { "claude-sonnet-4-5": { provider: "anthropic", model: "claude-sonnet-4-5" } },
  },
  {},
);
const gateway = new Gateway(config, pino({ level: "error" }));
const { port } = await gateway.listen(0, "127.0.0.1");
const base = `http://127.0.0.1:${port}`;

const minted = await (
  await fetch(`${base}/admin/v1/keys`, {
    method: "POST",
    headers: { authorization: `Bearer ${ADMIN}`, "content-type": "application/json" },
    body: JSON.stringify({ name: "alice-laptop", user: "alice" }),
  })
).json();

const failing = [
  " FAIL  test/duration.test.ts > parses 90s",
  "AssertionError: expected 5400000 to be 90000",
  "  - Expected  90000",
  "  + Received  5400000",
  " ❯ test/duration.test.ts:7:32",
  '      5|   it("parses 90s", () => {',
  '      6|     expect(parseDuration("90s")).toBe(90_000);',
  " Test Files  1 failed (1)",
  "      Tests  1 failed | 11 passed (12)",
].join("\n");
mock.enqueue({
  blocks: [
    {
      type: "reasoning",
      text: 'The test fails because `parseDuration` treats **"90s"** as minutes. I should read the function first, then fix the unit table.',
    },
    {
      type: "text",
      text: "The bug is in the unit table: `s` maps to **60 000 ms** instead of 1 000.\n\n```ts\nconst UNITS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };\n```\n\nLet me open the file to patch it.",
    },
    {
      type: "tool_call",
      name: "Edit",
      arguments: JSON.stringify({ file_path: "src/duration.ts", old_string: "s: 60_000", new_string: "s: 1_000" }),
    },
  ],
  usage: { input: 18_432, output: 214, cacheRead: 16_200, reasoning: 38 },
});
const tools = ["Read", "Edit", "Bash"].map((name) => ({
  name,
  description: `The ${name} tool.`,
  input_schema: { type: "object", properties: {} },
}));
await fetch(`${base}/v1/messages`, {
  method: "POST",
  headers: {
    "x-api-key": minted.key,
    "content-type": "application/json",
    "anthropic-version": "2023-06-01",
    "user-agent": "claude-cli/2.1.197 (external, cli)",
  },
  body: JSON.stringify({
    model: "claude-sonnet-4-5",
    max_tokens: 32_000,
    stream: true,
    system: [
      {
        type: "text",
        text: "You are Claude Code, Anthropic's official CLI for Claude. You are an interactive CLI tool that helps users with software engineering tasks. Use the instructions below and the tools available to you.",
      },
    ],
    tools,
    messages: [
      { role: "user", content: "The test parses 90s fails. Can you find out why and fix it?" },
      {
        role: "assistant",
        content: [
          {
            type: "tool_use",
            id: "toolu_01Ab",
            name: "Bash",
            input: { command: "npx vitest run test/duration.test.ts" },
          },
        ],
      },
      { role: "user", content: [{ type: "tool_result", tool_use_id: "toolu_01Ab", content: failing }] },
    ],
  }),
}).then((r) => r.text());
// The request log row is written in the background: give it a moment.
await new Promise((r) => setTimeout(r, 1000));

const display = ":97";
const screen = spawn("Xvfb", [display, "-screen", "0", "1000x1000x24", "-nolisten", "tcp"], { stdio: "ignore" });
await new Promise((r) => setTimeout(r, 800));
const command = `printf '$ llmux logs --url ${base} -n 1\\n'; node ${resolve("dist/bundle/llmux.js")} logs --url ${base} -n 1; sleep 30`;
const shell = spawn(
  "xterm",
  [
    "-geometry",
    "100x51+0+0",
    "-fa",
    "DejaVu Sans Mono",
    "-fs",
    "10",
    "-bg",
    "#1e1e1e",
    "-fg",
    "#e6e6e6",
    "-b",
    "0",
    "-e",
    "sh",
    "-c",
    command,
  ],
  {
    env: { ...process.env, DISPLAY: display, LLMUX_ADMIN_KEY: ADMIN, TERM: "xterm-256color", COLORTERM: "truecolor" },
    stdio: "ignore",
  },
);
await new Promise((r) => setTimeout(r, 4000));
const shot = spawnSync("import", ["-display", display, "-window", "root", "-trim", "+repage", out], {
  stdio: "inherit",
});
shell.kill();
screen.kill();
await gateway.close();
await mock.close();
if (shot.status !== 0) process.exit(1);
console.log(`wrote ${out}`);
