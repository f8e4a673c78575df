import { type Logger, logData } from "../log/logger.js";
import { outcomeOf } from "../request/outcome.js";
import { type RequestRecord, usageOf } from "../request/record.js";

const round = (ms: number) => Math.round(ms * 100) / 100;

/** A fetched page's URL as the log line names it: without its query string, fragment, user or password. */
function pageOf(url: string): string {
  try {
    const u = new URL(url);
    return `${u.origin}${u.pathname}`.slice(0, 300);
  } catch {
    return "(not a URL)";
  }
}

type Level = "debug" | "info" | "warn";

/** The level and message of a request's line, from its outcome. */
function levelOf(rec: RequestRecord, outcome: ReturnType<typeof outcomeOf>): [Level, string] {
  if (rec.quiet && outcome === "ok") return ["debug", "request"];
  if (outcome === "error") return ["warn", "request failed"];
  if (outcome === "refused") return ["warn", "request refused"];
  if (outcome === "aborted") return ["info", "request aborted by client"];
  return ["info", "request"];
}

/**
 * The request's log line (one per request, written by the settle stage), at the level its outcome calls for.
 * Built only when the logger writes that level: a line nobody reads costs nothing (a quiet request's debug
 * line at the default level, every ok line at `logging.level: warn`).
 */
export function logLine(logger: Logger, rec: RequestRecord): void {
  const outcome = outcomeOf(rec);
  const [level, msg] = levelOf(rec, outcome);
  if (!logger.isLevelEnabled(level)) return;
  const now = performance.now();
  const generated = rec.provider !== undefined;
  const u = generated ? usageOf(rec) : undefined;
  const line = {
    req_id: rec.id,
    client_request_id: rec.clientRequestId,
    method: rec.method,
    path: rec.path,
    status: rec.status,
    outcome,
    reason: rec.reason,
    client: rec.client,
    client_tool: rec.clientTool,
    transport: rec.transport === "websocket" ? "websocket" : undefined,
    // The session every row names (src/clients/session.ts: every tool's headers, then the body).
    session: rec.session?.session,
    originator: rec.clientSession?.originator,
    requested: rec.requested,
    alias: rec.alias,
    provider: rec.provider,
    model: rec.model,
    deployment: rec.deployment,
    // How it was routed, when there is more to say than the deployment (a rule, a pattern, a downgrade, a
    // fallback, the failures before): the llmux-route header.
    route: rec.route?.includes(" ") ? rec.route : undefined,
    stream: rec.stream,
    passthrough: rec.passthrough,
    latency_ms: round(now - rec.startedAt),
    ttfb_ms: rec.firstByteAt !== undefined ? round(rec.firstByteAt - rec.startedAt) : undefined,
    overhead_ms: rec.overheadMs !== undefined ? round(rec.overheadMs) : undefined,
    tokens: u && {
      input: u.inputTokens,
      output: u.outputTokens,
      cache_read: u.cacheReadTokens,
      cache_write: u.cacheWriteTokens,
      reasoning: u.reasoningTokens,
      estimated: u.estimated === true ? true : undefined,
    },
    cost_usd: rec.cost && rec.cost.nanos > 0 ? rec.cost.nanos / 1e9 : undefined,
    key: rec.key,
    // The searches and fetches llmux ran for the answer (its emulated web tools): what they asked, never a page
    // nor a URL's query string (it may carry a token).
    web: rec.web && {
      searches: rec.web.searches,
      fetches: rec.web.fetches,
      queries: rec.web.queries.slice(0, 20).map((q) => q.slice(0, 200)),
      urls: rec.web.urls.slice(0, 20).map(pageOf),
    },
    warnings: rec.warnings.length > 0 ? rec.warnings.map((w) => ({ code: w.code, message: w.message })) : undefined,
    decisions: rec.decisions,
  };
  logData(logger, level, line, msg);
}
