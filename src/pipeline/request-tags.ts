import { mergeTags } from "../clients/tags.js";
import type { Config } from "../config/schema.js";
import type { Principal } from "../identity/principal.js";
import { globToRegExp } from "../text/glob.js";

type TagRule = Config["tag_rules"][number];

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
const compiled = new Map<string, RegExp>();

function glob(pattern: string | undefined, value: string | undefined): boolean {
  if (pattern === undefined) return true;
  if (value === undefined) return false;
  let re = compiled.get(pattern);
  if (!re) {
    re = globToRegExp(pattern);
    compiled.set(pattern, re);
  }
  return re.test(value);
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

/**
 * A request's tags: its own (llmux-tags) first, then its key's default tags (over its team's), then those of
 * the `tag_rules` that hold, in their order. For each tag key the first source that names it wins, so a
 * developer can always say which project a request is for, and an admin's defaults fill in the rest.
 */
export function requestTags(rules: readonly TagRule[], r: TaggedRequest): string[] | undefined {
  const ruled = rules
    .filter((rule) => holds(rule, r))
    .flatMap((rule) =>
      Object.keys(rule.tags)
        .sort()
        .map((k) => `${k}=${rule.tags[k]}`),
    );
  const tags = mergeTags(r.own, r.principal.tags, ruled);
  return tags.length > 0 ? tags : undefined;
}
