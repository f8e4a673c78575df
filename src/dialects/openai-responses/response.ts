import { newId, nowSeconds, reprefix } from "../../ir/ids.js";
import { expectArray, expectObject, isObject, leftovers } from "../../ir/input-error.js";
import { checkToolInput } from "../../ir/json-depth.js";
import { stopFromResponses, stopToResponses } from "../../ir/stop-reason.js";
import type { AssistantPart, ErrorInfo, Json, JsonObject, Response, Usage } from "../../ir/types.js";
import { Warnings } from "../../ir/warnings.js";
import { decodeOpenAIError } from "../openai-errors.js";
import { restoreToolCall } from "../tool-identity.js";
import type { DecodeOptions, Encoded, ReasoningWrapper, ResponseOptions } from "../types.js";
import { callItem, decodeOutputItem, itemFieldsOf, newItemId, outputText, reasoningItem } from "./items.js";
import { decodeResponsesUsage, encodeResponsesUsage } from "./usage.js";

const D = "openai-responses" as const;

const KNOWN = new Set([
  "id",
  "object",
  "created_at",
  "model",
  "output",
  "usage",
  "status",
  "incomplete_details",
  "error",
]);

/** A failed Responses object → the error it reports (undefined when it did not fail). */
export function responsesFailure(body: JsonObject): ErrorInfo | undefined {
  if (body.status !== "failed") return undefined;
  return decodeOpenAIError(200, { error: isObject(body.error) ? body.error : { message: "response failed" } });
}

/** Responses response object → IR. */
export function decodeResponsesResponse(value: Json, opts: DecodeOptions = {}): Response {
  const body = expectObject(value, "response");
  const content: AssistantPart[] = [];
  expectArray(body.output ?? [], "response.output").forEach((item, i) => {
    const path = `response.output[${i}]`;
    const obj = expectObject(item, path);
    // A function call's arguments are bounded before anything parses or serialises them (json-bounds.ts).
    if (obj.type === "function_call") checkToolInput(obj.arguments ?? "", typeof obj.name === "string" ? obj.name : "");
    for (const p of decodeOutputItem(obj, path)) {
      content.push(p.type === "tool_call" ? restoreToolCall(p, opts.tools) : p);
    }
  });
  const incomplete = isObject(body.incomplete_details) ? body.incomplete_details.reason : undefined;
  const res: Response = {
    id: typeof body.id === "string" && body.id ? body.id : newId("resp_"),
    model: typeof body.model === "string" ? body.model : "",
    created: typeof body.created_at === "number" ? body.created_at : nowSeconds(),
    content,
    stopReason: stopFromResponses(
      typeof body.status === "string" ? body.status : undefined,
      typeof incomplete === "string" ? incomplete : undefined,
      content.some((p) => p.type === "tool_call"),
    ),
  };
  if (isObject(body.usage)) res.usage = decodeResponsesUsage(body.usage);
  const rest = leftovers(body, KNOWN);
  if (rest) res.extras = { dialect: D, fields: rest };
  return res;
}

/** Groups IR parts into Responses output items (consecutive text parts share one message item). */
export function outputItems(
  parts: AssistantPart[],
  responseId: string,
  wrap: ReasoningWrapper | undefined,
  warnings: Warnings,
): JsonObject[] {
  const items: JsonObject[] = [];
  let msg: JsonObject | undefined;
  for (const p of parts) {
    if (p.type === "text" || p.type === "refusal") {
      const fields = p.type === "text" ? itemFieldsOf(p) : undefined;
      if (!msg) {
        msg = {
          type: "message",
          id: newItemId("msg", responseId, items.length),
          status: "completed",
          role: "assistant",
          content: [],
        };
        if (fields?.id) msg.id = fields.id;
        if (fields?.phase !== undefined) msg.phase = fields.phase;
        items.push(msg);
      }
      (msg.content as Json[]).push(
        p.type === "refusal" ? { type: "refusal", refusal: p.text } : { ...outputText(p), logprobs: [] },
      );
      continue;
    }
    msg = undefined;
    if (p.type === "reasoning") items.push(reasoningItem(p, p.id ?? newItemId("rs", responseId, items.length), wrap));
    else if (p.type === "tool_call") {
      items.push(
        callItem(p, p.itemId ?? newItemId(p.kind === "custom" ? "ctc" : "fc", responseId, items.length), "completed"),
      );
    } else if (p.type === "raw") {
      if (p.dialect === D) items.push(p.value);
      else warnings.add("unsupported_content", "output with no Responses equivalent was dropped");
    }
  }
  return items;
}

export interface SkeletonInput {
  id: string;
  model: string;
  created: number;
  status: string;
  output: JsonObject[];
  usage?: Usage | undefined;
  incompleteReason?: string | undefined;
  error?: ErrorInfo | undefined;
}

/** A full Response object with every field strict clients require. */
export function responseObject(s: SkeletonInput): JsonObject {
  return {
    id: s.id,
    object: "response",
    created_at: s.created,
    status: s.status,
    ...(s.status === "completed" ? { completed_at: nowSeconds() } : {}),
    error: s.error ? { code: s.error.code ?? errorCode(s.error), message: s.error.message } : null,
    incomplete_details: s.incompleteReason ? { reason: s.incompleteReason } : null,
    instructions: null,
    max_output_tokens: null,
    model: s.model,
    output: s.output,
    parallel_tool_calls: true,
    previous_response_id: null,
    reasoning: { effort: null, summary: null },
    store: false,
    temperature: 1,
    text: { format: { type: "text" } },
    tool_choice: "auto",
    tools: [],
    top_p: 1,
    truncation: "disabled",
    usage: s.usage ? encodeResponsesUsage(s.usage) : null,
    user: null,
    metadata: {},
  };
}

export function errorCode(e: ErrorInfo): string {
  switch (e.kind) {
    case "rate_limit":
      return "rate_limit_exceeded";
    case "billing":
      return "insufficient_quota";
    case "context_length":
      return "context_length_exceeded";
    case "invalid_request":
    case "content_filter":
      return "invalid_prompt";
    default:
      return "server_error";
  }
}

export function responseId(id: string): string {
  return reprefix(id, "resp_");
}

/** IR → Responses response object. */
export function encodeResponsesResponse(res: Response, opts: ResponseOptions = {}): Encoded<JsonObject> {
  const warnings = new Warnings();
  const stop = stopToResponses(res.stopReason);
  const id = opts.responseId ?? responseId(res.id);
  const body = responseObject({
    id,
    model: opts.model ?? res.model,
    created: res.created,
    status: stop.status,
    output: outputItems(res.content, id, opts.wrapReasoning, warnings),
    usage: res.usage,
    incompleteReason: stop.incompleteReason,
  });
  if (res.extras?.dialect === D) {
    for (const [k, v] of Object.entries(res.extras.fields)) if (k !== "completed_at") body[k] = v;
  }
  return { value: body, warnings: warnings.list };
}
