import type { Dialect, Usage, Warning } from "../ir/types.js";
import type { Logger } from "../observe/logger.js";

/** Everything one request's log line reports; filled in as the request goes. */
export interface RequestRecord {
  id: string;
  startedAt: number;
  client: Dialect;
  path: string;
  /** The coding tool or SDK that sent the request, when recognised (src/clients/tool.ts). */
  clientTool?: string | undefined;
  alias?: string;
  provider?: string;
  model?: string;
  stream?: boolean;
  passthrough?: boolean;
  status?: number;
  firstByteAt?: number;
  usage?: Usage;
  outcome?: "ok" | "error" | "aborted";
  error?: string;
  warnings: Warning[];
  requestBytes: number;
  /** Characters of text the client received (for estimating output tokens). */
  outputChars: number;
  done?: boolean;
}

export function newRecord(id: string, client: Dialect, path: string, requestBytes: number): RequestRecord {
  return { id, startedAt: performance.now(), client, path, warnings: [], requestBytes, outputChars: 0 };
}

/** Usage as reported, or estimated from sizes (≈4 characters per token) and marked as such. */
export function usageOf(rec: RequestRecord): Usage {
  if (rec.usage) return rec.usage;
  return {
    inputTokens: Math.ceil(rec.requestBytes / 4),
    outputTokens: Math.ceil(rec.outputChars / 4),
    estimated: true,
  };
}

/** Logs the request once, whatever way it ended. */
export function finalise(logger: Logger, rec: RequestRecord): void {
  if (rec.done) return;
  rec.done = true;
  const now = performance.now();
  const u = usageOf(rec);
  const line = {
    req_id: rec.id,
    client: rec.client,
    client_tool: rec.clientTool,
    path: rec.path,
    alias: rec.alias,
    provider: rec.provider,
    model: rec.model,
    stream: rec.stream,
    passthrough: rec.passthrough,
    status: rec.status,
    outcome: rec.outcome ?? "ok",
    latency_ms: Math.round((now - rec.startedAt) * 100) / 100,
    ttfb_ms: rec.firstByteAt !== undefined ? Math.round((rec.firstByteAt - rec.startedAt) * 100) / 100 : undefined,
    tokens: {
      input: u.inputTokens,
      output: u.outputTokens,
      cache_read: u.cacheReadTokens,
      cache_write: u.cacheWriteTokens,
      reasoning: u.reasoningTokens,
      estimated: u.estimated === true ? true : undefined,
    },
    warnings: rec.warnings.length > 0 ? rec.warnings.map((w) => w.code) : undefined,
    error: rec.error,
  };
  if (rec.outcome === "error") logger.warn(line, "request failed");
  else if (rec.outcome === "aborted") logger.info(line, "request aborted by client");
  else logger.info(line, "request");
}
