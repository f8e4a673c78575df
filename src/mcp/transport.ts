import { SSEClientTransport } from "@modelcontextprotocol/sdk/client/sse.js";
import { getDefaultEnvironment, StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import type { McpServerConfig } from "../config/schema-mcp.js";
import { guardedFetch } from "../http/guarded-fetch.js";
import { BoundedTransport } from "./bounded-transport.js";
import { cappedFetch } from "./capped-fetch.js";
import { withLineBuffer } from "./line-buffer.js";
import { MCP_MESSAGE_BYTES } from "./result-bounds.js";

/**
 * The SDK's client transport to one upstream server, as its configuration says (stdio, Streamable HTTP, SSE),
 * behind llmux's bounds on what the server answers (bounded-transport.ts). A remote server's requests go through
 * llmux's guarded fetch: the addresses connected to are checked (private ones refused unless `privateAllowed`),
 * and an error answer's body is not kept (a status page shows its status).
 */
export function clientTransport(cfg: McpServerConfig, privateAllowed = true): BoundedTransport {
  let bounded: BoundedTransport | undefined;
  const fetch = cappedFetch(
    (ids, message) => bounded?.fail(ids, message),
    guardedFetch({ allowPrivate: privateAllowed }),
  );
  bounded = new BoundedTransport(inner(cfg, fetch));
  return bounded;
}

function inner(cfg: McpServerConfig, fetch: ReturnType<typeof cappedFetch>): Transport {
  if (cfg.transport === "stdio")
    return withLineBuffer(
      new StdioClientTransport({
        command: cfg.command,
        args: cfg.args,
        // The inherited basics (PATH, HOME…) and the server's own; nothing else of llmux's environment.
        env: { ...getDefaultEnvironment(), ...cfg.env },
        ...(cfg.cwd ? { cwd: cfg.cwd } : {}),
        stderr: "pipe",
        maxBufferSize: MCP_MESSAGE_BYTES,
      }),
      MCP_MESSAGE_BYTES,
    );
  const requestInit = { headers: cfg.headers };
  if (cfg.transport === "sse") return new SSEClientTransport(new URL(cfg.url), { requestInit, fetch });
  return new StreamableHTTPClientTransport(new URL(cfg.url), { requestInit, fetch });
}
