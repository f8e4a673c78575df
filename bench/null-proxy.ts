/**
 * The reference gateway: a minimal HTTP forwarder (node:http, keep-alive) that sends each request's bytes to
 * the upstream unchanged and pipes the response back. No parsing, no logging: what one extra process and
 * two extra loopback hops cost on this machine, the floor under any gateway's added latency.
 *
 * Environment: BENCH_PROXY_PORT (listen), BENCH_PROXY_UPSTREAM (http://host:port).
 */
import { Agent, createServer, request } from "node:http";

const upstream = new URL(process.env.BENCH_PROXY_UPSTREAM ?? "http://127.0.0.1:4010");
const agent = new Agent({ keepAlive: true, maxSockets: 4096 });
const HOP = new Set(["connection", "keep-alive", "transfer-encoding", "host"]);

const server = createServer((req, res) => {
  const headers: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(req.headers)) if (v !== undefined && !HOP.has(k)) headers[k] = v;
  const up = request(
    { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers, agent },
    (ures) => {
      const out: Record<string, string | string[]> = {};
      for (const [k, v] of Object.entries(ures.headers)) if (v !== undefined && !HOP.has(k)) out[k] = v;
      res.writeHead(ures.statusCode ?? 502, out);
      ures.pipe(res);
    },
  );
  up.on("error", (err) => {
    if (!res.headersSent) res.writeHead(502, { "content-type": "text/plain" });
    res.end(String(err.message));
  });
  res.on("close", () => {
    if (!res.writableFinished) up.destroy();
  });
  req.pipe(up);
});
server.keepAliveTimeout = 75_000;
server.listen(Number(process.env.BENCH_PROXY_PORT ?? 0), "127.0.0.1");
