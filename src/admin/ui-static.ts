import { createHash } from "node:crypto";
import { existsSync, readFileSync, statSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { dirname, extname, join, normalize, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import type { HttpNote } from "../http/note.js";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".webp": "image/webp",
  ".woff2": "font/woff2",
  ".txt": "text/plain; charset=utf-8",
};
const COMPRESSIBLE = new Set([".html", ".js", ".mjs", ".css", ".json", ".map", ".svg", ".txt"]);

/**
 * The page's own scripts and styles only; images may be data: URLs (pictures inside logged conversations),
 * never fetched from elsewhere; no framing.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

interface File {
  body: Buffer;
  gzip: Buffer | undefined;
  type: string;
  etag: string;
  immutable: boolean;
  mtime: number;
}

/** Where the built UI is: dist/ui beside the compiled server (dist/admin/…), or dist/ui from the sources. */
export function builtUiDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [join(here, "..", "ui"), join(here, "..", "..", "dist", "ui")];
  return candidates.find((d) => existsSync(join(d, "index.html"))) ?? candidates[0]!;
}

/**
 * Serves the built web UI under `/ui/`: hashed assets (`/ui/assets/…`) cached for a year, everything else
 * revalidated (ETag); gzip when the browser takes it; any other path without a file extension answers
 * index.html (the page's own router shows it). Nothing outside the UI's folder can be named.
 */
export class UiStatic {
  /** Files read so far (only files that exist: a miss is never remembered). */
  private readonly files = new Map<string, File>();

  constructor(
    readonly root = builtUiDir(),
    private readonly prefix = "/ui",
  ) {}

  get built(): boolean {
    return existsSync(join(this.root, "index.html"));
  }

  serve(req: IncomingMessage, res: ServerResponse, path: string, note: HttpNote = {}): void {
    note.quiet = true;
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { allow: "GET, HEAD", "content-type": "text/plain; charset=utf-8" }).end("GET or HEAD\n");
      return;
    }
    if (!this.built) {
      res
        .writeHead(503, { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" })
        .end("The web UI is not built in this installation: run `npm run build` (it builds the UI into dist/ui).\n");
      return;
    }
    const rel = this.relative(path);
    let file = rel === undefined ? undefined : this.load(rel);
    if (!file && rel !== undefined && extname(rel) === "" && !rel.startsWith("assets/")) file = this.load("index.html");
    if (!file) {
      res
        .writeHead(404, { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" })
        .end("Not found\n");
      return;
    }
    const headers: Record<string, string> = {
      "content-type": file.type,
      etag: file.etag,
      "cache-control": file.immutable ? "public, max-age=31536000, immutable" : "no-cache",
      "x-content-type-options": "nosniff",
      "referrer-policy": "no-referrer",
      vary: "accept-encoding",
    };
    if (file.type.startsWith("text/html")) {
      headers["content-security-policy"] = CONTENT_SECURITY_POLICY;
      headers["x-frame-options"] = "DENY";
    }
    if (req.headers["if-none-match"] === file.etag) {
      res.writeHead(304, headers).end();
      return;
    }
    const gz = file.gzip && /\bgzip\b/.test(String(req.headers["accept-encoding"] ?? ""));
    const body = gz ? file.gzip! : file.body;
    if (gz) headers["content-encoding"] = "gzip";
    headers["content-length"] = String(body.length);
    res.writeHead(200, headers);
    res.end(req.method === "HEAD" ? undefined : body);
  }

  /** The file a URL path names, relative to the UI's folder; undefined when it would leave it. */
  private relative(path: string): string | undefined {
    let rest = path === this.prefix ? "" : path.slice(this.prefix.length + 1);
    try {
      rest = decodeURIComponent(rest);
    } catch {
      return undefined;
    }
    if (rest.includes("\0") || rest.includes("\\")) return undefined;
    if (rest === "" || rest.endsWith("/")) rest += "index.html";
    const clean = normalize(rest);
    if (clean.startsWith("..") || clean.startsWith(sep) || clean.split(sep).includes("..")) return undefined;
    return clean.split(sep).join("/");
  }

  private load(rel: string): File | undefined {
    const full = join(this.root, rel);
    if (!full.startsWith(this.root + sep)) return undefined;
    const cached = this.files.get(rel);
    if (cached?.immutable) return cached;
    let mtime: number;
    try {
      const st = statSync(full);
      if (!st.isFile()) return undefined;
      mtime = st.mtimeMs;
    } catch {
      return undefined;
    }
    // Hashed assets never change; other files (index.html) are read again after a new build.
    if (cached && cached.mtime === mtime) return cached;
    const ext = extname(rel);
    const body = readFileSync(full);
    const file: File = {
      body,
      gzip: COMPRESSIBLE.has(ext) && body.length > 1024 ? gzipSync(body) : undefined,
      type: TYPES[ext] ?? "application/octet-stream",
      etag: `"${createHash("sha256").update(body).digest("base64url").slice(0, 22)}"`,
      immutable: rel.startsWith("assets/"),
      mtime,
    };
    this.files.set(rel, file);
    return file;
  }
}
