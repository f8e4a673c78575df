/**
 * The writes a gateway makes to the sockets it accepts, counted on its side of each connection (writev and write
 * alike), and a request sent on a connection of its own so that its writes can be told apart.
 */
import { Agent, request } from "node:http";
import type { Socket } from "node:net";
import type { Harness } from "./gateway.js";

export interface Counted {
  writes: number;
  bytes: string;
  /** The bytes of the latest write. */
  last: string;
}

/** Counts every write the gateway makes to each socket it accepts (writev and write alike). */
export function countWrites(h: Harness): Map<number, Counted> {
  const byPort = new Map<number, Counted>();
  h.gateway.server.on("connection", (socket: Socket) => {
    const counted: Counted = { writes: 0, bytes: "", last: "" };
    byPort.set(socket.remotePort!, counted);
    const s = socket as Socket & {
      _write(chunk: Buffer | string, enc: BufferEncoding, cb: (err?: Error | null) => void): void;
      _writev(chunks: { chunk: Buffer | string; encoding: BufferEncoding }[], cb: (err?: Error | null) => void): void;
    };
    const write = s._write.bind(s);
    const writev = s._writev.bind(s);
    const text = (chunk: Buffer | string) => (typeof chunk === "string" ? chunk : chunk.toString("latin1"));
    s._write = (chunk, enc, cb) => {
      counted.writes++;
      counted.last = text(chunk);
      counted.bytes += counted.last;
      write(chunk, enc, cb);
    };
    s._writev = (chunks, cb) => {
      counted.writes++;
      counted.last = chunks.map((c) => text(c.chunk)).join("");
      counted.bytes += counted.last;
      writev(chunks, cb);
    };
  });
  return byPort;
}

/** One streamed request on a connection of its own: the answer's text and the port it came from. */
export function askAlone(
  url: string,
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; text: string; port: number }> {
  const agent = new Agent({ keepAlive: false });
  const u = new URL(path, url);
  const raw = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      u,
      {
        method: "POST",
        agent,
        headers: { ...headers, "content-type": "application/json", "content-length": Buffer.byteLength(raw) },
      },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (d: string) => {
          text += d;
        });
        res.on("end", () => resolve({ status: res.statusCode!, text, port: req.socket!.localPort! }));
      },
    );
    req.on("error", reject);
    req.end(raw);
  });
}
