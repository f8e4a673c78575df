import type { IncomingMessage } from "node:http";
import type { Dialect, ErrorInfo } from "../ir/types.js";
import type { Accepted } from "../request/route.js";
import { matchRoute } from "./routes.js";

/** The accept stage: which route a request is for, or the 404 that says there is none. */
export function accept(req: IncomingMessage): Accepted | ErrorInfo {
  const method = req.method ?? "GET";
  const url = req.url ?? "/";
  let match = matchRoute(method, url);
  if (!match) {
    return {
      status: 404,
      kind: "not_found",
      message: `Unknown route: ${method} ${url.split("?")[0]}`,
      code: null,
      param: null,
    };
  }
  // /v1/models is also Gemini's (the v1 API, @google/genai's default since its 3.x): a Gemini client says so by
  // its key (x-goog-api-key, ?key=) or its SDK's x-goog-api-client header.
  if ((match.kind === "models" || match.kind === "model") && isGeminiListing(req, url))
    match = { ...match, dialect: "gemini" };
  // Gemini clients may put their key in the query (?key=…): it is read like the x-goog-api-key header.
  if (match.dialect === "gemini" && req.headers["x-goog-api-key"] === undefined) {
    const key = new URLSearchParams(url.slice(url.indexOf("?") + 1 || url.length)).get("key");
    if (key) req.headers["x-goog-api-key"] = key;
  }
  // /v1/models (and /v1/models/{id}) serve both OpenAI and Anthropic clients: the latter send anthropic-version,
  // or (Claude Code's gateway model discovery) x-api-key or Anthropic's paging parameters.
  const listing = match.kind === "models" || match.kind === "model";
  const dialect: Dialect = listing && isAnthropicListing(req, url) ? "anthropic" : match.dialect;
  return { match, dialect };
}

function isGeminiListing(req: IncomingMessage, url: string): boolean {
  if (req.headers.authorization !== undefined || req.headers["anthropic-version"] !== undefined) return false;
  if (req.headers["x-goog-api-key"] !== undefined || req.headers["x-goog-api-client"] !== undefined) return true;
  const q = url.indexOf("?");
  return q !== -1 && new URLSearchParams(url.slice(q + 1)).has("key");
}

function isAnthropicListing(req: IncomingMessage, url: string): boolean {
  if (req.headers["anthropic-version"] !== undefined || req.headers["x-api-key"] !== undefined) return true;
  const q = url.indexOf("?");
  if (q === -1) return false;
  const params = new URLSearchParams(url.slice(q + 1));
  return params.has("limit") || params.has("after_id") || params.has("before_id");
}

export function isAccepted(v: Accepted | ErrorInfo): v is Accepted {
  return "match" in v;
}

/**
 * The dialect to refuse an unknown route in: Anthropic clients send anthropic-version (or call under
 * /v1/messages), Responses clients call under /responses; anything else is answered as Chat.
 */
export function dialectOfUnknown(req: IncomingMessage): Dialect {
  const path = (req.url ?? "/").split("?")[0]!;
  if (req.headers["anthropic-version"] !== undefined || path.startsWith("/v1/messages")) return "anthropic";
  if (/\/responses(\/|$)/.test(path)) return "openai-responses";
  if (path.startsWith("/v1beta/")) return "gemini";
  return "openai-chat";
}
