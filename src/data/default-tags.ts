/**
 * A key's or a team's default tags (`{"project": "checkout"}`), kept as a JSON column (042_default_tags):
 * merged into every request the key makes, under the request's own `llmux-tags`.
 */
export type DefaultTags = Record<string, string>;

/** The column's JSON, or null for none. */
export function tagsJson(tags: DefaultTags | null | undefined): string | null {
  if (!tags || Object.keys(tags).length === 0) return null;
  return JSON.stringify(Object.fromEntries(Object.entries(tags).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))));
}

export function defaultTagsOf(column: string | null | undefined): DefaultTags | null {
  if (!column) return null;
  const v = JSON.parse(column) as unknown;
  return v && typeof v === "object" && !Array.isArray(v) ? (v as DefaultTags) : null;
}

/** The tags as an answer's field: `{tags}`, or nothing when none are set. */
export function tagsField(column: string | null | undefined): { tags?: DefaultTags } {
  const tags = defaultTagsOf(column);
  return tags ? { tags } : {};
}

/** The tags as `key=value` strings, in key order. */
export function tagList(tags: DefaultTags | null | undefined): string[] {
  return tags
    ? Object.keys(tags)
        .sort()
        .map((k) => `${k}=${tags[k]}`)
    : [];
}
