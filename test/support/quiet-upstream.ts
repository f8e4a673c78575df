import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";

/** A piece of an answer: bytes to send, or a silence of that many milliseconds. */
export type Piece = string | { silenceMs: number };

export interface QuietAnswer {
  status?: number;
  headers?: Record<string, string>;
  pieces: Piece[];
}

export interface QuietUpstream {
  url: string;
  /** The paths of the requests received. */
  paths: string[];
  answer: QuietAnswer;
  close(): Promise<void>;
}

/**
 * An upstream that answers every POST with prepared bytes and goes quiet where told (a model thinking for
 * a long time without a keep-alive of its own), with the headers a provider sends (request ids, limits).
 */
export async function startQuietUpstream(answer: QuietAnswer): Promise<QuietUpstream> {
  const self = { answer, paths: [] as string[] };
  const server: Server = createServer(async (req, res) => {
    req.resume();
    self.paths.push(req.url ?? "");
    const a = self.answer;
    res.writeHead(a.status ?? 200, { "content-type": "text/event-stream", ...a.headers });
    for (const p of a.pieces) {
      if (res.destroyed) return;
      if (typeof p === "string") res.write(p);
      else await sleep(p.silenceMs);
    }
    res.end();
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    paths: self.paths,
    get answer() {
      return self.answer;
    },
    set answer(a: QuietAnswer) {
      self.answer = a;
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
