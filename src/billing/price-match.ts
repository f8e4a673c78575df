/**
 * Which model names a shipped price row covers, in the rules of the price list it comes from
 * (@pydantic/genai-prices): case-insensitive equals / starts_with / ends_with / contains, a regex, and
 * `and` / `or` of those.
 */
export type MatchRule =
  | { equals: string }
  | { starts_with: string }
  | { ends_with: string }
  | { contains: string }
  | { regex: string }
  | { and: MatchRule[] }
  | { or: MatchRule[] };

const regexes = new Map<string, RegExp>();

/** Whether `name` (lower case) is covered by the rule. */
export function matches(rule: MatchRule, name: string): boolean {
  if ("or" in rule) return rule.or.some((r) => matches(r, name));
  if ("and" in rule) return rule.and.every((r) => matches(r, name));
  if ("equals" in rule) return name === rule.equals.toLowerCase();
  if ("starts_with" in rule) return name.startsWith(rule.starts_with.toLowerCase());
  if ("ends_with" in rule) return name.endsWith(rule.ends_with.toLowerCase());
  if ("contains" in rule) return name.includes(rule.contains.toLowerCase());
  let re = regexes.get(rule.regex);
  if (!re) {
    re = new RegExp(rule.regex);
    regexes.set(rule.regex, re);
  }
  return re.test(name);
}

/** A date suffix (`-20250929`, `-2025-09-29`, Bedrock's `-20250929-v1:0`). */
export const DATE_SUFFIX = /-(\d{8}|\d{4}-\d{2}-\d{2})(-v\d+:\d+)?$/;
const COMPACT_DATE = /-(20\d{2})(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])(?=-|:|$)/g;

/** The forms a model name is looked up under, most exact first: as given, without a `provider/` prefix, its
 * date written with dashes (how some lists name snapshots), without its date. */
export function nameForms(model: string): string[] {
  const m = model.toLowerCase();
  const bare = m.slice(m.lastIndexOf("/") + 1);
  const forms = [m];
  if (bare !== m) forms.push(bare);
  const dashed = bare.replace(COMPACT_DATE, "-$1-$2-$3");
  if (dashed !== bare) forms.push(dashed);
  const undated = bare.replace(DATE_SUFFIX, "");
  if (undated !== bare) forms.push(undated);
  return forms;
}
