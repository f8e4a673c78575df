import type { ServerResponse } from "node:http";
import { decodeAnthropicError } from "../dialects/anthropic/errors.js";
import type { ErrorInfo, ErrorKind } from "../ir/types.js";
import { holdAnswer } from "./held-answer.js";

/**
 * Errors on the Bedrock-shaped routes, as Amazon Bedrock answers them: the exception's name in the
 * `x-amzn-errortype` header, `{"message": …}` as the body and the status Bedrock gives that exception. The AWS
 * SDK picks its typed exception from the header (ValidationException, ThrottlingException…); Anthropic's
 * Bedrock SDK, which Claude Code uses, picks its error class from the status and shows the message. The
 * message is the upstream's or llmux's text, unchanged (Claude Code's recovery matches on its wording).
 */
export interface BedrockError {
  status: number;
  /** The exception's name, as in `x-amzn-errortype` (the stream's `:exception-type` is it in camel case). */
  type: string;
  message: string;
}

const EXCEPTIONS: Record<ErrorKind, readonly [string, number]> = {
  invalid_request: ["ValidationException", 400],
  content_filter: ["ValidationException", 400],
  context_length: ["ValidationException", 400],
  request_too_large: ["ValidationException", 400],
  authentication: ["AccessDeniedException", 403],
  permission: ["AccessDeniedException", 403],
  billing: ["AccessDeniedException", 403],
  not_found: ["ResourceNotFoundException", 404],
  timeout: ["ModelTimeoutException", 408],
  rate_limit: ["ThrottlingException", 429],
  server: ["InternalServerException", 500],
  overloaded: ["ServiceUnavailableException", 503],
};

/** The Bedrock exception an error of llmux's stands for. */
export function bedrockError(info: Pick<ErrorInfo, "kind" | "message">): BedrockError {
  const [type, status] = EXCEPTIONS[info.kind];
  return { status, type, message: info.message };
}

/**
 * The Bedrock exception for an error answer llmux wrote in Anthropic's shape (its own, or an Anthropic
 * upstream's body passed on), or in Bedrock's own (`{"message"}`, from a lookup answered here).
 */
export function bedrockErrorOf(status: number, text: string): BedrockError {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = text;
  }
  if (body !== null && typeof body === "object" && !Array.isArray(body) && !("error" in body)) {
    const message = (body as { message?: unknown }).message;
    if (typeof message === "string") body = { error: { message } };
  }
  const info = decodeAnthropicError(status, body as Parameters<typeof decodeAnthropicError>[1]);
  return bedrockError(info);
}

/** Bedrock's exception frame on a stream (`:message-type: exception`), as the AWS SDK reads it. */
export function exceptionType(type: string): string {
  return type.charAt(0).toLowerCase() + type.slice(1);
}

/**
 * Makes `res` answer its errors (status 400 and up) as Bedrock does. The error is held until its end, then
 * written whole in Bedrock's shape; `onStatus` is told the status the client was given.
 */
export function asBedrockErrors(res: ServerResponse, onStatus: (status: number) => void): void {
  holdAnswer(
    res,
    (status) => status >= 400,
    ({ status, headers, text }) => {
      const error = bedrockErrorOf(status, text);
      onStatus(error.status);
      return {
        status: error.status,
        headers: { ...headers, "content-type": "application/json", "x-amzn-errortype": error.type },
        text: JSON.stringify({ message: error.message }),
      };
    },
  );
}
