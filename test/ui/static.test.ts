import { readFileSync } from "node:fs";
import { request } from "node:http";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { builtUiDir } from "../../src/admin/ui-static.js";
import { e2e } from "../support/e2e.js";
import type { Harness } from "../support/gateway.js";
import { startUiServer } from "./support/server.js";

interface Raw {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** A request with its path sent exactly as written (fetch would resolve `..` before sending). */
function raw(base: string, method: string, path: string, headers: Record<string, string> = {}): Promise<Raw> {
  const u = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, method, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on("error", reject);
    req.end();
  });
}

e2e("the built web UI (dist/ui)");
const DIST = builtUiDir();
const INDEX = readFileSync(join(DIST, "index.html"));

describe("web UI: served by llmux at /ui", () => {
  let h: Harness;
  let script: string;
  let style: string;

  beforeAll(async () => {
    h = await startUiServer(() => ({ logging: { level: "info" } }));
    script = /src="(\/ui\/assets\/[^"]+\.js)"/.exec(INDEX.toString())![1]!;
    style = /href="(\/ui\/assets\/[^"]+\.css)"/.exec(INDEX.toString())![1]!;
  });
  afterAll(() => h?.close());

  it("answers the page at /ui and /ui/, revalidated, with a strict content security policy", async () => {
    for (const path of ["/ui", "/ui/"]) {
      const r = await raw(h.url, "GET", path);
      expect(r.status, path).toBe(200);
      expect(r.headers["content-type"]).toBe("text/html; charset=utf-8");
      expect(r.headers["cache-control"]).toBe("no-cache");
      expect(r.body.equals(INDEX)).toBe(true);
      expect(r.headers["content-security-policy"]).toMatch(/default-src 'self'/);
      expect(r.headers["content-security-policy"]).toMatch(/script-src 'self'(;|$)/);
      expect(r.headers["x-content-type-options"]).toBe("nosniff");
      expect(r.headers["x-frame-options"]).toBe("DENY");
    }
    const first = await raw(h.url, "GET", "/ui/");
    const again = await raw(h.url, "GET", "/ui/", { "if-none-match": String(first.headers.etag) });
    expect(again.status).toBe(304);
    expect(again.body.length).toBe(0);
  });

  it("serves hashed assets with their content type, cached for a year, gzipped when asked", async () => {
    const js = await raw(h.url, "GET", script, { "accept-encoding": "gzip, br" });
    expect(js.status).toBe(200);
    expect(js.headers["content-type"]).toBe("text/javascript; charset=utf-8");
    expect(js.headers["cache-control"]).toBe("public, max-age=31536000, immutable");
    expect(js.headers["content-encoding"]).toBe("gzip");
    const onDisk = readFileSync(join(DIST, script.slice("/ui/".length)));
    expect(gunzipSync(js.body).equals(onDisk)).toBe(true);
    const plain = await raw(h.url, "GET", script);
    expect(plain.headers["content-encoding"]).toBeUndefined();
    expect(plain.body.equals(onDisk)).toBe(true);
    const css = await raw(h.url, "GET", style);
    expect(css.headers["content-type"]).toBe("text/css; charset=utf-8");
    const head = await raw(h.url, "HEAD", script);
    expect(head.status).toBe(200);
    expect(head.body.length).toBe(0);
    expect(Number(head.headers["content-length"])).toBe(onDisk.length);
  });

  it("answers the page for the UI's own routes (the page's router shows them), 404 for missing files", async () => {
    for (const path of ["/ui/requests", "/ui/requests/req_abc123", "/ui/keys?x=1", "/ui/spend"]) {
      const r = await raw(h.url, "GET", path);
      expect(r.status, path).toBe(200);
      expect(r.body.equals(INDEX), path).toBe(true);
    }
    for (const path of ["/ui/assets/missing-0000.js", "/ui/missing.png", "/ui/assets/"]) {
      const r = await raw(h.url, "GET", path);
      expect(r.status, path).toBe(404);
      expect(r.body.toString()).not.toContain("<!doctype html>");
    }
  });

  it("never answers a file outside the UI's folder, however the path is written", async () => {
    const secrets = [readFileSync(join(DIST, "..", "index.js")), readFileSync(join(DIST, "..", "..", "package.json"))];
    for (const path of [
      "/ui/../index.js",
      "/ui/../../package.json",
      "/ui/..%2findex.js",
      "/ui/..%2F..%2Fpackage.json",
      "/ui/%2e%2e/%2e%2e/package.json",
      "/ui/assets/..%2f..%2f..%2fpackage.json",
      "/ui/assets/../../index.js",
      "/ui/..%5c..%5cpackage.json",
      "/ui/%2e%2e%5cindex.js",
      "/ui/index.html%00.js",
      "/ui/%E0%A4%A",
      "/ui//etc/passwd",
      "/ui/%2fetc%2fpasswd",
    ]) {
      const r = await raw(h.url, "GET", path);
      expect([200, 404], path).toContain(r.status);
      for (const s of secrets) expect(r.body.equals(s), path).toBe(false);
      expect(r.body.toString(), path).not.toMatch(/"name": "llmux"|root:x:0:0/);
      if (r.status === 200) expect(r.body.equals(INDEX), path).toBe(true);
    }
  });

  it("takes only GET and HEAD", async () => {
    const r = await raw(h.url, "POST", "/ui/");
    expect(r.status).toBe(405);
    expect(r.headers.allow).toBe("GET, HEAD");
  });

  it("keeps the page's files and its session checks out of the request log lines (sign-ins stay in)", async () => {
    const before = h.logs.length;
    await raw(h.url, "GET", script);
    await raw(h.url, "GET", "/ui/keys");
    await raw(h.url, "GET", "/ui/auth/session");
    await raw(h.url, "POST", "/ui/auth/key");
    await new Promise((r) => setTimeout(r, 100));
    const paths = h.logs.slice(before).map((l) => String(l.path ?? ""));
    expect(paths).toEqual(["/ui/auth/key"]);
  });
});

describe("web UI: when it is off", () => {
  it("without the admin API (no admin.keys, no admin.oidc) /ui says what to set", async () => {
    const { startHarness } = await import("../support/gateway.js");
    const h = await startHarness();
    try {
      const r = await raw(h.url, "GET", "/ui/");
      expect(r.status).toBe(404);
      expect(r.body.toString()).toMatch(/set admin\.keys/);
    } finally {
      await h.close();
    }
  });

  it("with admin.ui.enabled false /ui is not served", async () => {
    const h = await startUiServer(() => ({ admin: { ui: { enabled: false } } }));
    try {
      const r = await raw(h.url, "GET", "/ui/");
      expect(r.status).toBe(404);
      expect(r.body.includes(Buffer.from("<!doctype html>"))).toBe(false);
      const s = await raw(h.url, "GET", "/ui/auth/session");
      expect(s.status).toBe(404);
    } finally {
      await h.close();
    }
  });
});
