import { createServer, request, type Server } from "node:http";
import type { Socket } from "node:net";

/** What a switchable upstream does with the next request. */
export type Mode =
  | { kind: "pass" }
  | { kind: "status"; status: number; headers?: Record<string, string>; body: unknown }
  /** HTTP 200 and this event stream as the whole answer (a failure inside the stream). */
  | { kind: "sse"; text: string }
  /** Takes the request and never answers (until the connection is closed). */
  | { kind: "hang" };

/**
 * One "deployment" for routing tests: an HTTP front on its own port that forwards to a real upstream (the
 * scripted mock), or answers a chosen error, or is killed (connections dropped, port closed) and revived
 * on the same port. It records when each request arrived.
 */
export interface SwitchUpstream {
  readonly url: string;
  readonly port: number;
  /** Arrival times (ms since epoch) of every request, and the status it got. */
  readonly hits: { at: number; status: number }[];
  mode: Mode;
  kill(): Promise<void>;
  revive(): Promise<void>;
  close(): Promise<void>;
}

export async function switchUpstream(target: string): Promise<SwitchUpstream> {
  const to = new URL(target);
  const sockets = new Set<Socket>();
  const hits: { at: number; status: number }[] = [];
  const self = { mode: { kind: "pass" } as Mode };
  const make = (): Server => {
    const server = createServer((req, res) => {
      const at = Date.now();
      const mode = self.mode;
      if (mode.kind === "status") {
        req.resume();
        hits.push({ at, status: mode.status });
        res.writeHead(mode.status, { "content-type": "application/json", ...mode.headers });
        res.end(JSON.stringify(mode.body));
        return;
      }
      if (mode.kind === "sse") {
        req.resume();
        hits.push({ at, status: 200 });
        res.writeHead(200, { "content-type": "text/event-stream" });
        res.end(mode.text);
        return;
      }
      if (mode.kind === "hang") {
        req.resume();
        hits.push({ at, status: 0 });
        return;
      }
      const up = request(
        { host: to.hostname, port: to.port, path: req.url, method: req.method, headers: req.headers },
        (upRes) => {
          hits.push({ at, status: upRes.statusCode ?? 0 });
          res.writeHead(upRes.statusCode ?? 502, upRes.headers);
          upRes.pipe(res);
        },
      );
      up.on("error", () => res.destroy());
      res.on("close", () => up.destroy());
      req.pipe(up);
    });
    server.on("connection", (s) => {
      sockets.add(s);
      s.on("close", () => sockets.delete(s));
    });
    return server;
  };
  let server = make();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as { port: number }).port;
  const stop = () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    });
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    hits,
    get mode() {
      return self.mode;
    },
    set mode(m: Mode) {
      self.mode = m;
    },
    kill: stop,
    async revive() {
      server = make();
      await new Promise<void>((r) => server.listen(port, "127.0.0.1", r));
    },
    close: stop,
  };
}
