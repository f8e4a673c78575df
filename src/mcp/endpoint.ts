import { randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { isInitializeRequest } from "@modelcontextprotocol/sdk/types.js";
import type { McpConfig } from "../config/schema-mcp.js";
import { answerJson, type HttpExchange } from "../http/exchange.js";
import type { Principal } from "../identity/principal.js";
import type { Logger } from "../log/logger.js";
import { toolUseSession } from "../request/tool-use-session.js";
import type { Trail } from "../request/trail.js";
import type { HotState } from "../state/hot-state.js";
import { hotKeys } from "../state/keys.js";
import { serverAllowed } from "./access.js";
import { accessOf, authInfoOf, type CallContext } from "./context.js";
import type { McpHub } from "./hub.js";
import { adoptedTransport } from "./resume.js";
import { type SessionDeps, sessionServer } from "./session.js";

const MINUTE = 60_000;

interface Session {
  readonly transport: StreamableHTTPServerTransport;
  readonly server: Server;
  readonly owner: string;
  readonly scope: string | undefined;
  lastSeen: number;
}

export interface McpEndpointDeps {
  readonly hub: McpHub;
  readonly hot: HotState;
  readonly config: McpConfig;
  readonly logger: Logger;
  /** The connection a caller's call goes to (its own credential's, or the shared one). */
  readonly target: SessionDeps["target"];
}

const rpcError = (code: number, message: string) => ({ jsonrpc: "2.0", error: { code, message }, id: null });

/**
 * `/mcp` and `/mcp/{server}`: the MCP Streamable HTTP endpoint (the SDK's server transport, one per
 * session). The caller is identified by the gateway like any request, before this runs; a session belongs to
 * the key that opened it (another key's request in it is answered as for an unknown session). Sessions idle
 * longer than `mcp.session_ttl_minutes` are closed.
 */
/** MCP's version-negotiation probe (a newer client asks before `initialize`). */
const isDiscover = (body: unknown): boolean =>
  typeof body === "object" && body !== null && (body as { method?: unknown }).method === "server/discover";

export class McpEndpoint {
  private readonly sessions = new Map<string, Session>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(private readonly deps: McpEndpointDeps) {
    this.sweeper = setInterval(() => this.sweep(), MINUTE);
    this.sweeper.unref();
  }

  get open(): number {
    return this.sessions.size;
  }

  /** One HTTP request to the endpoint: POST (JSON-RPC), GET (the session's notification stream), DELETE (its end). */
  async serve(
    ex: HttpExchange & { readonly trail: Trail },
    principal: Principal,
    scope: string | undefined,
    body: unknown,
  ): Promise<void> {
    const { req, res } = ex;
    if (scope !== undefined && !this.deps.hub.upstreams.has(scope)) {
      ex.note.reason = `no MCP server '${scope}'`;
      return answerJson(ex, 404, rpcError(-32001, `No MCP server named '${scope}' (see mcp.servers).`));
    }
    if (scope !== undefined && !serverAllowed(accessOf(principal), scope)) {
      ex.note.reason = `MCP server '${scope}' not allowed for this key`;
      return answerJson(ex, 403, rpcError(-32003, `The MCP server '${scope}' is not allowed for this API key.`));
    }
    const id = header(req, "mcp-session-id");
    let session: Session | undefined;
    if (id !== undefined) {
      session = this.sessions.get(id) ?? (await this.continued(id, principal, scope));
      if (!session || session.owner !== principal.owner || session.scope !== scope) {
        ex.note.reason = "unknown MCP session";
        return answerJson(ex, 404, rpcError(-32001, "Session not found: initialize a new session."));
      }
    } else if (req.method === "POST" && isInitializeRequest(body)) {
      session = await this.openSession(principal, scope);
    } else {
      ex.note.reason = "no MCP session";
      // The launchers' check that /mcp is served (a GET), and an MCP client's version probe (`server/discover`,
      // Claude Code 2.1.330 on): the 400 tells them to initialize, as the SDK's server does; not a failure.
      if (req.method === "GET" || isDiscover(body)) {
        ex.note.probe = true;
        ex.note.quiet = true;
      }
      return answerJson(ex, 400, rpcError(-32000, "Bad Request: no valid Mcp-Session-Id header; initialize first."));
    }
    // Renewed at most once a minute: a busy session costs no hot-state write per request.
    if (Date.now() - session.lastSeen > MINUTE && id !== undefined)
      void this.remember(id, session).catch(() => undefined);
    session.lastSeen = Date.now();
    ex.trail.note.quiet = !isToolCall(body);
    const transport = session.transport;
    const ctx: CallContext = {
      principal,
      access: accessOf(principal),
      trail: ex.trail,
      session: id,
      endCancelled: (requestId) => setImmediate(() => transport.closeSSEStream(requestId)),
    };
    (req as IncomingMessage & { auth?: unknown }).auth = authInfoOf(ctx);
    await session.transport.handleRequest(req, res, body);
    // A POST's answer may be a stream (progress, then the result): the request is over when it ends.
    if (req.method === "POST" && !res.writableEnded && !res.destroyed)
      await new Promise<void>((resolve) => res.once("close", () => resolve()));
  }

  private async openSession(principal: Principal, scope: string | undefined): Promise<Session> {
    let session: Session | undefined;
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (sid) => {
        if (!session) return;
        this.sessions.set(sid, session);
        void this.remember(sid, session).catch(() => undefined);
      },
      onsessionclosed: (sid) => this.forget(sid),
    });
    session = await this.connect(transport, principal.owner, scope);
    return session;
  }

  /**
   * A session this instance does not hold, that the hot state says the caller opened (on another instance, or
   * here before a restart): taken over under its id. Everything a session holds is per request (the caller's
   * rules, the upstream connections are the instance's), so it continues as it was.
   */
  private async continued(id: string, principal: Principal, scope: string | undefined): Promise<Session | undefined> {
    const owner = await this.deps.hot.get(hotKeys.mcpSession(id)).catch(() => undefined);
    if (owner !== sessionValue(principal.owner, scope)) return undefined;
    const session = await this.connect(
      adoptedTransport(id, (sid) => this.forget(sid)),
      principal.owner,
      scope,
    );
    this.sessions.set(id, session);
    return session;
  }

  private async connect(
    transport: StreamableHTTPServerTransport,
    owner: string,
    scope: string | undefined,
  ): Promise<Session> {
    const server = sessionServer(
      {
        hub: this.deps.hub,
        admitCall: (ctx) => this.admitCall(ctx),
        target: this.deps.target,
        toolUseSession: (owner, id) => toolUseSession(this.deps.hot, owner, id),
      },
      scope,
    );
    const session: Session = { transport, server, owner, scope, lastSeen: Date.now() };
    transport.onclose = () => {
      if (transport.sessionId && this.sessions.get(transport.sessionId) === session)
        this.sessions.delete(transport.sessionId);
    };
    await server.connect(transport);
    return session;
  }

  private ttlMs(): number {
    return this.deps.config.session_ttl_minutes * MINUTE;
  }

  private remember(id: string, s: Session): Promise<void> {
    return this.deps.hot.set(hotKeys.mcpSession(id), sessionValue(s.owner, s.scope), this.ttlMs());
  }

  /** A session the client ended (DELETE): no instance continues it. */
  private forget(id: string): void {
    this.sessions.delete(id);
    void this.deps.hot.del(hotKeys.mcpSession(id)).catch(() => undefined);
  }

  /** `mcp.calls_per_minute`, per caller, over every instance (the hot state). */
  private async admitCall(ctx: CallContext): Promise<string | undefined> {
    const limit = this.deps.config.calls_per_minute;
    if (!limit) return undefined;
    const r = await this.deps.hot.throttle(hotKeys.mcpCalls(ctx.principal.owner), 1, limit, MINUTE, Date.now());
    if (r.ok) return undefined;
    return `Rate limit: this API key may make ${limit} MCP tool calls per minute; try again in ${Math.ceil(r.retryMs / 1000)} s.`;
  }

  private sweep(): void {
    const idle = Date.now() - this.deps.config.session_ttl_minutes * MINUTE;
    for (const [, s] of this.sessions) if (s.lastSeen < idle) void s.server.close().catch(() => undefined);
  }

  /**
   * Ends every session's notification stream (GET /mcp), which would otherwise keep a graceful stop waiting:
   * clients open it again, on another instance (where the session continues). Calls in flight go on.
   */
  endStreams(): void {
    for (const s of this.sessions.values()) s.transport.closeStandaloneSSEStream();
  }

  async close(): Promise<void> {
    clearInterval(this.sweeper);
    const all = [...this.sessions.values()];
    this.sessions.clear();
    await Promise.all(all.map((s) => s.server.close().catch(() => undefined)));
  }
}

/** What the hot state keeps of a session: its owner and the endpoint it was opened on. */
function sessionValue(owner: string, scope: string | undefined): string {
  return `${owner} ${scope ?? "*"}`;
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function isToolCall(body: unknown): boolean {
  return typeof body === "object" && body !== null && (body as { method?: unknown }).method === "tools/call";
}
