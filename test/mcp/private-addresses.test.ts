/**
 * MCP servers added through the admin API may not reach llmux's host or private networks (issue 48, item 14),
 * on SQLite and PostgreSQL: a URL naming a loopback, private, link-local or metadata address (or `localhost`,
 * `*.internal`) is refused at once (400 naming `url` and `mcp.allow_private_addresses`); a name that resolves
 * to such an address (this machine's own host name) is refused when connecting, so the server stays down with
 * that reason; `mcp.allow_private_addresses: true` lets them in. A status page never shows what a server said
 * in an error answer, only its status.
 */
import { lookup } from "node:dns/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { hostname } from "node:os";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ENGINES, type TestLocation } from "../support/engines.js";
import type { Body, Harness } from "../support/gateway.js";
import { type RemoteServer, startEverythingHttp } from "../support/mcp-servers.js";
import { admin, teamHarness } from "../support/team.js";

const BODY_SECRET = "internal-answer-body-7c7c7c7c";

/** A loopback or RFC 1918 address (the test's own premise, written apart from llmux's classifier). */
const isPrivateAddress = (a: string) =>
  /^(127\.|10\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.)/.test(a) || a === "::1" || /^f[cd]/i.test(a);

/** The server's row in the admin API once it is no longer connecting. */
async function settledRow(h: Harness, name: string): Promise<Body> {
  for (;;) {
    const rows = (await admin(h, "GET", "/mcp/servers")).body.data as Body[];
    const row = rows.find((r) => r.name === name);
    if (row && row.status !== "connecting" && row.status !== "unknown") return row;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * The server's row once it is ready. A connection refused for its address fails at once; any other failure
 * (a server slow to answer on a loaded machine) is retried by llmux after its backoff, and waited for.
 */
async function readyRow(h: Harness, name: string): Promise<Body> {
  for (;;) {
    const row = await settledRow(h, name);
    if (row.status === "ready") return row;
    expect(String(row.last_error ?? ""), `${name} refused for its address`).not.toContain("private, loopback");
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe.each(ENGINES)(
  "MCP servers added through the API and private addresses ($engine)",
  { timeout: 60_000 },
  ({ fresh }) => {
    let where: TestLocation;
    let strict: Harness;
    let everything: RemoteServer;
    let failing: Server;
    let failingUrl: string;

    beforeAll(async () => {
      where = await fresh();
      everything = await startEverythingHttp("streamableHttp");
      failing = createServer((req, res) => {
        req.resume();
        res.writeHead(500, { "content-type": "text/plain" }).end(`database at 10.0.0.5 said ${BODY_SECRET}`);
      });
      await new Promise<void>((r) => failing.listen(0, "127.0.0.1", r));
      failingUrl = `http://127.0.0.1:${(failing.address() as AddressInfo).port}/mcp`;
      strict = await teamHarness(where, {
        // The file's servers are the operator's: a loopback one is served.
        mcp: { servers: { fromfile: { transport: "http", url: everything.url } } },
      });
    });
    afterAll(async () => {
      await strict?.close();
      await everything?.close();
      await new Promise<void>((r) => failing.close(() => r()));
      await where?.drop();
    });

    it("refuses a URL naming a private, loopback, link-local or metadata address as written", async () => {
      for (const url of [
        everything.url,
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]:8080/mcp",
        "http://[::ffff:127.0.0.1]/mcp",
        "http://10.1.2.3/mcp",
        "http://localhost:4000/mcp",
        "http://metadata.google.internal/computeMetadata/v1/",
      ]) {
        const r = await admin(strict, "POST", "/mcp/servers", { name: "inner", transport: "http", url });
        expect(r.status, url).toBe(400);
        expect(r.body.error.field).toBe("url");
        expect(r.body.error.message).toContain("mcp.allow_private_addresses");
      }
      // Changing a stored server's URL to one is refused the same way.
      const ok = await admin(strict, "POST", "/mcp/servers", {
        name: "outer",
        transport: "http",
        url: "https://mcp.example.com/mcp",
      });
      expect(ok.status).toBe(201);
      const patched = await admin(strict, "PATCH", "/mcp/servers/outer", { url: "http://127.0.0.1:1/mcp" });
      expect(patched.status).toBe(400);
      // The file's loopback server is served.
      expect((await readyRow(strict, "fromfile")).status).toBe("ready");
    });

    it("refuses, when connecting, a name that resolves to a private address", async () => {
      const name = hostname();
      const resolved = await lookup(name, { all: true });
      // The premise: this machine's own name resolves to its own (private) addresses.
      expect(resolved.length).toBeGreaterThan(0);
      expect(resolved.every((a) => isPrivateAddress(a.address))).toBe(true);
      const url = everything.url.replace("127.0.0.1", name);
      const r = await admin(strict, "POST", "/mcp/servers", { name: "rebound", transport: "http", url });
      expect(r.status).toBe(201);
      const row = await settledRow(strict, "rebound");
      expect(row.status).toBe("down");
      expect(row.last_error).toContain("private, loopback or link-local");
    });

    it("with mcp.allow_private_addresses, serves them; an error answer's body is never shown", async () => {
      const open = await teamHarness(
        { ...where, path: `${where.path}-open` },
        { mcp: { allow_private_addresses: true } },
      );
      try {
        const inner = await admin(open, "POST", "/mcp/servers", {
          name: "inner",
          transport: "http",
          url: everything.url,
        });
        expect(inner.status).toBe(201);
        expect((await readyRow(open, "inner")).status).toBe("ready");
        const bad = await admin(open, "POST", "/mcp/servers", { name: "failing", transport: "http", url: failingUrl });
        expect(bad.status).toBe(201);
        const row = await settledRow(open, "failing");
        expect(row.status).toBe("down");
        expect(row.last_error).toContain("500");
        expect(JSON.stringify(row)).not.toContain(BODY_SECRET);
        expect(JSON.stringify(open.logs)).not.toContain(BODY_SECRET);
      } finally {
        await open.close();
      }
    });
  },
);
