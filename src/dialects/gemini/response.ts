import { isErrorInfo, ResponseCollector } from "../../ir/collect.js";
import { expectObject } from "../../ir/input-error.js";
import type { Json, JsonObject, Response } from "../../ir/types.js";
import { Warnings } from "../../ir/warnings.js";
import type { DecodeOptions, Encoded, ResponseOptions } from "../types.js";
import { blockedPrompt, groundingOf, stopToGemini } from "./finish-reason.js";
import { outputParts } from "./output-parts.js";
import { GeminiStreamDecoder } from "./stream-decode.js";
import { encodeGeminiUsage } from "./usage.js";

/** Gemini GenerateContentResponse body → IR: read as a one-chunk stream, so both paths agree. */
export function decodeGeminiResponse(value: Json, opts: DecodeOptions = {}): Response {
  const body = expectObject(value, "response");
  const collector = new ResponseCollector();
  const decoder = new GeminiStreamDecoder(opts);
  decoder.chunk(body, collector.sink);
  decoder.end(collector.sink);
  const result = collector.result();
  if (isErrorInfo(result)) throw new Error(result.message);
  return result;
}

/** IR → Gemini GenerateContentResponse body. */
export function encodeGeminiResponse(res: Response, opts: ResponseOptions = {}): Encoded<JsonObject> {
  const warnings = new Warnings();
  const parts = outputParts(res.content, opts.wrapReasoning);
  const feedback = blockedPrompt(res.extras);
  if (feedback)
    return {
      value: {
        promptFeedback: feedback,
        usageMetadata: encodeGeminiUsage(res.usage),
        modelVersion: opts.model ?? res.model,
        responseId: res.id,
      },
      warnings: warnings.list,
    };
  const grounding = groundingOf(res.extras);
  const body: JsonObject = {
    candidates: [
      {
        content: { parts: parts.length > 0 ? parts : [{ text: "" }], role: "model" },
        finishReason: stopToGemini(res.stopReason),
        index: 0,
        ...(grounding ? { groundingMetadata: grounding } : {}),
      },
    ],
    usageMetadata: encodeGeminiUsage(res.usage),
    modelVersion: opts.model ?? res.model,
    responseId: res.id,
  };
  return { value: body, warnings: warnings.list };
}
