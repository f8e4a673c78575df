import type { McpConfig } from "../config/schema-mcp.js";
import type { Data } from "../data/data.js";
import type { Logger } from "../log/logger.js";
import type { Keyring } from "../secrets/cipher.js";
import type { HotState } from "../state/hot-state.js";
import type { CallContext } from "./context.js";
import { McpEndpoint } from "./endpoint.js";
import { McpHub } from "./hub.js";
import { PersonalUpstreams } from "./personal.js";
import { StoredMcp } from "./stored.js";
import type { Upstream } from "./upstream.js";

/** Where the servers added through the admin API are kept (the data layer), and the key that opens their secrets. */
export interface McpStorage {
  readonly data: Data;
  readonly keyring: Keyring | undefined;
  /** How often the database's `mcp` revision is read (ms; default 1000). */
  readonly pollMs?: number | undefined;
  /** Tells the redaction pass the secrets read from the database (servers' and credentials' values). */
  readonly learn?: ((source: string, values: readonly string[]) => void) | undefined;
}

/** The upstream a call goes to (the shared one, or one with the caller's own credential), or why none. */
export type CallTarget = { upstream: Upstream; secrets: readonly string[] } | { refused: string };

/**
 * The MCP gateway: the upstream servers (the hub: the configuration file's and those added through the admin
 * API), the connections made with keys' own credentials, and the endpoint that serves them at /mcp.
 */
export class Mcp {
  readonly hub: McpHub;
  readonly endpoint: McpEndpoint;
  readonly stored: StoredMcp | undefined;
  readonly personal: PersonalUpstreams;

  constructor(config: McpConfig, logger: Logger, hot: HotState, storage?: McpStorage) {
    this.hub = new McpHub(config, logger);
    this.personal = new PersonalUpstreams(logger);
    this.stored = storage
      ? new StoredMcp(storage.data, storage.keyring, this.hub, config.servers, logger, storage.pollMs, storage.learn)
      : undefined;
    this.endpoint = new McpEndpoint({
      hub: this.hub,
      hot,
      config,
      logger,
      target: (ctx, upstream) => this.target(ctx, upstream),
    });
  }

  /** Starts the servers (stdio ones are spawned; all are connected in the background). */
  start(): void {
    this.hub.start();
  }

  /** Reads the stored servers (the first time: they are then watched) before a request is served. */
  async loaded(): Promise<void> {
    await this.stored?.watch();
  }

  /**
   * A change made through this instance's admin API: applied now, and connected (a new or changed server is
   * ready, or found down, when this resolves); other instances see the revision move.
   */
  async changed(): Promise<void> {
    await this.stored?.reload();
    await this.hub.settled();
  }

  /**
   * The connection a caller's call goes to: with the caller's own credential when it (or its team) holds one
   * for the server, else the shared one, unless the server asks for one's own (`own_credential: required`).
   */
  private async target(ctx: CallContext, upstream: Upstream): Promise<CallTarget> {
    const own = await this.stored?.credentialFor(ctx.principal, upstream.name);
    if (own) {
      const personal = this.personal.for(upstream, own.subject, own.secrets);
      return { upstream: personal, secrets: [...this.hub.secrets, ...personal.secrets] };
    }
    if (upstream.config.own_credential === "required")
      return {
        refused: `The MCP server '${upstream.name}' needs your own credential (own_credential: required): ask your llmux administrator to set one for your key (llmux mcp credentials set ${upstream.name} --key …).`,
      };
    return { upstream, secrets: this.hub.secrets };
  }

  async close(): Promise<void> {
    this.stored?.close();
    await this.endpoint.close();
    await this.personal.close();
    await this.hub.close();
  }
}

/**
 * The MCP gateway of a configuration: when it names servers, or when servers can be added through the admin
 * API (a data layer); otherwise undefined.
 */
export function mcpOf(config: McpConfig, logger: Logger, hot: HotState, storage?: McpStorage): Mcp | undefined {
  return Object.keys(config.servers).length > 0 || storage ? new Mcp(config, logger, hot, storage) : undefined;
}
