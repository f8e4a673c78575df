import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/** What the replay server answers to every POST. */
export interface Reply {
  status?: number;
  headers?: Record<string, string>;
  /** SSE text (sent as given, optionally in pieces) or a JSON body. */
  body: string | object;
  /** Split the body into chunks of this many bytes (exercises client-side reassembly). */
  chunkBytes?: number;
}

export interface ReplayServer {
  url: string;
  /** The bodies of the requests received, parsed as JSON. */
  requests: unknown[];
  setReply(reply: Reply): void;
  close(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

/**
 * A local HTTP server that answers every request with prepared bytes. Tests point the official SDKs at it
 * so that the SDKs' own parsers judge what llmux produced.
 */
export async function startReplayServer(): Promise<ReplayServer> {
  let reply: Reply = { body: "" };
  const requests: unknown[] = [];
  const server: Server = createServer(async (req, res) => {
    const text = await readBody(req);
    try {
      requests.push(text ? JSON.parse(text) : undefined);
    } catch {
      requests.push(text);
    }
    const isSse = typeof reply.body === "string";
    const payload = isSse ? (reply.body as string) : JSON.stringify(reply.body);
    res.writeHead(reply.status ?? 200, {
      "content-type": isSse ? "text/event-stream" : "application/json",
      ...reply.headers,
    });
    const bytes = Buffer.from(payload, "utf8");
    const step = reply.chunkBytes ?? bytes.length;
    for (let i = 0; i < bytes.length; i += Math.max(1, step)) res.write(bytes.subarray(i, i + step));
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    setReply(r) {
      reply = r;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
