/**
 * A key's or a team's own credential for an MCP server (a developer's GitHub token): env values (stdio
 * servers) and headers (remote servers) used over the server's shared ones, sealed with the master key.
 * Subjects are `key:<id>` and `team:<id>`. Every change bumps the `mcp` revision.
 */
import type { Kysely } from "kysely";
import type { Keyring } from "../secrets/cipher.js";
import { nowSeconds } from "./data.js";
import { NoMasterKey } from "./keys.js";
import { type McpSecrets, namesOf, parseNames, type SecretNames } from "./mcp-secrets.js";
import { MCP_REVISION } from "./mcp-servers.js";
import { bumpRevision } from "./revisions.js";
import type { Database, McpCredentialsTable } from "./schema.js";

export interface McpCredentialView {
  server: string;
  key_id: string | null;
  team_id: string | null;
  secrets: SecretNames;
  created_at: number;
  updated_at: number;
}

export const keySubject = (id: string) => `key:${id}`;
export const teamSubject = (id: string) => `team:${id}`;

function view(r: McpCredentialsTable): McpCredentialView {
  const [kind, id] = [r.subject.slice(0, r.subject.indexOf(":")), r.subject.slice(r.subject.indexOf(":") + 1)];
  return {
    server: r.server,
    key_id: kind === "key" ? id : null,
    team_id: kind === "team" ? id : null,
    secrets: parseNames(r.secret_names),
    created_at: Number(r.created_at),
    updated_at: Number(r.updated_at),
  };
}

export class McpCredentials {
  constructor(
    private readonly db: () => Promise<Kysely<Database>>,
    private readonly keyring: Keyring | undefined,
  ) {}

  /** Sets (or replaces) a subject's credential for a server. */
  async set(server: string, subject: string, secrets: McpSecrets): Promise<McpCredentialView> {
    if (!this.keyring)
      throw new NoMasterKey("MCP credentials need secrets.master_key (LLMUX_MASTER_KEY) to be stored encrypted");
    const s = this.keyring.seal(JSON.stringify(secrets));
    const t = nowSeconds();
    const row: McpCredentialsTable = {
      subject,
      server,
      secret_names: JSON.stringify(namesOf(secrets)),
      sealed: s.sealed,
      key_version: s.keyVersion,
      created_at: t,
      updated_at: t,
    };
    const db = await this.db();
    await db.transaction().execute(async (tx) => {
      await tx
        .insertInto("mcp_credentials")
        .values(row)
        .onConflict((oc) =>
          oc.columns(["subject", "server"]).doUpdateSet({
            secret_names: row.secret_names,
            sealed: row.sealed,
            key_version: row.key_version,
            updated_at: t,
          }),
        )
        .execute();
      await bumpRevision(tx, MCP_REVISION);
    });
    return view(row);
  }

  async get(server: string, subject: string): Promise<McpCredentialView | undefined> {
    const db = await this.db();
    const row = await db
      .selectFrom("mcp_credentials")
      .selectAll()
      .where("server", "=", server)
      .where("subject", "=", subject)
      .executeTakeFirst();
    return row ? view(row) : undefined;
  }

  async delete(server: string, subject: string): Promise<boolean> {
    const db = await this.db();
    return db.transaction().execute(async (tx) => {
      const r = await tx
        .deleteFrom("mcp_credentials")
        .where("server", "=", server)
        .where("subject", "=", subject)
        .executeTakeFirst();
      if (Number(r.numDeletedRows) === 0) return false;
      await bumpRevision(tx, MCP_REVISION);
      return true;
    });
  }

  /** Who holds a credential for a server (never the values). */
  list(server: string): Promise<McpCredentialView[]> {
    return this.where("server", server);
  }

  /** A holder's credentials, for every server (never the values). */
  ofSubject(subject: string): Promise<McpCredentialView[]> {
    return this.where("subject", subject);
  }

  /** The credentials of one server or one holder, ordered by the other. */
  private async where(column: "server" | "subject", value: string): Promise<McpCredentialView[]> {
    const db = await this.db();
    const rows = await db
      .selectFrom("mcp_credentials")
      .selectAll()
      .where(column, "=", value)
      .orderBy(column === "server" ? "subject" : "server")
      .execute();
    return rows.map(view);
  }

  /** Every stored credential's values, opened (for the redaction pass to know them). */
  async allValues(): Promise<string[]> {
    const db = await this.db();
    const rows = await db.selectFrom("mcp_credentials").select(["sealed", "key_version"]).execute();
    if (rows.length > 0 && !this.keyring)
      throw new NoMasterKey("stored MCP credentials need secrets.master_key to be opened");
    return rows.flatMap((r) => {
      const s = JSON.parse(this.keyring!.open({ sealed: r.sealed, keyVersion: r.key_version })) as Partial<McpSecrets>;
      return [...Object.values(s.env ?? {}), ...Object.values(s.headers ?? {})];
    });
  }

  /** The credentials of some subjects (a key and its team), opened: server → subject → secrets. */
  async opened(subjects: readonly string[]): Promise<Map<string, Map<string, McpSecrets>>> {
    const out = new Map<string, Map<string, McpSecrets>>();
    if (subjects.length === 0) return out;
    const db = await this.db();
    const rows = await db.selectFrom("mcp_credentials").selectAll().where("subject", "in", subjects).execute();
    for (const r of rows) {
      if (!this.keyring) throw new NoMasterKey("stored MCP credentials need secrets.master_key to be opened");
      const s = JSON.parse(this.keyring.open({ sealed: r.sealed, keyVersion: r.key_version })) as Partial<McpSecrets>;
      const bySubject = out.get(r.server) ?? new Map<string, McpSecrets>();
      bySubject.set(r.subject, { env: s.env ?? {}, headers: s.headers ?? {} });
      out.set(r.server, bySubject);
    }
    return out;
  }
}
