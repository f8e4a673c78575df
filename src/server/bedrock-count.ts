import type { ServerResponse } from "node:http";
import { isObject } from "../ir/input-error.js";
import type { ErrorInfo, JsonObject } from "../ir/types.js";
import { holdAnswer } from "./held-answer.js";

/**
 * Bedrock's CountTokens (`POST /model/{model}/count-tokens`): the request wraps an InvokeModel body,
 * `{"input": {"invokeModel": {"body": base64(JSON)}}}`, and the answer is `{"inputTokens": N}`. A body that is
 * already a Messages body (no `input`) is counted as it is.
 */
export function bedrockCountInput(json: JsonObject): { json: JsonObject } | { error: ErrorInfo } {
  if (json.input === undefined) return { json };
  const refuse = (message: string, param: string) => ({
    error: { status: 400, kind: "invalid_request", message, param } satisfies ErrorInfo,
  });
  if (!isObject(json.input)) return refuse("input must be an object", "input");
  if (json.input.invokeModel === undefined)
    return refuse(
      "llmux counts Bedrock's input.invokeModel (an Anthropic body); input.converse is not supported here",
      "input.invokeModel",
    );
  const invoke = json.input.invokeModel;
  if (!isObject(invoke) || typeof invoke.body !== "string")
    return refuse("input.invokeModel.body must be the base64 of the InvokeModel body", "input.invokeModel.body");
  let inner: unknown;
  try {
    inner = JSON.parse(Buffer.from(invoke.body, "base64").toString("utf8"));
  } catch {
    return refuse("input.invokeModel.body is not the base64 of a JSON body", "input.invokeModel.body");
  }
  if (!isObject(inner)) return refuse("input.invokeModel.body must hold a JSON object", "input.invokeModel.body");
  return { json: inner };
}

/** Makes `res` answer a successful count in Bedrock's shape (`{"inputTokens"}`). */
export function asBedrockCount(res: ServerResponse): void {
  holdAnswer(
    res,
    (status) => status === 200,
    (held) => {
      let tokens: unknown;
      try {
        tokens = (JSON.parse(held.text) as { input_tokens?: unknown }).input_tokens;
      } catch {
        tokens = undefined;
      }
      if (typeof tokens !== "number") return held;
      return {
        ...held,
        headers: { ...held.headers, "content-type": "application/json" },
        text: JSON.stringify({ inputTokens: tokens }),
      };
    },
  );
}
