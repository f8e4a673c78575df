import { type McpServerConfig, McpServerSchema } from "../config/schema-mcp.js";
import type { Data } from "../data/data.js";
import { keySubject, McpCredentials, teamSubject } from "../data/mcp-credentials.js";
import type { McpSecrets } from "../data/mcp-secrets.js";
import { MCP_REVISION, McpServers } from "../data/mcp-servers.js";
import { readRevision } from "../data/revisions.js";
import type { Principal } from "../identity/principal.js";
import type { Logger } from "../log/logger.js";
import type { Keyring } from "../secrets/cipher.js";
import type { McpHub } from "./hub.js";

/** The values of a stored server's environment and headers (its credentials among them). */
function storedValues(raw: Record<string, unknown>): string[] {
  const values = (o: unknown) =>
    o && typeof o === "object" ? Object.values(o).filter((v): v is string => typeof v === "string") : [];
  return [...values(raw.env), ...values(raw.headers)];
}

/** A credential a caller holds for a server: whose (`key:<id>`, `team:<id>`) and its values. */
export interface OwnCredential {
  readonly subject: string;
  readonly secrets: McpSecrets;
}

type ByServer = Map<string, Map<string, McpSecrets>>;

/**
 * The MCP servers and credentials kept in the database (added through the admin API), served beside the
 * configuration file's (which win a name both use). Every instance polls the database's `mcp` revision every
 * `pollMs` (default 1 s): when it moved, the servers are read again and the hub started, changed or stopped
 * to match, and the credentials are read again as they are asked for. A change made through this instance
 * applies at once (`reload`).
 */
export class StoredMcp {
  readonly servers: McpServers;
  readonly credentials: McpCredentials;
  private revision: number | undefined;
  private first: Promise<void> | undefined;
  private loading: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private polling = false;
  private closed = false;
  /** Credentials by caller (`key:<id>|team:<id>`), read on first use since the last change. */
  private readonly held = new Map<string, Promise<ByServer>>();

  constructor(
    private readonly data: Data,
    keyring: Keyring | undefined,
    private readonly hub: McpHub,
    private readonly fromConfig: Readonly<Record<string, McpServerConfig>>,
    private readonly logger: Logger,
    private readonly pollMs = 1000,
    /** Tells the redaction pass the secrets read (every server's and credential's values). */
    private readonly learn: (source: string, values: readonly string[]) => void = () => {},
  ) {
    const db = () => data.db();
    this.servers = new McpServers(db, keyring);
    this.credentials = new McpCredentials(db, keyring);
  }

  /** Reads the stored servers (once; later calls wait for that first read) and keeps watching for changes. */
  watch(): Promise<void> {
    this.first ??= this.reload().finally(() => {
      if (this.closed || this.timer) return;
      this.timer = setInterval(() => void this.poll(), this.pollMs);
      this.timer.unref();
    });
    return this.first;
  }

  /** Reads the servers again now, and forgets the credentials read (a change made here, or seen in the revision). */
  reload(): Promise<void> {
    this.loading ??= this.load().finally(() => {
      this.loading = undefined;
    });
    return this.loading;
  }

  private async load(): Promise<void> {
    try {
      const revision = await readRevision(await this.data.db(), MCP_REVISION);
      const stored = await this.servers.opened();
      this.held.clear();
      // Known to the redaction pass before anything can quote them (a server's error, a tool's answer).
      this.learn("mcp-stored-servers", Object.values(stored).flatMap(storedValues));
      this.learn("mcp-stored-credentials", await this.credentials.allValues().catch(() => []));
      const servers: Record<string, McpServerConfig> = {};
      for (const [name, raw] of Object.entries(stored)) {
        if (name in this.fromConfig) {
          this.logger.warn(
            { mcp_server: name },
            `mcp server ${name} is in the configuration file and in the database: the file's is served`,
          );
          continue;
        }
        const parsed = McpServerSchema.safeParse(raw);
        if (parsed.success) servers[name] = parsed.data;
        else
          this.logger.warn({ mcp_server: name }, `the stored mcp server ${name} is not valid: ${parsed.error.message}`);
      }
      if (this.closed) return;
      this.hub.apply({ ...servers, ...this.fromConfig });
      this.revision = revision;
    } catch (err) {
      // The database is unreachable for a moment (or a master key is missing): keep serving what is known.
      this.logger.warn({ err: (err as Error).message }, "reading the stored mcp servers failed; trying again");
      this.revision = undefined;
    }
  }

  private async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      const r = await readRevision(await this.data.db(), MCP_REVISION);
      if (r !== this.revision) await this.reload();
    } catch {
      // Unreachable for a moment: what is known is served; the next poll tries again.
    } finally {
      this.polling = false;
    }
  }

  /** The caller's own credential for a server: its key's, else its team's; undefined when it holds none. */
  async credentialFor(principal: Principal, server: string): Promise<OwnCredential | undefined> {
    const subjects = [
      ...(principal.keyId ? [keySubject(principal.keyId)] : []),
      ...(principal.teamId ? [teamSubject(principal.teamId)] : []),
    ];
    if (subjects.length === 0) return undefined;
    const id = subjects.join("|");
    let read = this.held.get(id);
    if (!read) {
      read = this.credentials.opened(subjects);
      if (this.held.size > 10_000) this.held.clear();
      this.held.set(id, read);
      read.catch(() => this.held.delete(id));
    }
    const bySubject = (await read).get(server);
    for (const subject of subjects) {
      const secrets = bySubject?.get(subject);
      if (secrets) return { subject, secrets };
    }
    return undefined;
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
