import { globToRegExp } from "../text/glob.js";

/**
 * Whether a key's allow-lists let a tool ask for the names it will ask for: a launcher warns before the tool
 * starts, instead of the tool's first request being refused with a 403 in the middle of a session.
 */

/** A minted key's allow-lists, as GET /admin/v1/me tells its holder (null: every model). */
export interface KeyAllowLists {
  key: readonly string[] | null;
  team: { name: string; models: readonly string[] | null } | null;
}

const admits = (list: readonly string[] | null, name: string) =>
  list === null || list.some((glob) => globToRegExp(glob).test(name));

/** The names either allow-list does not admit. */
export function excludedNames(names: readonly string[], lists: KeyAllowLists): string[] {
  return names.filter((n) => !admits(lists.key, n) || !admits(lists.team?.models ?? null, n));
}

/** The allow-lists in words: `claude-sonnet-*, gpt-low (team data: via-*)`. */
function listsText(lists: KeyAllowLists): string {
  const parts: string[] = [];
  if (lists.key) parts.push(lists.key.join(", "));
  if (lists.team?.models) parts.push(`team ${lists.team.name}: ${lists.team.models.join(", ")}`);
  return parts.join("; ");
}

/**
 * The launcher's warning when the key may not use a name the tool will ask for (undefined: it may use them
 * all). `defaults` says whether those are the tool's own default names (no --model given).
 */
export function allowListWarning(
  title: string,
  names: readonly string[],
  lists: KeyAllowLists,
  defaults: boolean,
): string | undefined {
  const excluded = excludedNames(names, lists);
  if (excluded.length === 0) return undefined;
  const which = excluded.map((n) => `'${n}'`).join(" and ");
  const them = excluded.length > 1 ? "them" : "it";
  const asks = defaults ? `which ${title} asks for by default` : `which ${title} will ask for`;
  return `warning: this key may not use ${which}, ${asks} (allow-list: ${listsText(lists)}); llmux will refuse ${them} (403). Give allowed names with --model (and --small-model), or ask your llmux administrator to widen the allow-list.`;
}

/** GET {url}/admin/v1/me with the key: its allow-lists, or undefined (not a minted key, no admin API, offline). */
export async function keyAllowLists(url: string, key: string, timeoutMs = 5000): Promise<KeyAllowLists | undefined> {
  try {
    const res = await fetch(`${url}/admin/v1/me`, {
      headers: { authorization: `Bearer ${key}` },
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (!res.ok) return undefined;
    const me = (await res.json()) as {
      models?: string[] | null;
      team?: { name?: string; models?: string[] | null } | null;
    };
    const team =
      me.team && typeof me.team.name === "string" ? { name: me.team.name, models: me.team.models ?? null } : null;
    return { key: Array.isArray(me.models) ? me.models : null, team };
  } catch {
    return undefined;
  }
}
