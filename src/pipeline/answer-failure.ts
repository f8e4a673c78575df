import type { ServerResponse } from "node:http";
import { errorReply, sendReply } from "../http/reply.js";
import type { Dialect, ErrorInfo } from "../ir/types.js";
import type { Answer } from "../request/answer.js";
import { AnswerTooLarge } from "../upstream/screen.js";

/** Answers an error in the client's dialect, its status noted first (the request settles as its answer ends). */
export function answerFailure(
  res: ServerResponse,
  answer: Answer,
  dialect: Dialect,
  info: ErrorInfo,
  headers: Record<string, string>,
): void {
  const reply = errorReply(dialect, info, headers);
  answer.status = reply.status;
  sendReply(res, reply);
}

/** The error a client is told when the upstream stream breaks mid-way. */
export function streamFailure(err: unknown): ErrorInfo {
  if (err instanceof AnswerTooLarge) return { status: 502, kind: "server", message: err.message };
  return { status: 502, kind: "server", message: `upstream stream failed: ${(err as Error).message}` };
}
