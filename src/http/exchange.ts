import type { IncomingMessage, ServerResponse } from "node:http";
import type { Dialect, ErrorInfo } from "../ir/types.js";
import { fromError } from "../request/error-class.js";
import { failed, type Outcome, type RequestRecord } from "../request/record.js";
import { errorReply, sendJson, sendReply } from "./reply.js";

/** One request as it goes through the stages: the HTTP pair, its log record, and the client's abort. */
export interface Exchange {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly rec: RequestRecord;
  /** Aborts once the client goes away before its answer is complete. */
  readonly signal: AbortSignal;
  /**
   * Runs `fn` as the answer ends, before its last bytes leave (and before the settle stage): what a client's
   * next request may depend on is in place by the time it has seen this answer end. Not run for an answer
   * that never ends (the client went away). `fn` must not throw or wait.
   */
  atEnd(fn: () => void): void;
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
  const hooks: (() => void)[] = [];
  let watching = false;
  const watch = () => {
    if (watching) return;
    watching = true;
    const end = res.end;
    res.end = function (this: ServerResponse, ...args: unknown[]) {
      res.end = end;
      rec.status ??= this.statusCode;
      for (const fn of hooks.splice(0)) fn();
      beforeEnd?.();
      return (end as (...a: unknown[]) => ServerResponse).apply(this, args);
    } as ServerResponse["end"];
  };
  if (beforeEnd) watch();
  return {
    req,
    res,
    rec,
    signal: controller.signal,
    atEnd(fn) {
      hooks.push(fn);
      watch();
    },
  };
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
