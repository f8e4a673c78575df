import type { ErrorInfo } from "../ir/types.js";

/** Socket errors that mean the database cannot be reached. */
const NETWORK = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "ENOTFOUND", "EHOSTUNREACH", "EPIPE", "EAI_AGAIN"]);

/**
 * Whether an error says the database is out of reach or not serving (rather than a fault of the query): it
 * cannot be connected to, its connection was cut or timed out, it is shutting down or starting, or it
 * turned read-only (a failover in progress).
 */
export function isDatabaseOutage(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const e = err as Error & { code?: unknown; errors?: unknown };
  const code = typeof e.code === "string" ? e.code : "";
  if (NETWORK.has(code)) return true;
  // SQLSTATE: 08 connection exceptions, 57P0x shutdown / cannot connect now, 25006 read-only transaction.
  if (/^08/.test(code) || /^57P0/.test(code) || code === "25006") return true;
  if (/timeout exceeded when trying to connect|connection terminated|query read timeout/i.test(e.message)) return true;
  // An AggregateError (every address refused).
  return Array.isArray(e.errors) && e.errors.some(isDatabaseOutage);
}

/** What a client is told when its request needed the database and the database is out of reach: a 503 to retry. */
export const DATABASE_UNAVAILABLE: ErrorInfo = {
  status: 503,
  kind: "overloaded",
  message: "llmux cannot reach its database at the moment; try again shortly",
  retryAfter: "5",
};
