import type { IncomingHttpHeaders } from "node:http";
import { isObject } from "../ir/input-error.js";
import type { ErrorInfo, JsonObject } from "../ir/types.js";
import { answerJson, type Exchange } from "../pipeline/exchange.js";
import type { RequestBody } from "../request/body.js";
import type { Matched } from "../request/route.js";
import { bedrockCountInput } from "./bedrock-count.js";

/**
 * A Bedrock InvokeModel or Vertex rawPredict body as the Messages body it wraps: the model and streaming
 * from the path, the cloud's `anthropic_version` (a dialect string such as `bedrock-2023-05-31`) left out,
 * and Bedrock's `anthropic_beta` list moved to the `anthropic-beta` header, where every upstream's provider
 * looks for it (a Bedrock upstream puts it back in the body). Every other field passes as it came. Bedrock's
 * CountTokens wraps the InvokeModel body (src/server/bedrock-count.ts); it is unwrapped first.
 */
export function fromCloudBody(
  match: Matched,
  body: RequestBody,
  headers: IncomingHttpHeaders,
): RequestBody | ErrorInfo {
  if (!isObject(body.json))
    return { status: 400, kind: "invalid_request", message: "the body must be a JSON object", param: null };
  const unwrapped =
    match.front === "bedrock" && match.kind === "count_tokens" ? bedrockCountInput(body.json) : { json: body.json };
  if ("error" in unwrapped) return unwrapped.error;
  const { anthropic_version: _version, anthropic_beta: beta, model: named, stream: _stream, ...rest } = unwrapped.json;
  if (beta !== undefined) {
    if (!Array.isArray(beta) || !beta.every((b) => typeof b === "string"))
      return {
        status: 400,
        kind: "invalid_request",
        message: "anthropic_beta must be a list of strings",
        param: "anthropic_beta",
      };
    const sent = headers["anthropic-beta"];
    const all = [...(sent ? String(sent).split(",") : []), ...beta].map((b) => b.trim()).filter(Boolean);
    if (all.length > 0) headers["anthropic-beta"] = [...new Set(all)].join(",");
  }
  headers["anthropic-version"] ??= "2023-06-01";
  // Vertex's count-tokens names the model in the body; every other route in the path.
  const json: JsonObject = { model: match.model ?? (typeof named === "string" ? named : ""), ...rest };
  if (match.kind === "generate") json.stream = match.stream === true;
  // A count takes no max_tokens (an InvokeModel body wrapped for CountTokens has one).
  else delete json.max_tokens;
  return { json, raw: Buffer.from(JSON.stringify(json)) };
}

/**
 * Claude Code's Bedrock start-up lookups (`GET /inference-profiles?type=SYSTEM_DEFINED`, and
 * `GET /inference-profiles/{id}` when its model is a profile): llmux's model names are not Bedrock profiles,
 * so the list is empty and a lookup finds nothing (Claude Code carries on with the name it has).
 */
export function inferenceProfiles(ex: Exchange): void {
  const path = (ex.req.url ?? "").split("?")[0]!.replace(/\/+$/, "");
  if (path === "/inference-profiles") answerJson(ex, 200, { inferenceProfileSummaries: [] });
  else answerJson(ex, 404, { message: "No such inference profile here; llmux serves its models by name." });
}
