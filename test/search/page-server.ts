import { createServer, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { gzipSync } from "node:zlib";

export const PAGE_HTML = `<!doctype html><html><head><title>The Fake &amp; Page</title>
<style>body { color: red }</style><script>var secret = "not text";</script></head>
<body><h1>Heading</h1><p>First paragraph with <a href="/x">a link</a>.</p><ul><li>one</li><li>two</li></ul>
<noscript>enable scripts</noscript><p>Last paragraph</p></body></html>`;

/**
 * A local page server for the fetcher's tests: a page, JSON, an image, a large text, a gzip page, a Latin-1
 * page, redirects (`/redirect?to=`), a redirect loop, a page that never answers and one whose body stalls.
 */
export class PageServer {
  private readonly server: Server;
  private readonly hung = new Set<ServerResponse>();
  hits = 0;

  private constructor(private readonly host: string) {
    this.server = createServer((req, res) => {
      this.hits++;
      const u = new URL(req.url ?? "/", "http://x");
      const send = (type: string, body: string | Buffer, headers: Record<string, string> = {}) => {
        res.writeHead(200, { "content-type": type, ...headers });
        res.end(body);
      };
      switch (u.pathname) {
        case "/page.html":
          return send("text/html; charset=utf-8", PAGE_HTML);
        case "/data.json":
          return send("application/json", JSON.stringify({ hello: "world" }));
        case "/image.png":
          return send("image/png", Buffer.from([0x89, 0x50, 0x4e, 0x47]));
        case "/untyped":
          res.writeHead(200);
          return res.end("what am I");
        case "/big.txt":
          return send("text/plain", "a".repeat(3 * 1024 * 1024));
        case "/gzip.html":
          return send("text/html", gzipSync(PAGE_HTML), { "content-encoding": "gzip" });
        case "/bomb.txt":
          return send("text/plain", gzipSync(Buffer.alloc(50 * 1024 * 1024, 97)), { "content-encoding": "gzip" });
        case "/latin1.txt":
          return send("text/plain; charset=iso-8859-1", Buffer.from([0x63, 0x61, 0x66, 0xe9]));
        case "/meta-latin1.html":
          return send("text/html", Buffer.from('<meta charset="windows-1252"><title>caf\xe9</title>', "latin1"));
        case "/redirect":
          res.writeHead(302, { location: u.searchParams.get("to") ?? "/" });
          return res.end();
        case "/loop":
          res.writeHead(301, { location: "/loop" });
          return res.end();
        case "/hang":
          this.hung.add(res);
          return;
        case "/stall":
          res.writeHead(200, { "content-type": "text/plain" });
          res.write("a beginning");
          this.hung.add(res);
          return;
        default:
          res.writeHead(404, { "content-type": "text/plain" });
          return res.end("not here");
      }
    });
  }

  static async start(host = "127.0.0.1"): Promise<PageServer> {
    const s = new PageServer(host);
    await new Promise<void>((r) => s.server.listen(0, host, r));
    return s;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  url(path: string): string {
    return `http://${this.host}:${this.port}${path}`;
  }

  async close(): Promise<void> {
    for (const res of this.hung) res.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}
