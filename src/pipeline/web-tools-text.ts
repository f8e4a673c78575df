import type { FetchedPage, SearchHit } from "../search/types.js";

/**
 * What the model is told of a web tool's result (the function result llmux feeds back), and the opaque
 * `encrypted_content` of an emulated search result: llmux's own token holding the result's extract, so that
 * when a client sends the blocks back next turn the model is given the same result again.
 */

const SEAL = "llmux-ws1.";
/** The longest token opened (an extract is cut well below it). */
const MAX_SEALED = 16_384;
/** The longest extract kept per result. */
const MAX_SNIPPET = 4000;

/** A search result's extract as an opaque token. */
export function sealHit(hit: SearchHit): string {
  const body = JSON.stringify({ s: hit.snippet.slice(0, MAX_SNIPPET) });
  return SEAL + Buffer.from(body, "utf8").toString("base64url");
}

/** The extract an emulated result's token holds (none when the token is not llmux's, or is damaged). */
export function openHit(token: unknown): string | undefined {
  if (typeof token !== "string" || !token.startsWith(SEAL) || token.length > MAX_SEALED) return undefined;
  try {
    const v = JSON.parse(Buffer.from(token.slice(SEAL.length), "base64url").toString("utf8")) as { s?: unknown };
    return typeof v.s === "string" ? v.s : undefined;
  } catch {
    return undefined;
  }
}

/** A search's results as the model reads them. */
export function searchText(query: string, hits: readonly SearchHit[]): string {
  if (hits.length === 0) return `No web results for "${query}".`;
  const lines = [`Web search results for "${query}":`];
  hits.forEach((h, i) => {
    lines.push("", `[${i + 1}] ${h.title}`, `URL: ${h.url}`);
    if (h.pageAge) lines.push(`Page age: ${h.pageAge}`);
    if (h.snippet) lines.push(h.snippet);
  });
  return lines.join("\n");
}

/** A fetched page as the model reads it, cut at `maxChars`. */
export function fetchText(page: Pick<FetchedPage, "finalUrl" | "title" | "text">, maxChars: number): string {
  const text = page.text.length > maxChars ? `${page.text.slice(0, maxChars)}\n[…cut]` : page.text;
  return `${page.title ? `${page.title}\n` : ""}URL: ${page.finalUrl}\n\n${text}`;
}

/** A failed web tool call as the model reads it. */
export function errorText(tool: string, code: string, message: string): string {
  return `${tool} failed (${code}): ${message}`;
}
