import type { McpConfig } from "../config/schema-mcp.js";
import type { Logger } from "../log/logger.js";
import type { HotState } from "../state/hot-state.js";
import { McpEndpoint } from "./endpoint.js";
import { McpHub } from "./hub.js";

/** The MCP gateway: the upstream servers (the hub) and the endpoint that serves them at /mcp. */
export class Mcp {
  readonly hub: McpHub;
  readonly endpoint: McpEndpoint;

  constructor(config: McpConfig, logger: Logger, hot: HotState) {
    this.hub = new McpHub(config, logger);
    this.endpoint = new McpEndpoint({ hub: this.hub, hot, config, logger });
  }

  /** Starts the servers (stdio ones are spawned; all are connected in the background). */
  start(): void {
    this.hub.start();
  }

  async close(): Promise<void> {
    await this.endpoint.close();
    await this.hub.close();
  }
}

/** The MCP gateway of a configuration, or undefined when it names no server. */
export function mcpOf(config: McpConfig, logger: Logger, hot: HotState): Mcp | undefined {
  return Object.keys(config.servers).length > 0 ? new Mcp(config, logger, hot) : undefined;
}
