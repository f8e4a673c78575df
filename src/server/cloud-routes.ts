import type { Matched } from "../request/route.js";

/**
 * Claude Code's two other formats, as inbound routes: Amazon Bedrock's InvokeModel
 * (`CLAUDE_CODE_USE_BEDROCK=1` with `ANTHROPIC_BEDROCK_BASE_URL`) and Vertex AI's rawPredict
 * (`CLAUDE_CODE_USE_VERTEX=1` with `ANTHROPIC_VERTEX_BASE_URL`). Both carry Anthropic's Messages body with the
 * model and streaming in the path; they are served by the same stages as `/v1/messages`, on every upstream.
 */
const BEDROCK = /^\/model\/([^/]+)\/(invoke|invoke-with-response-stream|count-tokens)$/;
const VERTEX =
  /^\/(?:v1(?:beta1)?\/)?projects\/[^/]+\/locations\/[^/]+\/publishers\/anthropic\/models\/([^/:]+):(rawPredict|streamRawPredict)$/;
const PROFILES = /^\/inference-profiles(?:\/[^/]+)?$/;

function decoded(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

export function cloudRoute(method: string, path: string): Matched | undefined {
  if (method === "GET" && PROFILES.test(path)) return { kind: "inference_profiles", dialect: "anthropic" };
  if (method !== "POST") return undefined;
  const b = BEDROCK.exec(path);
  if (b) {
    const model = decoded(b[1]!);
    if (b[2] === "count-tokens") return { kind: "count_tokens", dialect: "anthropic", model, front: "bedrock" };
    return { kind: "generate", dialect: "anthropic", model, stream: b[2] !== "invoke", front: "bedrock" };
  }
  const v = VERTEX.exec(path);
  if (v) {
    const model = decoded(v[1]!);
    if (model === "count-tokens") return { kind: "count_tokens", dialect: "anthropic", front: "vertex" };
    return { kind: "generate", dialect: "anthropic", model, stream: v[2] === "streamRawPredict", front: "vertex" };
  }
  return undefined;
}
