#!/usr/bin/env node
/**
 * What one Bedrock event-stream message of 200 MB costs llmux in memory: a gateway (server.max_event_mb at
 * its default, 16) in front of an upstream that answers ConverseStream with one message declaring 200 MB and
 * then sending all of it. Prints the process's peak RSS before and after the request. Run against a build:
 * `node scripts/measure-frame-rss.mjs [distDir]` (default dist/, written by `npm run build`).
 */
import { createServer } from "node:http";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { pino } from "pino";

const dist = resolve(process.argv[2] ?? "dist");
const load = (p) => import(pathToFileURL(join(dist, p)).href);
const { parseConfig } = await load("config/load.js");
const { Gateway } = await load("server/gateway.js");

const MB = 1024 * 1024;
const SIZE = Number(process.env.FRAME_MB ?? 200) * MB;

const upstream = createServer((req, res) => {
  req.resume();
  req.on("end", async () => {
    res.writeHead(200, { "content-type": "application/vnd.amazon.eventstream" });
    const piece = Buffer.alloc(MB);
    piece.writeUInt32BE(SIZE, 0);
    piece.writeUInt32BE(32, 4);
    for (let sent = 0; sent < SIZE && !res.destroyed; sent += MB) {
      if (!res.write(sent === 0 ? piece : piece.subarray(0, MB).fill(0, 0, 8)))
        await new Promise((r) => {
          const done = () => {
            res.off("drain", done).off("close", done);
            r();
          };
          res.once("drain", done).once("close", done);
        });
    }
    res.end();
  });
});
await new Promise((r) => upstream.listen(0, "127.0.0.1", r));
const url = `http://127.0.0.1:${upstream.address().port}`;

const config = parseConfig(
  {
    store: { path: ":memory:" },
    providers: { huge: { type: "bedrock", region: "us-east-1", base_url: url, api_key: "k", timeout_ms: 60_000 } },
    models: { huge: { provider: "huge", model: "amazon.nova-pro-v1:0" } },
  },
  {},
);
const gateway = new Gateway(config, pino({ level: "silent" }));
const addr = await gateway.listen(0, "127.0.0.1");
const peak = () => Math.round(process.resourceUsage().maxRSS / 1024);

const before = peak();
const t = performance.now();
const res = await fetch(`http://127.0.0.1:${addr.port}/v1/chat/completions`, {
  method: "POST",
  headers: { "content-type": "application/json" },
  body: JSON.stringify({ model: "huge", stream: true, messages: [{ role: "user", content: "hi" }] }),
});
const text = await res.text();
const took = Math.round(performance.now() - t);
console.log(
  `frame of ${SIZE / MB} MB: status ${res.status}, ${took} ms, peak RSS ${before} MB before → ${peak()} MB after; answer: ${text.slice(0, 160).replace(/\n/g, " ")}`,
);
await gateway.close();
upstream.close();
process.exit(0);
