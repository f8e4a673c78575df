import type { IncomingHttpHeaders } from "node:http";
import { TAG_PATTERN as TAG } from "../text/tag.js";

/** At most this many tags on one request (the rest are left out). */
export const MAX_TAGS = 16;

/**
 * A request's tags from its `llmux-tags` header (`project=checkout,cost-center=42`, settable through
 * `ANTHROPIC_CUSTOM_HEADERS`, Codex's and OpenCode's header settings, the launchers' `--tag`): each
 * `key=value`, separated by commas (or semicolons, for tools whose header settings split on commas), sorted,
 * one value per key. A key named twice is returned as `duplicate` (the request is refused: which value was
 * meant is not llmux's guess). Malformed entries are returned apart, to be named in a warning, never silently
 * dropped.
 */
export function tagsOf(headers: IncomingHttpHeaders): { tags: string[]; bad: string[]; duplicate?: string } {
  const raw = headers["llmux-tags"];
  if (raw === undefined) return { tags: [], bad: [] };
  const text = Array.isArray(raw) ? raw.join(",") : (raw ?? "");
  const byKey = new Map<string, string>();
  const bad: string[] = [];
  let duplicate: string | undefined;
  for (const part of text.split(/[,;]/)) {
    const t = part.trim().replace(/\s*=\s*/, "=");
    if (!t) continue;
    if (!TAG.test(t)) {
      bad.push(t.slice(0, 80));
      continue;
    }
    const [k] = t.split("=", 1);
    if (byKey.has(k!)) duplicate ??= k!;
    byKey.set(k!, t);
  }
  const tags = [...byKey.values()].sort().slice(0, MAX_TAGS);
  return duplicate === undefined ? { tags, bad } : { tags, bad, duplicate };
}

/** A tag's key (`project` of `project=checkout`). */
export function tagKey(tag: string): string {
  return tag.slice(0, tag.indexOf("="));
}

/** Tags as one column (`,a=b,c=d,`: each tag matched whole by `like '%,a=b,%'`); null when none. */
export function tagsColumn(tags: readonly string[] | undefined): string | null {
  return tags && tags.length > 0 ? `,${tags.join(",")},` : null;
}

/**
 * The tags of a request from every source, one value per key: the first source that names a key wins (the
 * caller decides the order: see `requestTags`). At most MAX_TAGS, sorted.
 */
export function mergeTags(...sources: (readonly string[] | undefined)[]): string[] {
  const byKey = new Map<string, string>();
  for (const source of sources)
    for (const t of source ?? []) {
      const k = tagKey(t);
      if (!byKey.has(k)) byKey.set(k, t);
    }
  return [...byKey.values()].sort().slice(0, MAX_TAGS);
}
