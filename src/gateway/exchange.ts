import type { IncomingMessage, ServerResponse } from "node:http";
import type { Dialect, ErrorInfo } from "../ir/types.js";
import { failed, type Outcome, type RequestRecord } from "./finalise.js";
import { sendError, sendJson } from "./http.js";

/** One request as it goes through the stages: the HTTP pair, its log record, and the client's abort. */
export interface Exchange {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly rec: RequestRecord;
  /** Aborts once the client goes away before its answer is complete. */
  readonly signal: AbortSignal;
}

/** Starts an exchange: the abort signal fires when the client closes before the answer was written. */
export function openExchange(req: IncomingMessage, res: ServerResponse, rec: RequestRecord): Exchange {
  const controller = new AbortController();
  res.on("close", () => {
    if (!res.writableFinished) controller.abort();
  });
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
  const status = sendError(ex.res, dialect, info, headers);
  failed(ex.rec, status, info.message, opts.outcome);
}

/** Answers a JSON body and records its status. */
export function answerJson(ex: Exchange, status: number, body: unknown, headers?: Record<string, string>): void {
  sendJson(ex.res, status, body, headers);
  ex.rec.status = status;
}
