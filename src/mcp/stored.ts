import { type McpServerConfig, McpServerSchema } from "../config/schema-mcp.js";
import type { Data } from "../data/data.js";
import { keySubject, McpCredentials, teamSubject } from "../data/mcp-credentials.js";
import type { McpSecrets } from "../data/mcp-secrets.js";
import { MCP_REVISION, McpServers } from "../data/mcp-servers.js";
import { readRevision } from "../data/revisions.js";
import { VersionPoller } from "../data/version-poller.js";
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

/** What one read of the database holds: the stored servers (opened) and every credential's values. */
interface StoredServers {
  readonly servers: Record<string, Record<string, unknown>>;
  readonly credentialValues: readonly string[];
}

/**
 * The MCP servers and credentials kept in the database (added through the admin API), served beside the
 * configuration file's (which win a name both use). Every instance polls the database's `mcp` revision every
 * `pollMs` (default 1 s; the stored layer's one poller, src/data/version-poller.ts): when it moved, the servers
 * are read again and the hub started, changed or stopped to match, and the credentials are read again as they
 * are asked for. A change made through this instance applies at once (`reload`).
 */
export class StoredMcp {
  readonly servers: McpServers;
  readonly credentials: McpCredentials;
  private poller: VersionPoller<StoredServers> | undefined;
  private first: Promise<void> | undefined;
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
    if (this.closed) return Promise.resolve();
    this.poller ??= new VersionPoller<StoredServers>(
      {
        what: "stored mcp servers",
        version: async () => readRevision(await this.data.db(), MCP_REVISION),
        read: async () => {
          const version = await readRevision(await this.data.db(), MCP_REVISION);
          const servers = await this.servers.opened();
          const credentialValues = await this.credentials.allValues().catch(() => []);
          return { version, value: { servers, credentialValues } };
        },
        apply: (stored) => this.apply(stored),
      },
      this.logger,
      this.pollMs,
    );
    this.first ??= this.poller.check();
    return this.first;
  }

  /**
   * Resolves when a poll of the `mcp` revision that starts after this call has ended (see
   * VersionPoller.nextPoll; at once when nothing is watched yet): a change stored elsewhere before the call
   * (another instance, `llmux mcp` on the store) is in force here by then.
   */
  nextPoll(): Promise<void> {
    return this.poller ? this.poller.nextPoll() : Promise.resolve();
  }

  /**
   * Reads the servers again now, and forgets the credentials read (a change made here moved the revision);
   * the first call starts watching.
   */
  reload(): Promise<void> {
    return this.poller ? this.poller.check() : this.watch();
  }

  private apply({ servers: stored, credentialValues }: StoredServers): void {
    this.held.clear();
    // Known to the redaction pass before anything can quote them (a server's error, a tool's answer).
    this.learn("mcp-stored-servers", Object.values(stored).flatMap(storedValues));
    this.learn("mcp-stored-credentials", credentialValues);
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
    this.hub.apply({ ...servers, ...this.fromConfig });
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
    this.poller?.stop();
  }
}
