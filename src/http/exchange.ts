import type { IncomingMessage, ServerResponse } from "node:http";
import type { AbortLike } from "./abort-flag.js";
import type { HttpNote } from "./note.js";
import { sendJson } from "./reply.js";

export type { HttpNote } from "./note.js";

/** One HTTP request and its response, as a handler serves them; `signal` aborts once the client goes away. */
export interface HttpExchange {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly signal: AbortLike;
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
