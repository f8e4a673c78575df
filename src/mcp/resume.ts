import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";

/**
 * A server transport for a session another instance (or this one, before a restart) initialised: it answers
 * under the session's id as if it had initialised it. The SDK has no public way to adopt a session, so the two
 * fields its initialisation sets are set here (checked, so an SDK that renamed them fails loudly in the tests
 * rather than quietly answering 400).
 */
export function adoptedTransport(id: string, onclose: (id: string) => void): StreamableHTTPServerTransport {
  const transport = new StreamableHTTPServerTransport({
    sessionIdGenerator: () => id,
    onsessionclosed: onclose,
  });
  const inner = (transport as unknown as { _webStandardTransport?: Record<string, unknown> })._webStandardTransport;
  if (!inner || !("_initialized" in inner)) throw new Error("this MCP SDK's transport cannot adopt a session");
  inner.sessionId = id;
  inner._initialized = true;
  return transport;
}
