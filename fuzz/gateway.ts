/**
 * A gateway in this process for the HTTP targets, in front of two upstreams: llmux's mock (it answers any
 * valid request: the inbound routes' bodies reach it) and an answer server that sends, for each request, the
 * answer a target registered under the token the request carries (`fz<n>x` in its text): mutated answers of
 * every upstream dialect, streamed or whole.
 */
import { once } from "node:events";
import { mkdtempSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { pino } from "pino";
import { parseConfig } from "../src/config/load.js";
import { type MockServer, startMockServer } from "../src/mock/server.js";
import { Gateway } from "../src/server/gateway.js";

export interface Answer {
  status: number;
  /** Sent when the request asked for a stream. */
  sse: Buffer;
  /** Sent when it did not. */
  json: Buffer;
}

export interface FuzzGateway {
  url: string;
  /** Registers an answer; the request carrying the returned token in its text gets it (once). */
  answer(a: Answer): string;
  /** Answers registered that no request asked for yet (each held until one does). */
  pending(): number;
  /** Requests the mock upstream holds (none: a long run would keep every body). */
  mockRequests(): number;
  /** Lines llmux logged at error level (an unhandled error is one). */
  readonly errors: string[];
  close(): Promise<void>;
}

function answerServer(answers: Map<string, Answer>): Server {
  return createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      const token = /fz\d+x/.exec(body)?.[0];
      const a = token ? answers.get(token) : undefined;
      if (token) answers.delete(token);
      if (!a) {
        res.writeHead(404, { "content-type": "application/json" }).end('{"error":{"message":"no answer registered"}}');
        return;
      }
      const stream = /"stream"\s*:\s*true/.test(body) || (req.url ?? "").includes("streamGenerateContent");
      res.on("error", () => undefined);
      res.writeHead(a.status, { "content-type": stream && a.status < 400 ? "text/event-stream" : "application/json" });
      res.end(stream && a.status < 400 ? a.sse : a.json);
    });
  });
}

export async function startFuzzGateway(): Promise<FuzzGateway> {
  // The mock keeps no request: it answers every valid one of a long run (it kept each body, 1 MB a minute).
  const mock: MockServer = await startMockServer({ keepRequests: 0 });
  const answers = new Map<string, Answer>();
  const upstream = answerServer(answers);
  upstream.listen(0, "127.0.0.1");
  await once(upstream, "listening");
  const address = upstream.address();
  const up = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
  const dir = mkdtempSync(join(tmpdir(), "llmux-fuzz-"));
  const config = parseConfig(
    {
      store: { path: join(dir, "llmux.db") },
      billing: { spool_dir: dir },
      logging: { level: "error" },
      providers: {
        "mock-chat": { type: "openai", base_url: `${mock.url}/v1`, api_key: "k", api: "chat" },
        "mock-anthropic": { type: "anthropic", base_url: mock.url, api_key: "k" },
        "fz-chat": { type: "openai", base_url: `${up}/v1`, api_key: "k", api: "chat" },
        "fz-responses": { type: "openai", base_url: `${up}/v1`, api_key: "k", api: "responses" },
        "fz-anthropic": { type: "anthropic", base_url: up, api_key: "k" },
        "fz-gemini": { type: "gemini", base_url: up, api_key: "k" },
      },
      models: {
        "via-mock-chat": { provider: "mock-chat", model: "gpt-4.1" },
        "via-mock-anthropic": { provider: "mock-anthropic", model: "claude-sonnet-4-5" },
        "via-openai-chat": { provider: "fz-chat", model: "gpt-4.1" },
        "via-openai-responses": { provider: "fz-responses", model: "gpt-5" },
        "via-anthropic": { provider: "fz-anthropic", model: "claude-sonnet-4-5" },
        "via-gemini": { provider: "fz-gemini", model: "gemini-2.5-pro" },
      },
    },
    {},
  );
  const errors: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const line of chunk.toString("utf8").split("\n"))
        if (line.includes('"level":50') || line.includes('"level":60')) errors.push(line.slice(0, 2000));
      cb();
    },
  });
  const gateway = new Gateway(config, pino({ level: "error", base: undefined }, sink));
  const addr = await gateway.listen(0, "127.0.0.1");
  let n = 0;
  return {
    url: `http://127.0.0.1:${addr.port}`,
    errors,
    pending: () => answers.size,
    mockRequests: () => mock.requests.length,
    answer(a) {
      const token = `fz${++n}x`;
      answers.set(token, a);
      return token;
    },
    async close() {
      await gateway.close();
      await mock.close();
      upstream.closeAllConnections();
      await new Promise((r) => upstream.close(r));
    },
  };
}
