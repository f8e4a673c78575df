import { SSEClientTransport } from "@modelcontextprotocol/sdk/client/sse.js";
import { getDefaultEnvironment, StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import type { McpServerConfig } from "../config/schema-mcp.js";
import { guardedFetch } from "../http/guarded-fetch.js";

/**
 * The SDK's client transport to one upstream server, as its configuration says (stdio, Streamable HTTP, SSE).
 * A remote server's requests go through llmux's guarded fetch: the addresses connected to are checked (private
 * ones refused unless `privateAllowed`), and an error answer's body is not kept (a status page shows its status).
 */
export function clientTransport(cfg: McpServerConfig, privateAllowed = true): Transport {
  if (cfg.transport === "stdio")
    return new StdioClientTransport({
      command: cfg.command,
      args: cfg.args,
      // The inherited basics (PATH, HOME…) and the server's own; nothing else of llmux's environment.
      env: { ...getDefaultEnvironment(), ...cfg.env },
      ...(cfg.cwd ? { cwd: cfg.cwd } : {}),
      stderr: "pipe",
    });
  const requestInit = { headers: cfg.headers };
  const fetch = guardedFetch({ allowPrivate: privateAllowed });
  if (cfg.transport === "sse") return new SSEClientTransport(new URL(cfg.url), { requestInit, fetch });
  return new StreamableHTTPClientTransport(new URL(cfg.url), { requestInit, fetch });
}
