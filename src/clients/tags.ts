import type { IncomingHttpHeaders } from "node:http";
import { TAG_PATTERN as TAG } from "../text/tag.js";

/** At most this many tags on one request (the rest are left out). */
export const MAX_TAGS = 16;

/**
 * A request's tags from its `llmux-tags` header (`project=checkout,cost-center=42`, settable through
 * `ANTHROPIC_CUSTOM_HEADERS`, Codex's and OpenCode's header settings, the launchers' `--tag`): each
 * `key=value`, separated by commas (or semicolons, for tools whose header settings split on commas), sorted,
 * one value per key (the last one given). Malformed entries are returned apart, to be named in a warning,
 * never silently dropped.
 */
export function tagsOf(headers: IncomingHttpHeaders): { tags: string[]; bad: string[] } {
  const raw = headers["llmux-tags"];
  if (raw === undefined) return { tags: [], bad: [] };
  const text = Array.isArray(raw) ? raw.join(",") : (raw ?? "");
  const byKey = new Map<string, string>();
  const bad: string[] = [];
  for (const part of text.split(/[,;]/)) {
    const t = part.trim().replace(/\s*=\s*/, "=");
    if (!t) continue;
    if (!TAG.test(t)) {
      bad.push(t.slice(0, 80));
      continue;
    }
    const [k] = t.split("=", 1);
    byKey.set(k!, t);
  }
  const tags = [...byKey.values()].sort().slice(0, MAX_TAGS);
  return { tags, bad };
}

/** Tags as one column (`,a=b,c=d,`: each tag matched whole by `like '%,a=b,%'`); null when none. */
export function tagsColumn(tags: readonly string[] | undefined): string | null {
  return tags && tags.length > 0 ? `,${tags.join(",")},` : null;
}

/**
 * The tags of a request from every source, one value per key: the first source that names a key wins. The
 * sources, in order: the request's own `llmux-tags`, the key's default tags, its team's, the config's
 * `tag_rules` (the key's and the team's arrive merged, the key's first). At most MAX_TAGS, sorted.
 */
export function mergeTags(...sources: (readonly string[] | undefined)[]): string[] {
  const byKey = new Map<string, string>();
  for (const source of sources)
    for (const t of source ?? []) {
      const k = t.slice(0, t.indexOf("="));
      if (!byKey.has(k)) byKey.set(k, t);
    }
  return [...byKey.values()].sort().slice(0, MAX_TAGS);
}
