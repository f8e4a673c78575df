import { pathSegmentProblem } from "../config/deployment-name.js";
import type { ProviderConfig } from "../config/schema.js";
import { anthropicStatus, encodeAnthropicError } from "../dialects/anthropic/errors.js";
import { decodeConverseError, exceptionName } from "../dialects/bedrock-converse/errors.js";
import { isClaude } from "../dialects/bedrock-converse/from-anthropic.js";
import { isObject } from "../ir/input-error.js";
import type { Json, JsonObject } from "../ir/types.js";
import { awsSigner } from "./aws-auth.js";
import { adaptAwsReply, type StreamMessage, sseText } from "./aws-event-stream.js";
import { bridgeBetas, DROP_FIELDS_HEADER, dropPairedFields, headerBetas, takeDropFields } from "./cloud-betas.js";
import { type OutgoingCall, type Provider, providerBasics, type UpstreamTarget } from "./types.js";

type BedrockConfig = Extract<ProviderConfig, { type: "bedrock" }>;

/** The `anthropic_version` Bedrock's InvokeModel takes in Claude's body. */
export const BEDROCK_ANTHROPIC_VERSION = "bedrock-2023-05-31";

function parseJson(text: string): Json | undefined {
  try {
    return JSON.parse(text) as Json;
  } catch {
    return undefined;
  }
}

/** An AWS error answer as a Converse error body: its type (the x-amzn-errortype header) folded in. */
function awsError(type: string | undefined, text: string): JsonObject {
  const parsed = parseJson(text);
  const body = isObject(parsed) ? parsed : { message: text.slice(0, 2000) };
  const name = exceptionName(type) ?? exceptionName(typeof body.__type === "string" ? body.__type : undefined);
  const message = body.message ?? body.Message ?? null;
  return name ? { __type: name, message } : { message };
}

/** Converse: the event stream's events (and exceptions) by name, their payloads as they came. */
function renderConverse(m: StreamMessage): string | undefined {
  if (m.kind === "error") return sseText("error", m.payload);
  return m.name ? sseText(m.name, m.payload) : undefined;
}

/** InvokeModel: each `chunk` carries one Anthropic event, base64 encoded; exceptions become Anthropic errors. */
function renderInvoke(m: StreamMessage): string | undefined {
  if (m.kind === "event") {
    if (m.name !== "chunk") return undefined;
    const chunk = parseJson(m.payload);
    if (!isObject(chunk) || typeof chunk.bytes !== "string") return undefined;
    const text = Buffer.from(chunk.bytes, "base64").toString("utf8");
    const event = parseJson(text);
    const type = isObject(event) && typeof event.type === "string" ? event.type : "message";
    return sseText(type, text);
  }
  const parsed = parseJson(m.payload);
  const body = isObject(parsed) ? parsed : { message: m.payload };
  const info = decodeConverseError(500, { ...body, __type: m.kind === "error" ? (body.__type ?? null) : m.name });
  return sseText("error", JSON.stringify(encodeAnthropicError(info)));
}

/**
 * Claude's own body for InvokeModel: no model and no `stream` (both are in the URL), Bedrock's
 * `anthropic_version`, and the client's beta flags Bedrock accepts in `anthropic_beta` (Bedrock reads them
 * there), without the body fields of the ones it does not (cloud-betas.ts).
 */
function invokeBody(call: OutgoingCall): OutgoingCall {
  const body = JSON.parse(call.body.toString()) as Record<string, unknown>;
  delete body.model;
  delete body.stream;
  body.anthropic_version = BEDROCK_ANTHROPIC_VERSION;
  const headers = { ...call.headers };
  dropPairedFields(body, takeDropFields(headers));
  const beta = headers["anthropic-beta"];
  delete headers["anthropic-beta"];
  if (beta) body.anthropic_beta = beta.split(",").map((s) => s.trim());
  return { ...call, headers, body: JSON.stringify(body) };
}

/**
 * Amazon Bedrock (bedrock-runtime): Converse / ConverseStream for every model, or InvokeModel(WithResponse
 * Stream) with Anthropic's body for Claude. The model (a model id, a cross-region inference profile such as
 * `us.anthropic.claude-sonnet-4-5-…`, or an ARN) is in the path; calls are signed with SigV4 from the AWS
 * credential chain, or carry a Bedrock API key as a bearer token. Streams come in AWS's event-stream framing
 * and are re-told as SSE (aws-event-stream.ts).
 */
export function bedrockProvider(name: string, cfg: BedrockConfig): Provider {
  const base = (cfg.base_url ?? `https://bedrock-runtime.${cfg.region}.amazonaws.com`).replace(/\/+$/, "");
  const invoke = cfg.api === "invoke";
  const sign = awsSigner({
    region: cfg.region,
    service: "bedrock",
    profile: cfg.profile,
    accessKeyId: cfg.access_key_id,
    secretAccessKey: cfg.secret_access_key,
    sessionToken: cfg.session_token,
  });
  const path = (model: string, stream: boolean) =>
    invoke
      ? `/model/${encodeURIComponent(model)}/${stream ? "invoke-with-response-stream" : "invoke"}`
      : `/model/${encodeURIComponent(model)}/${stream ? "converse-stream" : "converse"}`;
  return {
    ...providerBasics(name, "bedrock", invoke ? "anthropic" : "bedrock-converse", cfg),
    modelProblem: (model) =>
      pathSegmentProblem(model, "a Bedrock model id") ??
      (invoke && !isClaude(model)
        ? "InvokeModel with Anthropic's body serves Claude models only (api: converse serves every model)"
        : undefined),
    target(model, ctx): UpstreamTarget {
      const headers: Record<string, string> = {
        "content-type": "application/json",
        accept: ctx.stream ? "application/vnd.amazon.eventstream" : "application/json",
        ...cfg.headers,
      };
      const key = ctx.callerKey ?? cfg.api_key;
      if (key) headers.authorization = `Bearer ${key}`;
      if (invoke && ctx.sameDialect) {
        const bridge = bridgeBetas("bedrock", headerBetas(ctx.clientHeaders), cfg.betas, ctx.warnings);
        if (bridge.betas.length > 0) headers["anthropic-beta"] = bridge.betas.join(",");
        if (bridge.dropFields.length > 0) headers[DROP_FIELDS_HEADER] = bridge.dropFields.join(",");
      }
      return { url: `${base}${path(model, ctx.stream)}`, headers };
    },
    async prepareCall(call) {
      const out = invoke ? invokeBody(call) : call;
      // A bearer token (an API key) stands for the signature.
      return out.headers.authorization ? out : sign(out);
    },
    adaptReply: (reply) =>
      adaptAwsReply(reply, invoke ? renderInvoke : renderConverse, (status, type, text) => {
        const body = awsError(type, text);
        const info = decodeConverseError(status, body);
        return invoke
          ? { status: anthropicStatus(info), body: JSON.stringify(encodeAnthropicError(info)) }
          : { status: info.status, body: JSON.stringify(body) };
      }),
  };
}
