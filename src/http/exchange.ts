import type { IncomingMessage, ServerResponse } from "node:http";
import { sendJson } from "./reply.js";

/**
 * What a handler may say about its own request for the log, beyond what the response itself says (its
 * status is read from the response as it ends).
 */
export interface HttpNote {
  /** Logged at debug level when it ends well (health checks, static files, polling). */
  quiet?: boolean | undefined;
  /** Why it was refused or failed, in words. */
  reason?: string | undefined;
}

/** One HTTP request and its response, as a handler serves them; `signal` aborts once the client goes away. */
export interface HttpExchange {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly signal: AbortSignal;
  readonly note: HttpNote;
}

/** Answers a JSON body. */
export function answerJson(
  ex: Pick<HttpExchange, "res">,
  status: number,
  body: unknown,
  headers?: Record<string, string>,
): void {
  sendJson(ex.res, status, body, headers);
}
