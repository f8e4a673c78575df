import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** A request a fake search provider saw. */
export interface Seen {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage["headers"];
  body: unknown;
}

/** How the fake answers the next request: a status and JSON (or raw) body, or nothing at all (it hangs). */
export type Reply = { status?: number; json?: unknown; raw?: string | Buffer; type?: string } | "hang";

/**
 * A local HTTP server standing for a search provider (SearXNG, Brave, Tavily, Exa): it records what it was
 * asked and answers what the test scripted (by default, `reply`).
 */
export class FakeSearch {
  readonly seen: Seen[] = [];
  reply: Reply = { json: {} };
  private readonly server: Server;
  private readonly hung = new Set<ServerResponse>();

  private constructor() {
    this.server = createServer((req, res) => void this.handle(req, res));
  }

  static async start(): Promise<FakeSearch> {
    const f = new FakeSearch();
    await new Promise<void>((r) => f.server.listen(0, "127.0.0.1", r));
    return f;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString("utf8");
    const u = new URL(req.url ?? "/", "http://x");
    this.seen.push({
      method: req.method ?? "GET",
      path: u.pathname,
      query: u.searchParams,
      headers: req.headers,
      body: text ? JSON.parse(text) : undefined,
    });
    const r = this.reply;
    if (r === "hang") {
      this.hung.add(res);
      return;
    }
    res.writeHead(r.status ?? 200, { "content-type": r.type ?? "application/json" });
    res.end(r.raw ?? JSON.stringify(r.json ?? {}));
  }

  async close(): Promise<void> {
    for (const res of this.hung) res.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}
