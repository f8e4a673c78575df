import type { ModelConfig } from "../config/schema.js";

export type AliasKind = "chat" | "embedding" | "completion" | "rerank";

/** What an alias serves: `kind` as configured (chat by default). */
export function aliasKind(settings: Pick<ModelConfig, "kind">): AliasKind {
  return settings.kind ?? "chat";
}

/** The routes that serve each kind, as a 400 names them. */
function routesOf(kind: AliasKind, requested: string): string {
  switch (kind) {
    case "embedding":
      return `an embedding model: ask POST /v1/embeddings (or Gemini's models/${requested}:embedContent) for it.`;
    case "completion":
      return "a fill-in-the-middle (completion) model: ask POST /v1/completions or POST /v1/fim/completions for it.";
    case "rerank":
      return "a rerank model: ask POST /v1/rerank for it.";
    default:
      return "a chat model: ask POST /v1/chat/completions (or /v1/responses, /v1/messages, Gemini's :generateContent) for it.";
  }
}

/**
 * The message of the 400 answered when a route is asked for an alias of another kind: it names the route
 * to use instead. Undefined when the alias is of the route's kind.
 */
export function wrongRoute(
  requested: string,
  settings: Pick<ModelConfig, "kind">,
  route: AliasKind,
): string | undefined {
  const kind = aliasKind(settings);
  if (kind === route) return undefined;
  return `The model '${requested}' is ${routesOf(kind, requested)}`;
}
