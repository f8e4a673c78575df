import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import type { RequestOptions } from "@modelcontextprotocol/sdk/shared/protocol.js";
import {
  CallToolRequestSchema,
  type CallToolResult,
  ErrorCode,
  GetPromptRequestSchema,
  ListPromptsRequestSchema,
  ListResourcesRequestSchema,
  ListResourceTemplatesRequestSchema,
  ListToolsRequestSchema,
  McpError,
  type ProgressToken,
  ReadResourceRequestSchema,
} from "@modelcontextprotocol/sdk/types.js";
import type { SessionIds } from "../clients/session.js";
import { type CallContext, contextOf } from "./context.js";
import type { McpHub } from "./hub.js";
import { scrubbed } from "./scrub.js";
import type { Upstream } from "./upstream.js";

/** What a session's server asks of the gateway around a tool call. */
export interface SessionDeps {
  readonly hub: McpHub;
  /** The caller's rate limit on tool calls: a refusal in words, or undefined when the call may go. */
  admitCall(ctx: CallContext): Promise<string | undefined>;
  /** The connection the call goes to (with the caller's own credential, or the shared one), or why none. */
  target(
    ctx: CallContext,
    upstream: Upstream,
  ): Promise<{ upstream: Upstream; secrets: readonly string[] } | { refused: string }>;
  /** The coding session of a tool_use llmux relayed to this caller (Claude Code's MCP calls name it). */
  toolUseSession?(owner: string, id: unknown): Promise<SessionIds | undefined>;
}

/** Where Claude Code names the tool_use an MCP call runs (no session header comes with it). */
const CLAUDE_TOOL_USE = "claudecode/toolUseId";

const INSTRUCTIONS =
  "Tools of the team's MCP servers, served through llmux: each tool's name starts with its server's name and __.";

/** Refuses a call (the request's outcome says so) with an MCP error that names the tool and why. */
function refuse(ctx: CallContext, code: ErrorCode, message: string): never {
  const a = ctx.trail.answer;
  a.outcome = "refused";
  a.reason = message;
  throw new McpError(code, message);
}

/**
 * The MCP server one session speaks to (the SDK's low-level Server): the scope's tools, prompts and
 * resources, each request answered from the upstream that owns it. Every call carries its HTTP request's
 * caller (src/mcp/context.ts): what the caller may see and call is decided per request, so a key's rules
 * (and its revocation) apply at once, mid-session too.
 */
export function sessionServer(deps: SessionDeps, scope: string | undefined): Server {
  const { hub } = deps;
  const server = new Server(
    { name: scope ? `llmux-${scope}` : "llmux", version: "1" },
    {
      capabilities: { tools: { listChanged: false }, prompts: {}, resources: {} },
      instructions: scope ? undefined : INSTRUCTIONS,
    },
  );
  const quiet = (info: Parameters<typeof contextOf>[0]) => {
    const ctx = contextOf(info);
    ctx.trail.note.quiet = true;
    return ctx;
  };
  server.setRequestHandler(ListToolsRequestSchema, (_req, extra) => ({
    tools: hub.tools(scope, quiet(extra.authInfo).access),
  }));
  server.setRequestHandler(ListPromptsRequestSchema, (_req, extra) => ({
    prompts: hub.prompts(scope, quiet(extra.authInfo).access),
  }));
  server.setRequestHandler(ListResourcesRequestSchema, (_req, extra) => ({
    resources: hub.resources(scope, quiet(extra.authInfo).access),
  }));
  server.setRequestHandler(ListResourceTemplatesRequestSchema, (_req, extra) => ({
    resourceTemplates: hub.templates(scope, quiet(extra.authInfo).access),
  }));
  server.setRequestHandler(GetPromptRequestSchema, async (req, extra) => {
    const ctx = quiet(extra.authInfo);
    const found = hub.findPrompt(scope, req.params.name, ctx.access);
    if (!found) throw new McpError(ErrorCode.InvalidParams, `Unknown prompt: '${req.params.name}'`);
    return scrubbed(
      await found.upstream.getPrompt(found.own, req.params.arguments, { signal: extra.signal }),
      hub.secrets,
    );
  });
  server.setRequestHandler(ReadResourceRequestSchema, async (req, extra) => {
    const ctx = quiet(extra.authInfo);
    const upstream = hub.findResource(scope, req.params.uri, ctx.access);
    if (!upstream) throw new McpError(ErrorCode.InvalidParams, `Unknown resource: '${req.params.uri}'`);
    return scrubbed(await upstream.readResource(req.params.uri, { signal: extra.signal }), hub.secrets);
  });
  server.setRequestHandler(CallToolRequestSchema, async (req, extra): Promise<CallToolResult> => {
    const ctx = contextOf(extra.authInfo);
    const name = req.params.name;
    const found = hub.findTool(scope, name, ctx.access);
    if (!found) refuse(ctx, ErrorCode.InvalidParams, `Unknown tool: '${name}'.`);
    ctx.trail.toolCall = { server: found.upstream.name, tool: found.own, session: ctx.session };
    // The coding session the call belongs to: the one whose answer gave the tool_use Claude Code runs.
    const used = await deps.toolUseSession?.(ctx.principal.owner, req.params._meta?.[CLAUDE_TOOL_USE]);
    if (used) ctx.trail.session = used;
    if (!found.allowed) refuse(ctx, ErrorCode.InvalidParams, `The tool '${name}' is not allowed for this API key.`);
    if (found.needsApproval)
      refuse(
        ctx,
        ErrorCode.InvalidRequest,
        `The tool '${name}' needs an administrator's approval: llmux does not call it (mcp.servers.${found.upstream.name}.tools.approval).`,
      );
    const limited = await deps.admitCall(ctx);
    if (limited) refuse(ctx, ErrorCode.InvalidRequest, limited);
    const target = await deps.target(ctx, found.upstream);
    if ("refused" in target) refuse(ctx, ErrorCode.InvalidRequest, target.refused);
    const secrets = target.secrets;
    const token = req.params._meta?.progressToken;
    const opts: RequestOptions = { signal: extra.signal };
    // Relayed in order, and all of them before the result (a client drops progress that comes after it).
    let relayed = Promise.resolve();
    if (token !== undefined)
      opts.onprogress = (p) => {
        relayed = relayed.then(() => relayProgress(extra, token, p));
      };
    const a = ctx.trail.answer;
    try {
      const result = await target.upstream.callTool(found.own, req.params.arguments, opts);
      await relayed;
      if (result.isError) {
        a.outcome = "error";
        a.reason = `the tool '${name}' reported an error`;
      }
      return scrubbed(result, secrets);
    } catch (err) {
      const message = (err as Error).message;
      if (extra.signal.aborted) {
        a.outcome = "aborted";
        a.reason = "the client cancelled the tool call";
        ctx.endCancelled(extra.requestId);
      } else {
        a.outcome = "error";
        // Scrubbed before it is kept: an error may quote the server's token (the settle stage redacts it too).
        a.reason = scrubbed(message, secrets);
      }
      if (err instanceof McpError) throw scrubbed(err, secrets);
      throw new McpError(
        ErrorCode.InternalError,
        scrubbed(`The MCP server '${found.upstream.name}' failed: ${message}`, secrets),
      );
    }
  });
  return server;
}

type Extra = {
  sendNotification: (n: { method: "notifications/progress"; params: Record<string, unknown> }) => Promise<void>;
};

/** An upstream's progress, relayed to the client under the client's own progress token. */
function relayProgress(
  extra: unknown,
  token: ProgressToken,
  p: { progress: number; total?: number; message?: string },
) {
  return (extra as Extra)
    .sendNotification({ method: "notifications/progress", params: { ...p, progressToken: token } })
    .catch(() => undefined);
}
