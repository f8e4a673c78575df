import type { ModelConfig } from "../config/schema.js";

export type AliasKind = "chat" | "embedding";

/** What an alias serves: `kind` as configured (chat by default). */
export function aliasKind(settings: Pick<ModelConfig, "kind">): AliasKind {
  return settings.kind ?? "chat";
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
  return kind === "embedding"
    ? `The model '${requested}' is an embedding model: ask POST /v1/embeddings (or Gemini's models/${requested}:embedContent) for it.`
    : `The model '${requested}' is a chat model, not an embedding model: ask POST /v1/chat/completions (or /v1/responses, /v1/messages, Gemini's :generateContent) for it.`;
}
