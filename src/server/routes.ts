import type { Matched } from "../request/route.js";
import { cloudRoute } from "./cloud-routes.js";
import { named } from "./route-name.js";

/** A route table: each route once, with every path clients call it at. */
function atPaths(routes: readonly (readonly [Matched, readonly string[]])[]): Record<string, Matched> {
  return Object.fromEntries(routes.flatMap(([route, paths]) => paths.map((path) => [path, route])));
}

const CHAT: Matched = { kind: "generate", dialect: "openai-chat" };
const RESPONSES: Matched = { kind: "generate", dialect: "openai-responses" };

const POST = atPaths([
  [CHAT, ["/v1/chat/completions", "/chat/completions", "/openai/v1/chat/completions"]],
  [CHAT, ["/cursor/chat/completions", "/v1/cursor/chat/completions"]],
  [RESPONSES, ["/v1/responses", "/responses", "/openai/v1/responses", "/openai/responses"]],
  [{ ...RESPONSES, compact: true }, ["/v1/responses/compact", "/responses/compact", "/openai/v1/responses/compact"]],
  [{ kind: "generate", dialect: "anthropic" }, ["/v1/messages", "/messages"]],
  [{ kind: "count_tokens", dialect: "anthropic" }, ["/v1/messages/count_tokens", "/messages/count_tokens"]],
  [{ kind: "embeddings", dialect: "openai-chat" }, ["/v1/embeddings", "/embeddings", "/openai/v1/embeddings"]],
  [{ kind: "completions", dialect: "openai-chat" }, ["/v1/completions", "/completions", "/openai/v1/completions"]],
  [{ kind: "completions", dialect: "openai-chat", fim: true }, ["/v1/fim/completions", "/fim/completions"]],
  [{ kind: "rerank", dialect: "openai-chat" }, ["/v1/rerank", "/rerank", "/v2/rerank"]],
]);

const GET = atPaths([
  [{ kind: "models", dialect: "openai-chat" }, ["/v1/models", "/models", "/openai/v1/models", "/openai/models"]],
  [{ kind: "health", dialect: "openai-chat" }, ["/health", "/healthz"]],
  [{ kind: "root", dialect: "openai-chat" }, ["/"]],
  /** Claude Code's connection-warming probe (HEAD), answered without a key or a body. */
  [{ kind: "root", dialect: "anthropic" }, ["/api/hello"]],
]);

/** Deployment names may hold slashes (Cursor's Azure flow sends `google/gemini-2.5-pro` as it is). */
const DEPLOYMENT = /^\/openai\/deployments\/(.+)\/chat\/completions$/;
const DEPLOYMENT_EMBED = /^\/openai\/deployments\/(.+)\/embeddings$/;
const MODEL = /^\/(?:openai\/)?(?:v1\/)?models\/(.+)$/;
const RESPONSE = /^\/(?:openai\/)?(?:v1\/)?responses\/([^/]+)(\/input_items)?$/;
/**
 * Gemini: /v1beta/models/{model}:generateContent | :streamGenerateContent | :countTokens | :embedContent |
 * :batchEmbedContents (v1 and v1alpha too).
 */
const GEMINI =
  /^\/v1(?:beta|alpha)?\/models\/([^/:]+):(generateContent|streamGenerateContent|countTokens|embedContent|batchEmbedContents)$/;
const GEMINI_MODELS = /^\/v1(?:beta|alpha)?\/models(?:\/([^/:]+))?$/;

function geminiRoute(method: string, path: string): Matched | undefined {
  if (method === "POST") {
    const g = GEMINI.exec(path);
    if (!g) return undefined;
    const model = g[1]!;
    if (g[2] === "countTokens") return named({ kind: "count_tokens", dialect: "gemini" }, "model", model);
    if (g[2] === "embedContent" || g[2] === "batchEmbedContents")
      return named({ kind: "embeddings", dialect: "gemini", batch: g[2] === "batchEmbedContents" }, "model", model);
    return named({ kind: "generate", dialect: "gemini", stream: g[2] === "streamGenerateContent" }, "model", model);
  }
  if (method !== "GET" && method !== "HEAD") return undefined;
  const m = path.startsWith("/v1beta/") || path.startsWith("/v1alpha/") ? GEMINI_MODELS.exec(path) : undefined;
  if (!m) return undefined;
  return m[1] ? named({ kind: "model", dialect: "gemini" }, "model", m[1]) : { kind: "models", dialect: "gemini" };
}

/** The MCP endpoint: `/mcp` (every server), `/mcp/{server}` (one); POST, GET (its stream) and DELETE. */
const MCP = /^\/mcp(?:\/([^/]+))?$/;
const MCP_METHODS = new Set(["POST", "GET", "DELETE"]);

function mcpRoute(method: string, path: string): Matched | undefined {
  const m = MCP_METHODS.has(method) ? MCP.exec(path) : null;
  if (!m) return undefined;
  return m[1] === undefined
    ? { kind: "mcp", dialect: "openai-chat" }
    : named({ kind: "mcp", dialect: "openai-chat" }, "server", m[1]);
}

/** Finds the route of a request (the query string, e.g. ?beta=true or ?api-version=…, is ignored). */
export function matchRoute(method: string, url: string): Matched | undefined {
  const q = url.indexOf("?");
  const path = (q === -1 ? url : url.slice(0, q)).replace(/\/+$/, "") || "/";
  const gemini = geminiRoute(method, path);
  if (gemini) return gemini;
  const mcp = mcpRoute(method, path);
  if (mcp) return mcp;
  const cloud = cloudRoute(method, path);
  if (cloud) return cloud;
  if (method === "POST") {
    const hit = POST[path];
    if (hit) return hit;
    const d = DEPLOYMENT.exec(path);
    if (d) return named({ kind: "generate", dialect: "openai-chat" }, "model", d[1]!);
    const e = DEPLOYMENT_EMBED.exec(path);
    if (e) return named({ kind: "embeddings", dialect: "openai-chat" }, "model", e[1]!);
    return undefined;
  }
  const r = RESPONSE.exec(path);
  if (r && (method === "GET" || method === "DELETE")) {
    if (method === "DELETE")
      return r[2] ? undefined : named({ kind: "response_delete", dialect: "openai-responses" }, "responseId", r[1]!);
    const kind = r[2] ? "response_input_items" : "response_get";
    return named({ kind, dialect: "openai-responses" }, "responseId", r[1]!);
  }
  if (method === "GET" || method === "HEAD") {
    const hit = GET[path];
    if (hit) return hit;
    const m = MODEL.exec(path);
    if (m) return named({ kind: "model", dialect: "openai-chat" }, "model", m[1]!);
  }
  return undefined;
}

/** The route table as data: test/project/security-routes.test.ts checks every route has its row in docs/security.md. */
export const ROUTE_TABLE = {
  post: POST,
  get: GET,
  patterns: [DEPLOYMENT, DEPLOYMENT_EMBED, MODEL, RESPONSE, GEMINI, GEMINI_MODELS, MCP],
} as const;
