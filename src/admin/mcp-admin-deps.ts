import type { McpServerConfig } from "../config/schema-mcp.js";
import type { McpCredentials } from "../data/mcp-credentials.js";
import type { McpServers } from "../data/mcp-servers.js";
import type { McpServerRow } from "./mcp-route.js";

/** What the MCP admin routes work on: the stored servers and credentials, the file's servers, this instance's view. */
export interface McpAdminDeps {
  /** The servers as this instance serves them (health, tools); absent when no gateway runs here (the CLI). */
  live?: (() => McpServerRow[]) | undefined;
  servers: McpServers;
  credentials: McpCredentials;
  /** The configuration file's `mcp.servers`. */
  configured: Readonly<Record<string, McpServerConfig>>;
  /** `mcp.allow_private_addresses`: servers added here may point at private addresses. */
  allowPrivate?: boolean | undefined;
  /** Whether a key or a team exists (a credential's holder). */
  keyExists(id: string): Promise<boolean>;
  teamExists(id: string): Promise<boolean>;
  /** A change was made: applied on this instance before the answer. */
  changed(): Promise<void>;
}
