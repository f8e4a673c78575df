#!/usr/bin/env node
// Measures what a burst spends against one budget: N concurrent streamed requests (Claude Code's
// max_tokens of 32,000), each answered by the mock with an answer far larger than 4,096 tokens, against a
// key with a daily budget, in front of llmux (dist/, as built by `npm run build`) on the in-process state
// and on Redis. Prints the budget, what the ledger holds once every request settled, and how many were
// served. Usage: npm run build && node scripts/budget-overspend.mjs [--requests 200] [--budget 1]
//   [--answer-tokens 20000] [--redis redis://127.0.0.1:6379] [--dist DIR]
import { randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { pino } from "pino";

const { values: o } = parseArgs({
  options: {
    requests: { type: "string", default: "200" },
    budget: { type: "string", default: "1" },
    "answer-tokens": { type: "string", default: "20000" },
    redis: { type: "string", default: "redis://127.0.0.1:6379" },
    dist: { type: "string", default: "dist" },
  },
});
const dist = resolve(o.dist);
const { parseConfig } = await import(join(dist, "config/load.js"));
const { startMockServer } = await import(join(dist, "mock/server.js"));
const { Gateway } = await import(join(dist, "server/gateway.js"));

const ADMIN = "bench-admin-key-0123456789abcdef";
const N = Number(o.requests);
const BUDGET = Number(o.budget);
const CHARS = Number(o["answer-tokens"]) * 4;

async function run(state) {
  const mock = await startMockServer({
    port: 0,
    fallback: () => ({ blocks: [{ type: "text", text: "x".repeat(CHARS) }], chunkChars: 800, chunkDelayMs: 2 }),
  });
  const config = parseConfig(
    {
      store: { path: join(mkdtempSync(join(tmpdir(), "llmux-overspend-")), "llmux.db") },
      admin: { keys: [ADMIN] },
      secrets: { master_key: "bench-master-key-0123456789abcdef" },
      ...(state ? { state: { url: state, prefix: `llmux-overspend:${randomBytes(4).toString("hex")}:` } } : {}),
      providers: { anthropic: { type: "anthropic", base_url: mock.url, api_key: "an-key" } },
      models: { "claude-sonnet-4-5": { provider: "anthropic", model: "claude-sonnet-4-5" } },
    },
    {},
  );
  const gateway = new Gateway(config, pino({ level: "silent" }));
  const { port } = await gateway.listen(0, "127.0.0.1");
  const url = `http://127.0.0.1:${port}`;
  const admin = (method, path, body) =>
    fetch(`${url}/admin/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${ADMIN}`, "content-type": "application/json" },
      body: body ? JSON.stringify(body) : undefined,
    }).then((r) => r.json());
  const key = await admin("POST", "/keys", { name: "burst", budget: { usd: BUDGET, period: "day" } });
  const one = () =>
    fetch(`${url}/v1/messages`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-api-key": key.key, "anthropic-version": "2023-06-01" },
      body: JSON.stringify({
        model: "claude-sonnet-4-5",
        max_tokens: 32_000,
        stream: true,
        messages: [{ role: "user", content: "write" }],
      }),
    }).then(async (r) => ({ status: r.status, text: await r.text() }));
  const answers = await Promise.all(Array.from({ length: N }, one));
  let spent = -1;
  for (let stable = 0; stable < 3; ) {
    await new Promise((r) => setTimeout(r, 300));
    const now = (await admin("GET", `/keys/${key.id}`)).spend_usd;
    stable = now === spent ? stable + 1 : 0;
    spent = now;
  }
  await gateway.close();
  await mock.close();
  return {
    served: answers.filter((a) => a.status === 200).length,
    cut: answers.filter((a) => a.text.includes("during the answer")).length,
    spent,
  };
}

console.log(`${N} concurrent streams, answers of ${CHARS / 4} tokens at claude-sonnet-4-5 prices, budget $${BUDGET}`);
for (const [name, state] of [
  ["memory", undefined],
  ["redis", o.redis],
]) {
  const r = await run(state);
  console.log(
    `${name}: spent $${r.spent.toFixed(4)} (${((r.spent / BUDGET) * 100).toFixed(0)}% of the budget, ${(r.spent / BUDGET).toFixed(2)}x); ${r.served} served, ${r.cut} ended for the budget`,
  );
}
process.exit(0);
