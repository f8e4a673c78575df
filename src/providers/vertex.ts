import type { ProviderConfig } from "../config/schema.js";
import { anthropicStatus, encodeAnthropicError } from "../dialects/anthropic/errors.js";
import { isClaude } from "../dialects/bedrock-converse/from-anthropic.js";
import { decodeGeminiError } from "../dialects/gemini/errors.js";
import { isObject } from "../ir/input-error.js";
import type { Json } from "../ir/types.js";
import { bridgeBetas, DROP_FIELDS_HEADER, dropPairedFields, headerBetas, takeDropFields } from "./cloud-betas.js";
import { GoogleTokens, readServiceAccount } from "./google-auth.js";
import {
  type CallContext,
  DEFAULT_TIMEOUT_MS,
  type OutgoingCall,
  type Provider,
  type RawUpstreamReply,
  type UpstreamTarget,
} from "./types.js";

type VertexConfig = Extract<ProviderConfig, { type: "vertex" }>;

/** The `anthropic_version` Vertex AI takes in Claude's body. */
export const VERTEX_ANTHROPIC_VERSION = "vertex-2023-10-16";

/** A model id as a path segment (`claude-sonnet-4-5@20250929` keeps its `@`, as Google writes it). */
function segment(model: string): string {
  return encodeURIComponent(model.replace(/^models\//, "")).replace(/%40/g, "@");
}

/**
 * Claude's body on Vertex: no model (it is in the URL), Vertex's `anthropic_version`, without the body fields
 * of the betas Vertex does not accept (cloud-betas.ts).
 */
function claudeBody(call: OutgoingCall): OutgoingCall {
  const body = JSON.parse(call.body.toString()) as Record<string, unknown>;
  const headers = { ...call.headers };
  dropPairedFields(body, takeDropFields(headers));
  delete body.model;
  body.anthropic_version = VERTEX_ANTHROPIC_VERSION;
  return { ...call, headers, body: JSON.stringify(body) };
}

/** Google's own error shape (`{error: {code, message, status}}`, or a list of it), answered for Claude. */
async function claudeErrors(reply: RawUpstreamReply): Promise<RawUpstreamReply> {
  if (reply.status < 400) return reply;
  const chunks: Buffer[] = [];
  for await (const c of reply.body) chunks.push(Buffer.from(c));
  let text = Buffer.concat(chunks).toString("utf8");
  let status = reply.status;
  let parsed: Json | undefined;
  try {
    parsed = JSON.parse(text) as Json;
  } catch {
    parsed = undefined;
  }
  const first = Array.isArray(parsed) ? parsed[0] : parsed;
  // Anthropic's own errors ({type: "error"}) pass as they are; Google's (quota, permission) are re-worded.
  if (isObject(first) && first.type !== "error" && isObject(first.error)) {
    const info = decodeGeminiError(reply.status, parsed);
    status = anthropicStatus(info);
    text = JSON.stringify(encodeAnthropicError(info));
  }
  const bytes = Buffer.from(text, "utf8");
  return {
    status,
    headers: { ...reply.headers, "content-type": "application/json", "content-length": String(bytes.length) },
    body: (async function* () {
      yield bytes;
    })(),
    dump: async () => undefined,
  };
}

/**
 * Google Cloud Vertex AI: Gemini models through generateContent / streamGenerateContent (the Gemini
 * dialect) and Claude models through rawPredict / streamRawPredict (Anthropic's body with Vertex's
 * `anthropic_version`), at `…/v1/projects/{project}/locations/{region}/publishers/{google|anthropic}/models/
 * {model}`. Calls carry an OAuth access token from a service-account key or Application Default
 * Credentials (google-auth.ts); with pass-through auth, the caller's key is sent as that token.
 */
export function vertexProvider(name: string, cfg: VertexConfig): Provider {
  const host =
    cfg.base_url ??
    (cfg.region === "global" ? "https://aiplatform.googleapis.com" : `https://${cfg.region}-aiplatform.googleapis.com`);
  const root = `${host.replace(/\/+$/, "")}/${cfg.api_version}/projects/${encodeURIComponent(cfg.project)}/locations/${encodeURIComponent(cfg.region)}/publishers`;
  const tokens = new GoogleTokens(
    cfg.credentials ? readServiceAccount(cfg.credentials, `providers.${name}.credentials`) : undefined,
  );
  const headers = (ctx: CallContext, extra: Record<string, string> = {}): Record<string, string> => {
    const out: Record<string, string> = { "content-type": "application/json", ...extra, ...cfg.headers };
    if (ctx.callerKey) out.authorization = `Bearer ${ctx.callerKey}`;
    return out;
  };
  const authorize = async (call: OutgoingCall): Promise<OutgoingCall> =>
    call.headers.authorization ? call : { ...call, headers: { ...call.headers, ...(await tokens.headers()) } };
  const common = { name, type: "vertex" as const, timeoutMs: cfg.timeout_ms ?? DEFAULT_TIMEOUT_MS };
  const forModel = (model: string): Provider => (isClaude(model) ? claude : gemini);

  const gemini: Provider = {
    ...common,
    dialect: "gemini",
    requestOptions: () => ({}),
    target: (m, ctx): UpstreamTarget => ({
      url: `${root}/google/models/${segment(m)}:${ctx.stream ? "streamGenerateContent?alt=sse" : "generateContent"}`,
      headers: headers(ctx),
    }),
    countTarget: (m, ctx): UpstreamTarget => ({
      url: `${root}/google/models/${segment(m)}:countTokens`,
      headers: headers(ctx),
    }),
    prepareCall: authorize,
    forModel,
  };
  const claude: Provider = {
    ...common,
    dialect: "anthropic",
    requestOptions: () => ({}),
    target(m, ctx): UpstreamTarget {
      const extra: Record<string, string> = {};
      if (ctx.sameDialect) {
        const bridge = bridgeBetas("vertex", headerBetas(ctx.clientHeaders), cfg.betas, ctx.warnings);
        if (bridge.betas.length > 0) extra["anthropic-beta"] = bridge.betas.join(",");
        if (bridge.dropFields.length > 0) extra[DROP_FIELDS_HEADER] = bridge.dropFields.join(",");
      }
      return {
        url: `${root}/anthropic/models/${segment(m)}:${ctx.stream ? "streamRawPredict" : "rawPredict"}`,
        headers: headers(ctx, extra),
      };
    },
    prepareCall: (call) => authorize(claudeBody(call)),
    adaptReply: claudeErrors,
    forModel,
  };
  return gemini;
}
