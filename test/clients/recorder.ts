/**
 * A recording HTTP forwarder between a tool and llmux: the tool is pointed at it, it passes every request and
 * every response byte through unchanged (streams as they flow), and keeps what each side said, so that the suite
 * can check every answer llmux gave the tool and show the exchange when a cell fails.
 */
import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/** How much of each response body is kept. */
const KEEP_BYTES = 64 * 1024;

export interface Exchange {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  /** The request body as the tool sent it. */
  body: string;
  /** HTTP status llmux answered (0 when it never answered). */
  status: number;
  /** The first 64 KiB of llmux's answer. */
  response: string;
  /** llmux's `llmux-warnings` header: what it adjusted for the upstream. */
  warnings?: string;
}

export interface Recorder {
  url: string;
  exchanges: Exchange[];
  close(): Promise<void>;
}

export async function startRecorder(target: string): Promise<Recorder> {
  const to = new URL(target);
  const exchanges: Exchange[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const ex: Exchange = {
        method: req.method ?? "GET",
        url: req.url ?? "/",
        headers: req.headers,
        body: Buffer.concat(chunks).toString("utf8"),
        status: 0,
        response: "",
      };
      exchanges.push(ex);
      const upstream = httpRequest(
        {
          host: to.hostname,
          port: to.port,
          method: ex.method,
          path: ex.url,
          headers: { ...req.headers, host: to.host },
        },
        (reply) => {
          ex.status = reply.statusCode ?? 0;
          const warnings = reply.headers["llmux-warnings"];
          if (warnings) ex.warnings = String(warnings);
          res.writeHead(ex.status, reply.headers);
          reply.on("data", (d: Buffer) => {
            if (ex.response.length < KEEP_BYTES) ex.response += d.toString("utf8");
            res.write(d);
          });
          reply.on("end", () => res.end());
          reply.on("error", () => res.destroy());
        },
      );
      upstream.on("error", (err) => {
        if (!res.headersSent) res.writeHead(502, { "content-type": "application/json" });
        res.end(JSON.stringify({ error: { message: `recorder: ${err.message}` } }));
      });
      // The tool hung up: so does the forwarder (llmux must see the disconnect as it would without us).
      res.on("close", () => {
        if (!res.writableFinished) upstream.destroy();
      });
      upstream.end(Buffer.concat(chunks));
    });
  });
  server.keepAliveTimeout = 75_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    exchanges,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** The `model` a request body names, if it is JSON with one. */
export function requestedModel(ex: Exchange): string | undefined {
  try {
    const m = (JSON.parse(ex.body) as { model?: unknown }).model;
    return typeof m === "string" ? m : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The model name the answer shows the tool: the first `"model"` of the body (Anthropic message_start, Responses
 * response.created, a Chat chunk or a JSON body all carry it first).
 */
export function answeredModel(ex: Exchange): string | undefined {
  return /"model":\s*"([^"]*)"/.exec(ex.response)?.[1];
}
