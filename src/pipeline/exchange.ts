import type { IncomingMessage, ServerResponse } from "node:http";
import { AbortFlag } from "../http/abort-flag.js";
import type { HttpExchange } from "../http/exchange.js";
import { errorReply, sendJson, sendJsonBytes, sendReply } from "../http/reply.js";
import type { Dialect, ErrorInfo } from "../ir/types.js";
import { failed } from "../request/answer.js";
import { fromError } from "../request/error-class.js";
import type { Outcome } from "../request/outcome.js";
import type { Trail } from "../request/trail.js";

/** One request as it goes through the stages: the HTTP pair, the client's abort, and its trail. */
export interface Exchange extends HttpExchange {
  readonly trail: Trail;
}

/**
 * Starts an exchange: the abort signal fires when the client closes before the answer was written.
 *
 * `beforeEnd` runs once, just before the answer's last bytes are handed to the socket (the first `res.end`),
 * with the answer's status taken from the response itself. The settle stage runs there: what a client saw
 * complete has had its ledger row journalled first, even if the process dies the next instant. `endAfter`,
 * when given, holds the last bytes back until what `beforeEnd` wrote is on disk (the journal's group write:
 * src/data/journal-file.ts).
 */
export function openExchange(
  req: IncomingMessage,
  res: ServerResponse,
  trail: Trail,
  beforeEnd?: () => void,
  endAfter?: (send: () => void) => void,
): Exchange {
  // A flag, not an AbortController (src/http/abort-flag.ts): code that needs a real signal asks it for one.
  const gone = new AbortFlag();
  res.on("close", () => {
    if (!res.writableFinished) gone.abort();
  });
  if (beforeEnd) {
    const end = res.end;
    res.end = function (this: ServerResponse, ...args: unknown[]) {
      res.end = end;
      trail.answer.status ??= this.statusCode;
      beforeEnd();
      const send = () => (end as (...a: unknown[]) => ServerResponse).apply(this, args);
      if (!endAfter) return send();
      // The stream's last bytes written in this turn stay corked with the end that follows them (one write to
      // the socket, as when the end is not held back; an event stream's last events wait for it: ClientStream.last).
      const socket = this.socket;
      socket?.cork();
      // A response destroyed meanwhile (the client went away) has nothing left to end.
      endAfter(() => {
        if (!this.destroyed && !this.writableEnded) send();
        socket?.uncork();
      });
      return this;
    } as ServerResponse["end"];
  }
  return { req, res, signal: gone, trail, note: trail.note };
}

export interface AnswerOptions {
  headers?: Record<string, string>;
  outcome?: Outcome;
  /** The body was not read to its end: the connection is closed after the answer, not reused. */
  close?: boolean;
}

/** Answers an error in the client's dialect, and says so in the request's answer (status, outcome, why). */
export function answerError(ex: Exchange, dialect: Dialect, info: ErrorInfo, opts: AnswerOptions = {}): void {
  const headers = opts.close ? { ...opts.headers, connection: "close" } : opts.headers;
  // Said before it is sent: the request settles as its answer ends.
  const reply = errorReply(dialect, info, headers);
  const a = ex.trail.answer;
  failed(a, reply.status, info.message, opts.outcome);
  a.errorClass ??= fromError(info, opts.outcome === "refused");
  sendReply(ex.res, reply);
}

/** Answers a JSON body. */
export function answerJson(ex: Exchange, status: number, body: unknown, headers?: Record<string, string>): void {
  ex.trail.answer.status = status;
  sendJson(ex.res, status, body, headers);
}

/** Answers a JSON body already written as bytes. */
export function answerJsonBytes(ex: Exchange, status: number, bytes: Buffer, headers?: Record<string, string>): void {
  ex.trail.answer.status = status;
  sendJsonBytes(ex.res, status, bytes, headers);
}
