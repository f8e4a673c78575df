#!/usr/bin/env node
/**
 * How long one large request holds the event loop for everyone else: a gateway on the default SQLite store
 * in front of the mock upstream, /health asked every few milliseconds while the request runs; the longest
 * /health answer is the stall. Run against a build: `node scripts/measure-stalls.mjs [distDir]` (default
 * dist/, written by `npm run build`).
 *
 * - chat-turns: a Chat request with 40,000 assistant turns (the reasoning cache looks each turn up);
 * - responses-parts: a stored Responses answer with 20,000 reasoning parts (each kept as an item).
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { pino } from "pino";

const dist = resolve(process.argv[2] ?? "dist");
const load = (p) => import(pathToFileURL(join(dist, p)).href);
const { startMockServer } = await load("mock/server.js");
const { parseConfig } = await load("config/load.js");
const { Gateway } = await load("server/gateway.js");

const TURNS = Number(process.env.TURNS ?? 40_000);
const PARTS = Number(process.env.PARTS ?? 20_000);

async function withGateway(run) {
  const mock = await startMockServer();
  const config = parseConfig(
    {
      store: { path: join(mkdtempSync(join(tmpdir(), "llmux-stall-")), "llmux.db") },
      server: { body_limit_mb: 64 },
      providers: { anthropic: { type: "anthropic", base_url: mock.url, api_key: "k" } },
      models: { claude: { provider: "anthropic", model: "claude-sonnet-4-5" } },
    },
    {},
  );
  const gateway = new Gateway(config, pino({ level: "silent" }));
  const addr = await gateway.listen(0, "127.0.0.1");
  try {
    return await run(`http://127.0.0.1:${addr.port}`, mock);
  } finally {
    await gateway.close();
    await mock.close();
  }
}

/** Runs `work` while /health is asked every 5 ms; the longest /health answer (ms) and the work's time. */
async function stallDuring(url, work) {
  let done = false;
  let worst = 0;
  const probe = (async () => {
    while (!done) {
      const t = performance.now();
      await (await fetch(`${url}/health`)).arrayBuffer();
      worst = Math.max(worst, performance.now() - t);
      await new Promise((r) => setTimeout(r, 5));
    }
  })();
  const t = performance.now();
  const status = await work();
  const took = performance.now() - t;
  done = true;
  await probe;
  return { status, took: Math.round(took), stall: Math.round(worst) };
}

const post = (url, path, body) =>
  fetch(`${url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: "Bearer k" },
    body: JSON.stringify(body),
  }).then(async (r) => {
    await r.arrayBuffer();
    return r.status;
  });

const chatTurns = await withGateway(async (url, mock) => {
  const messages = [];
  for (let i = 0; i < TURNS; i++) {
    messages.push({ role: "user", content: `q${i}` });
    messages.push({ role: "assistant", content: `a${i}` });
  }
  messages.push({ role: "user", content: "last" });
  mock.enqueue({ blocks: [{ type: "text", text: "ok" }] });
  return stallDuring(url, () => post(url, "/v1/chat/completions", { model: "claude", messages }));
});
console.log(`chat-turns (${TURNS} assistant turns): ${JSON.stringify(chatTurns)}`);

const responsesParts = await withGateway(async (url, mock) => {
  const blocks = [];
  for (let i = 0; i < PARTS; i++) blocks.push({ type: "reasoning", text: `step ${i}` });
  blocks.push({ type: "text", text: "done" });
  mock.enqueue({ blocks, chunkChars: 64 });
  return stallDuring(url, () => post(url, "/v1/responses", { model: "claude", input: "go", store: true }));
});
console.log(`responses-parts (${PARTS} reasoning parts, stored): ${JSON.stringify(responsesParts)}`);
