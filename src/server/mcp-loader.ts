import type { McpConfig } from "../config/schema-mcp.js";
import type { Logger } from "../log/logger.js";
import type { Mcp, McpStorage } from "../mcp/mcp.js";
import type { SecretBook } from "../secrets/redact.js";
import type { HotState } from "../state/hot-state.js";
import type { TeamParts } from "./team-parts.js";

/**
 * The MCP gateway, loaded when it has something to serve: at the start when the configuration names servers
 * or the data layer holds some, else on the first `/mcp` call or admin change that needs it. Its SDK (and the
 * schema validator it brings) costs ~7 MB of heap that a gateway without MCP servers does not carry.
 */
export class McpLoader {
  private mcp: Mcp | undefined;
  private loading: Promise<Mcp> | undefined;
  private poller: NodeJS.Timeout | undefined;

  constructor(
    private readonly config: McpConfig,
    private readonly logger: Logger,
    private readonly hot: HotState,
    private readonly storage: (McpStorage & { count(): Promise<number> }) | undefined,
  ) {}

  /** The loaded gateway, if it is loaded. */
  get current(): Mcp | undefined {
    return this.mcp;
  }

  /** Loads (once) and starts the gateway: its servers are spawned and connected in the background. */
  load(): Promise<Mcp> {
    this.loading ??= import("../mcp/mcp.js").then(({ Mcp }) => {
      const mcp = new Mcp(this.config, this.logger, this.hot, this.storage);
      mcp.start();
      this.mcp = mcp;
      return mcp;
    });
    return this.loading;
  }

  /** Whether there is anything to serve: servers in the configuration, or added through the admin API. */
  async wanted(): Promise<boolean> {
    if (this.mcp || Object.keys(this.config.servers).length > 0) return true;
    return this.storage !== undefined && (await this.storage.count()) > 0;
  }

  /** The gateway, loaded and its stored servers read, when there is anything to serve; else undefined. */
  async ready(): Promise<Mcp | undefined> {
    if (!(await this.wanted())) return undefined;
    const mcp = await this.load();
    await mcp.loaded();
    return mcp;
  }

  /**
   * Until it is loaded, looks every `pollMs` for servers added through another instance's admin API, and loads
   * the gateway when one appears (once loaded, the gateway watches the stored servers itself).
   */
  watch(): void {
    if (this.poller || this.loading || !this.storage) return;
    const storage = this.storage;
    this.poller = setInterval(() => {
      if (this.loading) return this.stopWatching();
      void storage
        .count()
        .then((n) => {
          if (n > 0 && !this.loading) {
            this.stopWatching();
            return this.ready();
          }
        })
        .catch(() => undefined);
    }, storage.pollMs ?? 1000);
    this.poller.unref();
  }

  private stopWatching(): void {
    clearInterval(this.poller);
    this.poller = undefined;
  }

  async close(): Promise<void> {
    this.stopWatching();
    const mcp = await this.loading?.catch(() => undefined);
    await mcp?.close();
  }
}

/** The MCP loader of a configuration: when it names servers, or servers can be added (a data layer). */
export function mcpLoaderOf(
  config: McpConfig,
  logger: Logger,
  hot: HotState,
  storage?: McpStorage & { count(): Promise<number> },
): McpLoader | undefined {
  return Object.keys(config.servers).length > 0 || storage ? new McpLoader(config, logger, hot, storage) : undefined;
}

/**
 * Where the MCP servers added through the admin API are kept (the team's data layer), with the redaction pass
 * told every secret read there; undefined without a data layer.
 */
export function mcpStorageOf(
  team: TeamParts | undefined,
  book: SecretBook,
): (McpStorage & { count(): Promise<number> }) | undefined {
  const stored = team?.mcpServers;
  if (!team || !stored) return undefined;
  return {
    data: team.data,
    keyring: team.keyring,
    count: () => stored.count(),
    learn: (source, values) => book.learn(source, values),
  };
}
