import type { IncomingMessage, ServerResponse } from "node:http";
import type { Dialect, ErrorInfo } from "../ir/types.js";
import { fromError } from "./error-class.js";
import { failed, type Outcome, type RequestRecord } from "./finalise.js";
import { errorReply, sendJson, sendReply } from "./http.js";

/** One request as it goes through the stages: the HTTP pair, its log record, and the client's abort. */
export interface Exchange {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly rec: RequestRecord;
  /** Aborts once the client goes away before its answer is complete. */
  readonly signal: AbortSignal;
}

/**
 * Starts an exchange: the abort signal fires when the client closes before the answer was written.
 *
 * `beforeEnd` runs once, just before the answer's last bytes are handed to the socket (the first `res.end`),
 * with the record's status taken from the response itself. The settle stage runs there: what a client saw
 * complete has had its ledger row journalled first, even if the process dies the next instant.
 */
export function openExchange(
  req: IncomingMessage,
  res: ServerResponse,
  rec: RequestRecord,
  beforeEnd?: () => void,
): Exchange {
  const controller = new AbortController();
  res.on("close", () => {
    if (!res.writableFinished) controller.abort();
  });
  if (beforeEnd) {
    const end = res.end;
    res.end = function (this: ServerResponse, ...args: unknown[]) {
      res.end = end;
      rec.status ??= this.statusCode;
      beforeEnd();
      return (end as (...a: unknown[]) => ServerResponse).apply(this, args);
    } as ServerResponse["end"];
  }
  return { req, res, rec, signal: controller.signal };
}

export interface AnswerOptions {
  headers?: Record<string, string>;
  outcome?: Outcome;
  /** The body was not read to its end: the connection is closed after the answer, not reused. */
  close?: boolean;
}

/** Answers an error in the client's dialect and records it (status, outcome, reason). */
export function answerError(ex: Exchange, dialect: Dialect, info: ErrorInfo, opts: AnswerOptions = {}): void {
  const headers = opts.close ? { ...opts.headers, connection: "close" } : opts.headers;
  // Recorded before it is sent: the request settles as its answer ends.
  const reply = errorReply(dialect, info, headers);
  failed(ex.rec, reply.status, info.message, opts.outcome);
  ex.rec.errorClass ??= fromError(info, opts.outcome === "refused");
  sendReply(ex.res, reply);
}

/** Answers a JSON body and records its status. */
export function answerJson(ex: Exchange, status: number, body: unknown, headers?: Record<string, string>): void {
  ex.rec.status = status;
  sendJson(ex.res, status, body, headers);
}
