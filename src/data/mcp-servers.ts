/**
 * MCP servers added through the admin API: their settings (validated with the configuration's own schema,
 * `mcp.servers.<name>`), their env and headers sealed with the master key. Every change bumps the `mcp`
 * revision, which every instance polls to read the servers again.
 */
import type { Kysely } from "kysely";
import { MCP_SERVER_NAME } from "../config/shared-values.js";
import type { Keyring } from "../secrets/cipher.js";
import { resealRows } from "./credentials.js";
import { nowSeconds } from "./data.js";
import {
  applyChanges,
  type McpSecrets,
  namesOf,
  openSecrets,
  parseNames,
  type SecretNames,
  sealSecrets,
} from "./mcp-secrets.js";
import { bumpRevision } from "./revisions.js";
import type { Database, McpServersTable } from "./schema.js";

export const MCP_REVISION = "mcp";

/** A stored server as the admin API shows it: settings, and which secrets are set (never their values). */
export interface StoredMcpServer {
  name: string;
  settings: Record<string, unknown>;
  secrets: SecretNames;
  created_at: number;
  updated_at: number;
}

/** Settings that do not hold up (the field at fault, as the configuration's schema names it). */
export class InvalidMcpServer extends Error {
  constructor(
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

export class McpServerExists extends Error {}

/** A change: any setting (null: back to its default), env and headers by name (a string sets, null removes). */
export type McpServerChange = Record<string, unknown> & {
  env?: Record<string, string | null> | undefined;
  headers?: Record<string, string | null> | undefined;
};

const STDIO_ONLY = ["command", "args", "cwd"];
const REMOTE_ONLY = ["url"];

/** The configuration's schema of a server, loaded at the first change (a gateway that makes none never loads it). */
type ServerSchema = typeof import("../config/schema-mcp.js")["McpServerSchema"];
const serverSchema = (): Promise<ServerSchema> => import("../config/schema-mcp.js").then((m) => m.McpServerSchema);

/** Checks settings with the configuration's schema; returns them (defaults filled in) split from their secrets. */
function validated(
  schema: ServerSchema,
  raw: Record<string, unknown>,
): { settings: Record<string, unknown>; secrets: McpSecrets } {
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    let path = issue.path.join(".");
    if (issue.code === "unrecognized_keys") path = [...issue.path, ...issue.keys].join(".");
    throw new InvalidMcpServer(`${path ? `${path}: ` : ""}${issue.message}`, path || undefined);
  }
  const { env, headers, ...settings } = parsed.data as Record<string, unknown> & {
    env?: Record<string, string>;
    headers?: Record<string, string>;
  };
  return { settings, secrets: { env: env ?? {}, headers: headers ?? {} } };
}

function checkName(name: string): void {
  if (!MCP_SERVER_NAME.test(name))
    throw new InvalidMcpServer(
      `name: '${name}' is not a server name: letters, digits, - and single _ (no __, which separates a server from its tools)`,
      "name",
    );
}

const view = (r: McpServersTable): StoredMcpServer => ({
  name: r.name,
  settings: JSON.parse(r.settings) as Record<string, unknown>,
  secrets: parseNames(r.secret_names),
  created_at: Number(r.created_at),
  updated_at: Number(r.updated_at),
});

export class McpServers {
  constructor(
    private readonly db: () => Promise<Kysely<Database>>,
    private readonly keyring: Keyring | undefined,
  ) {}

  async list(): Promise<StoredMcpServer[]> {
    const rows = await (await this.db()).selectFrom("mcp_servers").selectAll().orderBy("name").execute();
    return rows.map(view);
  }

  /** How many servers are stored (none: the MCP gateway need not be loaded). */
  async count(): Promise<number> {
    const row = await (await this.db())
      .selectFrom("mcp_servers")
      .select((eb) => eb.fn.countAll<number | string>().as("n"))
      .executeTakeFirst();
    return Number(row?.n ?? 0);
  }

  async get(name: string): Promise<StoredMcpServer | undefined> {
    const db = await this.db();
    const row = await db.selectFrom("mcp_servers").selectAll().where("name", "=", name).executeTakeFirst();
    return row ? view(row) : undefined;
  }

  /** Every stored server's settings with its secrets opened: what the gateway runs (`mcp.servers` entries). */
  async opened(): Promise<Record<string, Record<string, unknown>>> {
    const rows = await (await this.db()).selectFrom("mcp_servers").selectAll().orderBy("name").execute();
    const out: Record<string, Record<string, unknown>> = {};
    for (const r of rows) {
      const s = openSecrets(this.keyring, r);
      const settings = JSON.parse(r.settings) as Record<string, unknown>;
      out[r.name] = settings.transport === "stdio" ? { ...settings, env: s.env } : { ...settings, headers: s.headers };
    }
    return out;
  }

  /** Adds a server: `raw` is a `mcp.servers` entry (env and headers included). */
  async create(name: string, raw: Record<string, unknown>): Promise<StoredMcpServer> {
    checkName(name);
    const { settings, secrets } = validated(await serverSchema(), raw);
    const t = nowSeconds();
    const row: McpServersTable = {
      name,
      settings: JSON.stringify(settings),
      secret_names: JSON.stringify(namesOf(secrets)),
      ...sealSecrets(this.keyring, secrets),
      created_at: t,
      updated_at: t,
    };
    const db = await this.db();
    await db.transaction().execute(async (tx) => {
      if (await tx.selectFrom("mcp_servers").select("name").where("name", "=", name).executeTakeFirst())
        throw new McpServerExists(`an MCP server named '${name}' exists already`);
      await tx.insertInto("mcp_servers").values(row).execute();
      await bumpRevision(tx, MCP_REVISION);
    });
    return view(row);
  }

  /**
   * Changes a server: the settings given replace the stored ones (null: back to the default), env and headers
   * are changed by name. Moving to another transport drops the other transport's settings and secrets.
   */
  async update(name: string, change: McpServerChange): Promise<StoredMcpServer | undefined> {
    const schema = await serverSchema();
    const db = await this.db();
    return db.transaction().execute(async (tx) => {
      const row = await tx.selectFrom("mcp_servers").selectAll().where("name", "=", name).executeTakeFirst();
      if (!row) return undefined;
      const old = openSecrets(this.keyring, row);
      const { env, headers, ...given } = change;
      const merged: Record<string, unknown> = { ...(JSON.parse(row.settings) as Record<string, unknown>) };
      const from = merged.transport;
      for (const [k, v] of Object.entries(given)) {
        if (v === undefined) continue;
        if (v === null) delete merged[k];
        else merged[k] = v;
      }
      const moved = merged.transport !== from;
      const stdio = merged.transport === "stdio";
      if (moved) for (const k of stdio ? REMOTE_ONLY : STDIO_ONLY) if (!(k in given)) delete merged[k];
      const raw = stdio
        ? { ...merged, env: applyChanges(moved ? {} : old.env, env) }
        : { ...merged, headers: applyChanges(moved ? {} : old.headers, headers) };
      const { settings, secrets } = validated(schema, raw);
      const next: McpServersTable = {
        ...row,
        settings: JSON.stringify(settings),
        secret_names: JSON.stringify(namesOf(secrets)),
        ...sealSecrets(this.keyring, secrets),
        updated_at: nowSeconds(),
      };
      await tx.updateTable("mcp_servers").set(next).where("name", "=", name).execute();
      await bumpRevision(tx, MCP_REVISION);
      return view(next);
    });
  }

  /** Removes a server and every key's and team's credential for it. */
  async delete(name: string): Promise<boolean> {
    const db = await this.db();
    return db.transaction().execute(async (tx) => {
      const r = await tx.deleteFrom("mcp_servers").where("name", "=", name).executeTakeFirst();
      if (Number(r.numDeletedRows) === 0) return false;
      await tx.deleteFrom("mcp_credentials").where("server", "=", name).execute();
      await bumpRevision(tx, MCP_REVISION);
      return true;
    });
  }

  /** Re-seals every stored MCP secret (servers' and credentials') under the current master key; returns how many. */
  async reseal(): Promise<number> {
    const ring = this.keyring;
    if (!ring) return 0;
    const db = await this.db();
    return db.transaction().execute(async (tx) => {
      let n = 0;
      const servers = await tx
        .selectFrom("mcp_servers")
        .selectAll()
        .where("key_version", "is not", null)
        .where("key_version", "!=", ring.version)
        .execute();
      for (const r of servers) {
        await tx
          .updateTable("mcp_servers")
          .set(sealSecrets(ring, openSecrets(ring, r)))
          .where("name", "=", r.name)
          .execute();
        n++;
      }
      n += await resealRows(tx, ring, "mcp_credentials", ["subject", "server"]);
      if (n > 0) await bumpRevision(tx, MCP_REVISION);
      return n;
    });
  }
}
