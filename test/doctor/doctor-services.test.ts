/**
 * `llmux doctor`'s checks of the gateway's own services, each failing as it fails for a user, with its fix:
 * the store (PostgreSQL not answering; migrations not applied yet; a database a newer llmux migrated), Redis
 * (not answering; a Sentinel given as redis://), an MCP server that does not start (its own stderr shown),
 * sign-in (an identity provider not answering, one naming another issuer, one without signing keys). Each
 * against something real: a closed port, a redis-server, a process, a small HTTP server.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { doctor } from "../../src/cli/doctor.js";
import {
  checkIssuer,
  checkMcpServer,
  checkRedis,
  checkStore,
  SHOWN_MAX,
  serviceChecks,
} from "../../src/cli/doctor-services.js";
import { parseConfig } from "../../src/config/load.js";
import { Data } from "../../src/data/data.js";
import { freePort } from "../support/free-port.js";
import { everythingStdio } from "../support/mcp-servers.js";

const dir = mkdtempSync(join(tmpdir(), "llmux-doctor-services-"));
const config = (raw: object) => parseConfig({ providers: {}, models: {}, ...raw }, {});
let closed: number;
let idp: Server;
let idpUrl: string;
/** What the fake identity provider publishes. */
let published: { issuer?: string; keys: object[] } = { keys: [] };

beforeAll(async () => {
  closed = await freePort();
  idp = createServer((req, res) => {
    res.setHeader("content-type", "application/json");
    if (req.url === "/.well-known/openid-configuration")
      return res.end(
        JSON.stringify({
          issuer: published.issuer ?? idpUrl,
          authorization_endpoint: `${idpUrl}/auth`,
          token_endpoint: `${idpUrl}/token`,
          jwks_uri: `${idpUrl}/jwks`,
        }),
      );
    if (req.url === "/jwks") return res.end(JSON.stringify({ keys: published.keys }));
    res.statusCode = 404;
    res.end("{}");
  });
  await new Promise<void>((r) => idp.listen(0, "127.0.0.1", r));
  idpUrl = `http://127.0.0.1:${(idp.address() as { port: number }).port}`;
});
afterAll(async () => {
  await new Promise((r) => idp.close(r));
  rmSync(dir, { recursive: true, force: true });
});

describe("the store", () => {
  it("PostgreSQL that does not answer: ✗, naming store.url and how to check it", async () => {
    const c = await checkStore(config({ store: { url: `postgres://u:secret-pw@127.0.0.1:${closed}/db` } }), 3000);
    expect(c.mark).toBe("✗");
    expect(c.detail).not.toContain("secret-pw");
    expect(c.fix).toMatch(/check store\.url/);
  });

  it("a file not created yet is –; one not migrated is !; a migrated one ✓; one a newer llmux migrated is !", async () => {
    const path = join(dir, "fresh.db");
    expect((await checkStore(config({ store: { path } }), 3000)).mark).toBe("–");
    const data = new Data({ path });
    const db = await data.db();
    expect(await checkStore(config({ store: { path } }), 3000)).toMatchObject({ mark: "✓" });
    await db
      .deleteFrom("llmux_migrations")
      .where(
        "id",
        "=",
        (await db.selectFrom("llmux_migrations").select("id").orderBy("id", "desc").executeTakeFirstOrThrow()).id,
      )
      .execute();
    const pending = await checkStore(config({ store: { path } }), 3000);
    expect(pending).toMatchObject({ mark: "!", fix: expect.stringMatching(/llmux start applies them/) });
    await db.insertInto("llmux_migrations").values({ id: "999-from-the-future", applied_at: 1 }).execute();
    const newer = await checkStore(config({ store: { path } }), 3000);
    expect(newer.detail).toMatch(/999-from-the-future.*a newer llmux/);
    await data.close();
  });
});

describe("Redis", () => {
  it("not answering: ✗, naming the cause and what on_failure does meanwhile", async () => {
    const c = await checkRedis(config({ state: { url: `redis://127.0.0.1:${closed}` } }), 2000);
    expect(c).toMatchObject({ mark: "✗", detail: expect.stringMatching(/cannot be reached \(ECONNREFUSED\)/) });
    expect(c.fix).toMatch(/start Redis.*state\.on_failure \(degrade\)/);
  });

  it("a URL it cannot read: ✗, naming state.url", async () => {
    const c = await checkRedis(config({ state: { url: "redis+sentinel://127.0.0.1:26379" } }), 2000);
    expect(c).toMatchObject({ mark: "✗", detail: expect.stringMatching(/^state\.url .*name the primary/) });
  });

  it("a server that answers: ✓ with its version and topology; unset: –", async () => {
    const c = await checkRedis(config({ state: { url: "redis://127.0.0.1:6379" } }), 2000);
    expect(c).toMatchObject({ mark: "✓", detail: expect.stringMatching(/Redis \d+\.\d+\.\d+, one server/) });
    expect((await checkRedis(config({}), 2000)).mark).toBe("–");
  });
});

describe("MCP servers", () => {
  it("a stdio server that exits at start: ✗ with its own stderr and the command to run by hand", async () => {
    const cfg = config({
      mcp: {
        servers: {
          tickets: {
            command: process.execPath,
            args: ["-e", "console.error('TICKETS_TOKEN is not set'); process.exit(3)"],
          },
        },
      },
    }).mcp.servers.tickets!;
    const c = await checkMcpServer("tickets", cfg, 5000);
    expect(c.mark).toBe("✗");
    expect(c.detail).toContain("TICKETS_TOKEN is not set");
    expect(c.fix).toMatch(/run its command by hand/);
  });

  it("a stdio server that prints secrets llmux holds as it fails: each redacted, its words cut to a bound", async () => {
    // Planted: the server's own token (its env), a provider's key and an admin key from the configuration (a
    // server may have read them from a shared file, or been given one on its command line), and 100 KB of noise.
    const PLANTED = {
      own: "tickets-own-token-0123456789abcdef",
      provider: "sk-planted-provider-key-0123456789abcdef",
      admin: "admin-planted-key-0123456789abcdef",
    };
    const script = [
      `console.error('env: TICKETS_TOKEN=' + process.env.TICKETS_TOKEN)`,
      `console.error('upstream key ${PLANTED.provider} and admin ${PLANTED.admin} refused')`,
      `console.error('x'.repeat(100000))`,
      `console.error('last words: ${PLANTED.provider}')`,
      "process.exit(3)",
    ].join(";");
    const whole = config({
      admin: { keys: [PLANTED.admin] },
      providers: { o: { type: "openai", api_key: PLANTED.provider } },
      mcp: {
        servers: { tickets: { command: process.execPath, args: ["-e", script], env: { TICKETS_TOKEN: PLANTED.own } } },
      },
    });
    const [c] = (await serviceChecks(whole, 5000)).filter((x) => x.check === "mcp tickets");
    expect(c?.mark).toBe("✗");
    const printed = `${c?.detail}\n${c?.fix}`;
    expect(printed).toContain("last words: [REDACTED]");
    expect(printed).toContain("[REDACTED]");
    for (const secret of Object.values(PLANTED)) expect(printed).not.toContain(secret);
    expect(c!.detail.length).toBeLessThanOrEqual(SHOWN_MAX);
    expect(c!.fix!.length).toBeLessThanOrEqual(SHOWN_MAX);
    // Called alone, the check still redacts the server's own credentials and its command line's keys.
    const alone = await checkMcpServer("tickets", whole.mcp.servers.tickets!, 5000);
    expect(`${alone.detail}\n${alone.fix}`).not.toContain(PLANTED.own);
  });

  it("a server that never answers initialize: ✗ within the bound", async () => {
    const cfg = config({
      mcp: { servers: { mute: { command: process.execPath, args: ["-e", "setInterval(() => {}, 1000)"] } } },
    }).mcp.servers.mute!;
    const c = await checkMcpServer("mute", cfg, 1500);
    expect(c.mark).toBe("✗");
  });

  it("a real server (server-everything over stdio): ✓ with its tools", async () => {
    const cfg = config({ mcp: { servers: { everything: everythingStdio() } } }).mcp.servers.everything!;
    const c = await checkMcpServer("everything", cfg, 15_000);
    expect(c).toMatchObject({ mark: "✓", detail: expect.stringMatching(/answers initialize: \d+ tools/) });
  });
});

describe("sign-in", () => {
  it("an identity provider that does not answer: ✗, naming the field", async () => {
    const c = await checkIssuer("sign-in", "signin.oidc.issuer", `http://127.0.0.1:${closed}`, 2000);
    expect(c).toMatchObject({ mark: "✗", detail: expect.stringMatching(/ECONNREFUSED/) });
    expect(c.fix).toMatch(/check signin\.oidc\.issuer/);
  });

  it("a provider without signing keys, or naming another issuer: ✗; with keys: ✓", async () => {
    published = { keys: [] };
    expect((await checkIssuer("sign-in", "signin.oidc.issuer", idpUrl, 2000)).detail).toMatch(/lists no signing keys/);
    published = { issuer: "https://elsewhere.example", keys: [{ kty: "RSA", kid: "a" }] };
    const other = await checkIssuer("sign-in", "signin.oidc.issuer", idpUrl, 2000);
    expect(other).toMatchObject({
      mark: "✗",
      fix: "set signin.oidc.issuer to https://elsewhere.example (ID tokens carry that issuer)",
    });
    published = { keys: [{ kty: "RSA", kid: "a" }] };
    expect(await checkIssuer("sign-in", "signin.oidc.issuer", idpUrl, 2000)).toMatchObject({ mark: "✓" });
  });
});

it("llmux doctor prints each check with its fix and exits 1 when one fails", async () => {
  const file = join(dir, "llmux.json");
  writeFileSync(
    file,
    JSON.stringify({
      store: { path: join(dir, "cmd.db") },
      state: { url: `redis://127.0.0.1:${closed}` },
      providers: {},
      models: {},
    }),
  );
  let out = "";
  const code = await doctor(
    { config: file, quick: true, json: false, timeoutMs: 3000 },
    {},
    { out: (t) => (out += `${t}\n`), err: () => undefined, colour: false },
  );
  expect(code).toBe(1);
  expect(out).toMatch(/^– store +sqlite .*does not exist yet/m);
  expect(out).toMatch(/^✗ redis +redis 127\.0\.0\.1:\d+ cannot be reached/m);
  expect(out).toMatch(/^ +fix: start Redis/m);
});
