import { existsSync } from "node:fs";
import { pino } from "pino";
import type { Config } from "../config/schema.js";
import { mcpCredentialValues } from "../config/schema-mcp.js";
import { openEngine } from "../data/engine.js";
import { sql } from "../data/kysely.js";
import { MIGRATIONS } from "../data/migrations.js";
import { Redactor, redactorOf } from "../secrets/redact.js";
import { type RedisFacts, redisProblem } from "../state/redis-probe.js";
import { describeRedisTarget, safeRedisUrl } from "../state/redis-url.js";

/**
 * What `llmux doctor` checks besides the providers: the gateway's own store (it connects, its migrations are
 * current), Redis (it answers; its version and topology), each configured MCP server (it starts and answers
 * `initialize` within the bound) and sign-in (the identity provider's discovery document). Each result
 * says how to fix what fails.
 */
export interface ServiceCheck {
  /** `store`, `redis`, `mcp NAME`, `sign-in`, `web UI sign-in`. */
  readonly check: string;
  /** ✓ works, ✗ fails (the run exits 1), ! works with a caveat, – not configured. */
  readonly mark: "✓" | "✗" | "!" | "–";
  readonly detail: string;
  /** How to fix it (✗ and !). */
  readonly fix?: string | undefined;
}

function within<T>(ms: number, what: string, p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

/** The store: it opens, and its migrations are those this llmux knows, all applied. Nothing is written. */
export async function checkStore(config: Config, timeoutMs: number): Promise<ServiceCheck> {
  const url = config.store.url;
  const where = url
    ? safeRedisUrl(url).replace(/^postgres(ql)?:\/\/[^@]*@/, "postgres://")
    : `sqlite ${config.store.path}`;
  if (!url && !existsSync(config.store.path))
    return { check: "store", mark: "–", detail: `${where} does not exist yet: llmux start creates it` };
  let engine: ReturnType<typeof openEngine> | undefined;
  try {
    engine = openEngine({
      path: config.store.path,
      url,
      pool: {
        size: 1,
        connectTimeoutMs: Math.min(config.store.connect_timeout_ms, timeoutMs),
        statementTimeoutMs: timeoutMs,
      },
    });
    const db = engine.db;
    const applied = await within(
      timeoutMs,
      "the store",
      (async () => {
        // Reached at all (a connection refused fails here, not as "no migrations table").
        await sql`select 1`.execute(db);
        const table = await sql<{ n: number }>`select count(*) as n from ${sql.table("llmux_migrations")}`
          .execute(db)
          .then(() => true)
          .catch(() => false);
        if (!table) return new Set<string>();
        return new Set((await db.selectFrom("llmux_migrations").select("id").execute()).map((r) => r.id));
      })(),
    );
    const known = new Set(MIGRATIONS.map((m) => m.id));
    const pending = MIGRATIONS.filter((m) => !applied.has(m.id)).map((m) => m.id);
    const unknown = [...applied].filter((id) => !known.has(id));
    if (unknown.length > 0)
      return {
        check: "store",
        mark: "!",
        detail: `${where}: ${unknown.length} migration(s) this llmux does not know (${unknown.slice(0, 3).join(", ")}): a newer llmux migrated it`,
        fix: "run the same (newer) llmux version on every instance",
      };
    if (pending.length > 0)
      return {
        check: "store",
        mark: "!",
        detail: `${where}: ${pending.length} of ${MIGRATIONS.length} migrations not applied yet (first: ${pending[0]})`,
        fix: "llmux start applies them (under a lock: instances starting together wait for one another)",
      };
    return { check: "store", mark: "✓", detail: `${where}: ${MIGRATIONS.length} migrations, current` };
  } catch (err) {
    return {
      check: "store",
      mark: "✗",
      detail: `${where}: ${(err as Error).message}`,
      fix: url
        ? "check store.url (host, port, user, password, database) and that PostgreSQL runs: psql \"$URL\" -c 'select 1'"
        : "check store.path: its directory exists and llmux may write it, and the file is llmux's SQLite store",
    };
  } finally {
    await engine?.release().catch(() => undefined);
  }
}

/** Redis (`state.url`): it answers as the URL says; its version and topology. */
export async function checkRedis(config: Config, timeoutMs: number): Promise<ServiceCheck> {
  const url = config.state.url;
  if (!url) return { check: "redis", mark: "–", detail: "state.url unset: the hot state is this process's memory" };
  const where = describeRedisTarget(url);
  let down: string | undefined;
  let facts: RedisFacts | undefined;
  const problem = await redisProblem(
    url,
    timeoutMs,
    (why) => {
      down = why;
    },
    (f) => {
      facts = f;
    },
  );
  if (problem)
    return {
      check: "redis",
      mark: "✗",
      detail: problem,
      fix: "correct state.url as the message says (docs/deploy.md)",
    };
  if (down !== undefined)
    return {
      check: "redis",
      mark: "✗",
      detail: `${where} cannot be reached (${down})`,
      fix: `start Redis or correct state.url's hosts and ports; meanwhile state.on_failure (${config.state.on_failure}) decides: ${
        config.state.on_failure === "degrade" ? "limits per instance" : "requests that need shared state are refused"
      }`,
    };
  return {
    check: "redis",
    mark: "✓",
    detail: `${where}: Redis ${facts?.version ?? "?"}, ${facts?.topology ?? "answers"}`,
  };
}

const silent = pino({ level: "silent" });

/** The most characters of a check's detail or fix printed (a server's stderr is its own words, of any length). */
export const SHOWN_MAX = 2000;

/**
 * A check as it may be printed: every secret the redaction pass knows (the configuration's, by the schemas'
 * declared secrets, and the shapes of keys) replaced in its detail and fix, each cut to SHOWN_MAX characters.
 */
export function shown(c: ServiceCheck, redactor: Redactor): ServiceCheck {
  const cut = (t: string) => (t.length > SHOWN_MAX ? `${t.slice(0, SHOWN_MAX - 1)}…` : t);
  const clean = (t: string) => cut(redactor.redact(t));
  return { ...c, detail: clean(c.detail), ...(c.fix !== undefined ? { fix: clean(c.fix) } : {}) };
}

/**
 * One configured MCP server: it starts (stdio) or answers (http, sse) and lists its tools within the bound. What
 * it says (a stdio server's stderr, its command line in the fix) passes `redactor` (by default: the server's own
 * credentials and the shapes of keys; `serviceChecks` gives every secret of the configuration).
 */
export async function checkMcpServer(
  name: string,
  cfg: Config["mcp"]["servers"][string],
  timeoutMs: number,
  redactor: Redactor = new Redactor([]),
): Promise<ServiceCheck> {
  return shown(await mcpCheck(name, cfg, timeoutMs), redactor.with(mcpCredentialValues(cfg)));
}

async function mcpCheck(name: string, cfg: Config["mcp"]["servers"][string], timeoutMs: number): Promise<ServiceCheck> {
  const bound = Math.min(cfg.connect_timeout_ms, timeoutMs);
  // The MCP SDK is loaded by the doctor's check only (a gateway that serves models never loads it).
  const { Upstream } = await import("../mcp/upstream.js");
  const up = new Upstream(name, { ...cfg, connect_timeout_ms: bound }, silent);
  try {
    await within(bound + 2000, `mcp server ${name}`, up.start());
    if (up.status === "ready")
      return { check: `mcp ${name}`, mark: "✓", detail: `answers initialize: ${up.catalog.tools.length} tools` };
    const stdio = cfg.transport === "stdio";
    return {
      check: `mcp ${name}`,
      mark: "✗",
      detail: up.lastError ?? "did not start",
      fix: stdio
        ? `run its command by hand (${[cfg.command, ...cfg.args].join(" ")}): it must start and speak MCP on stdin/stdout; its own words above name what is missing`
        : "check its url and headers, and that the server answers MCP's initialize there",
    };
  } catch (err) {
    return {
      check: `mcp ${name}`,
      mark: "✗",
      detail: (err as Error).message,
      fix: "check the server's command or url",
    };
  } finally {
    await up.close();
  }
}

/**
 * An identity provider's discovery document: reachable, naming the issuer configured, and its signing keys
 * (`jwks_uri`) present — ID tokens are verified with them.
 */
export async function checkIssuer(
  check: string,
  field: string,
  issuer: string,
  timeoutMs: number,
  fetchImpl: typeof fetch = fetch,
): Promise<ServiceCheck> {
  const at = `${issuer.replace(/\/$/, "")}/.well-known/openid-configuration`;
  const fix = `check ${field}: it must be the provider's issuer URL, serving ${at} to llmux`;
  try {
    const r = await fetchImpl(at, { signal: AbortSignal.timeout(timeoutMs) });
    if (!r.ok) return { check, mark: "✗", detail: `${at} answered ${r.status}`, fix };
    const doc = (await r.json()) as {
      issuer?: unknown;
      authorization_endpoint?: unknown;
      token_endpoint?: unknown;
      jwks_uri?: unknown;
    };
    if (typeof doc.authorization_endpoint !== "string" || typeof doc.token_endpoint !== "string")
      return { check, mark: "✗", detail: `${at} names no authorization or token endpoint`, fix };
    if (doc.issuer !== issuer && doc.issuer !== issuer.replace(/\/$/, ""))
      return {
        check,
        mark: "✗",
        detail: `${at} names issuer ${String(doc.issuer)}, not ${issuer}`,
        fix: `set ${field} to ${String(doc.issuer)} (ID tokens carry that issuer)`,
      };
    if (typeof doc.jwks_uri !== "string") return { check, mark: "✗", detail: `${at} names no jwks_uri`, fix };
    const jwks = await fetchImpl(doc.jwks_uri, { signal: AbortSignal.timeout(timeoutMs) });
    const keys = jwks.ok ? ((await jwks.json()) as { keys?: unknown }).keys : undefined;
    if (!Array.isArray(keys) || keys.length === 0)
      return {
        check,
        mark: "✗",
        detail: `${doc.jwks_uri} ${jwks.ok ? "lists no signing keys" : `answered ${jwks.status}`}`,
        fix: "the provider must publish its signing keys there (ID tokens cannot be verified without them)",
      };
    return { check, mark: "✓", detail: `${issuer}: discovery answers, ${keys.length} signing key(s)` };
  } catch (err) {
    const e = err as Error & { cause?: { code?: string } };
    return { check, mark: "✗", detail: `${at}: ${e.cause?.code ?? e.message}`, fix };
  }
}

/** Every check that the configuration asks for, in order: store, Redis, MCP servers, sign-in. */
export async function serviceChecks(config: Config, timeoutMs: number): Promise<ServiceCheck[]> {
  const bound = Math.min(timeoutMs, 10_000);
  const redactor = redactorOf(config);
  const out = [await checkStore(config, bound), await checkRedis(config, bound)];
  out.push(
    ...(await Promise.all(Object.entries(config.mcp.servers).map(([n, s]) => checkMcpServer(n, s, bound, redactor)))),
  );
  if (config.signin) out.push(await checkIssuer("sign-in", "signin.oidc.issuer", config.signin.oidc.issuer, bound));
  if (config.admin.oidc)
    out.push(await checkIssuer("web UI sign-in", "admin.oidc.issuer", config.admin.oidc.issuer, bound));
  return out.map((c) => shown(c, redactor));
}

/** The checks as lines: `✓ store  sqlite ./llmux.db: 140 migrations, current`, each failure with its fix. */
export function renderServices(checks: readonly ServiceCheck[]): string {
  const width = Math.max(...checks.map((c) => c.check.length));
  const lines: string[] = [];
  for (const c of checks) {
    lines.push(`${c.mark} ${c.check.padEnd(width)}  ${c.detail}`);
    if (c.fix) lines.push(`  ${" ".repeat(width)}  fix: ${c.fix}`);
  }
  return lines.join("\n");
}
