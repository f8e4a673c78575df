import { mergeTags, tagKey } from "../clients/tags.js";
import type { Config } from "../config/schema.js";
import type { Principal } from "../identity/principal.js";
import { matchesGlob } from "../text/glob.js";

type TagRule = Config["tag_rules"][number];
type TagSettings = Config["tags"];

/** What a rule can be matched on, known once the request is planned. */
export interface TaggedRequest {
  /** The request's own tags (its llmux-tags header). */
  own?: readonly string[] | undefined;
  principal: Principal;
  tool?: string | undefined;
  /** The model asked for. */
  model?: string | undefined;
}

/** The rules' patterns, compiled once each (not on every request). */
function glob(pattern: string | undefined, value: string | undefined): boolean {
  if (pattern === undefined) return true;
  if (value === undefined) return false;
  return matchesGlob(pattern, value);
}

function holds(rule: TagRule, r: TaggedRequest): boolean {
  const w = rule.when;
  return (
    (w.tool === undefined || w.tool === r.tool) &&
    glob(w.model, r.model) &&
    glob(w.key, r.principal.kind === "minted" ? r.principal.name : undefined) &&
    (w.team === undefined || w.team === r.principal.teamId) &&
    glob(w.user, r.principal.user)
  );
}

/** The tag keys that carry a budget or limits (`tags:` in the config), computed once per configuration. */
const governed = new WeakMap<TagSettings, ReadonlySet<string>>();

export function governedTagKeys(settings: TagSettings | undefined): ReadonlySet<string> {
  if (!settings) return new Set();
  let keys = governed.get(settings);
  if (!keys) {
    keys = new Set(
      Object.entries(settings)
        .filter(([, s]) => s.budget !== undefined || s.limits !== undefined)
        .map(([tag]) => tagKey(tag)),
    );
    governed.set(settings, keys);
  }
  return keys;
}

const NONE: string[] = [];

/** A request's tags, and those of its own it could not set (an admin's or a budget's key: named in a warning). */
export interface RequestTags {
  tags: string[] | undefined;
  overridden: string[];
}

/**
 * A request's tags. For each tag key the first source that names it wins, in this order: the key's default
 * tags (over its team's: an admin's word is never the caller's to change); then, for a key that carries a
 * budget or limits in `tags:`, the `tag_rules` before the request's own `llmux-tags` (a caller cannot step
 * out of a budget by naming another value); for any other key the request's own before the rules (a
 * developer can say which project a request is for). A request's own tag that lost is returned as
 * `overridden`.
 */
export function requestTags(
  rules: readonly TagRule[],
  r: TaggedRequest,
  settings?: TagSettings | undefined,
): RequestTags {
  // No rule, no tag of its own, none from its key or team: nothing to merge (no list, set or map made).
  if (rules.length === 0 && !r.own?.length && !r.principal.tags?.length) return { tags: undefined, overridden: NONE };
  const ruled = rules
    .filter((rule) => holds(rule, r))
    .flatMap((rule) =>
      Object.keys(rule.tags)
        .sort()
        .map((k) => `${k}=${rule.tags[k]}`),
    );
  const locked = governedTagKeys(settings);
  const own = r.own ?? [];
  const free = own.filter((t) => !locked.has(tagKey(t)));
  const bound = own.filter((t) => locked.has(tagKey(t)));
  const tags = mergeTags(r.principal.tags, free, ruled, bound);
  const kept = new Set(tags);
  const overridden = own.filter((t) => !kept.has(t) && tags.some((x) => tagKey(x) === tagKey(t)));
  return { tags: tags.length > 0 ? tags : undefined, overridden };
}
