import type { Matched } from "../request/route.js";
import { named } from "./route-name.js";

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

export function cloudRoute(method: string, path: string): Matched | undefined {
  if (method === "GET" && PROFILES.test(path)) return { kind: "inference_profiles", dialect: "anthropic" };
  if (method !== "POST") return undefined;
  const b = BEDROCK.exec(path);
  if (b) {
    if (b[2] === "count-tokens")
      return named({ kind: "count_tokens", dialect: "anthropic", front: "bedrock" }, "model", b[1]!);
    return named(
      { kind: "generate", dialect: "anthropic", stream: b[2] !== "invoke", front: "bedrock" },
      "model",
      b[1]!,
    );
  }
  const v = VERTEX.exec(path);
  if (v) {
    if (v[1] === "count-tokens") return { kind: "count_tokens", dialect: "anthropic", front: "vertex" };
    return named(
      { kind: "generate", dialect: "anthropic", stream: v[2] === "streamRawPredict", front: "vertex" },
      "model",
      v[1]!,
    );
  }
  return undefined;
}

/** The cloud routes' patterns (test/project/security-routes.test.ts: each has its row in docs/security.md). */
export const CLOUD_PATTERNS = [BEDROCK, VERTEX, PROFILES] as const;
