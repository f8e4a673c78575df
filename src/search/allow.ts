import type { SearchConfig, WebAllow } from "../config/schema-search.js";
import type { Principal } from "../identity/principal.js";
import type { HotState } from "../state/hot-state.js";
import { hotKeys } from "../state/keys.js";
import { globToRegExp } from "../text/glob.js";
import { WebToolError, type WebTools } from "./types.js";

const MINUTE = 60_000;

/** Whether a caller matches an allow-list: its key's name (globs), its team's id, or a tag of its key or team. */
function matches(allow: WebAllow, p: Principal): boolean {
  if (p.name !== undefined && allow.keys.some((g) => globToRegExp(g).test(p.name!))) return true;
  if (p.teamId !== undefined && allow.teams.includes(p.teamId)) return true;
  return p.tags !== undefined && allow.tags.some((t) => p.tags!.includes(t));
}

/**
 * Whether a caller may have llmux run a web tool for it: `search.allow` (and `search.fetch.allow` for fetches,
 * the same list when it is not given) admits it; without an allow-list (or without `search:`), every caller
 * may. Whether the tool is there at all is another matter (WebTools: a provider, a fetcher; none without
 * `search:`); `fetch.enabled: false` refuses fetches here too.
 */
export function mayUseWebTools(
  search: SearchConfig | undefined,
  principal: Principal,
  which: "search" | "fetch",
): boolean {
  if (!search) return true;
  if (which === "fetch" && !search.fetch.enabled) return false;
  const allow = which === "fetch" ? (search.fetch.allow ?? search.allow) : search.allow;
  return allow === undefined || matches(allow, principal);
}

/**
 * `search.calls_per_minute`, per caller (its owner: a key, a service key's digest), over every instance (the hot
 * state): undefined when the call may go, or the words that say it may not (the tool's result:
 * too_many_requests). A hot state that fails does not stop a call.
 */
export async function admitWebCall(
  hot: HotState,
  search: SearchConfig | undefined,
  principal: Principal,
  now = Date.now(),
): Promise<string | undefined> {
  const limit = search?.calls_per_minute;
  if (!limit) return undefined;
  const r = await hot.throttle(hotKeys.webCalls(principal.owner), 1, limit, MINUTE, now).catch(() => undefined);
  if (!r || r.ok) return undefined;
  return `Rate limit: this API key may make ${limit} web searches and fetches per minute; try again in ${Math.ceil(r.retryMs / 1000)} s.`;
}

/**
 * The web tools as one caller's request uses them: each search and fetch first counted against
 * `search.calls_per_minute` (past it: WebToolError too_many_requests, the model told when to try again).
 */
export function callerWebTools(
  tools: WebTools,
  hot: HotState,
  search: SearchConfig | undefined,
  principal: Principal,
): WebTools {
  if (!search?.calls_per_minute) return tools;
  const admit = async () => {
    const refused = await admitWebCall(hot, search, principal);
    if (refused) throw new WebToolError("too_many_requests", refused);
  };
  const { search: provider, fetcher } = tools;
  return {
    ...(provider
      ? {
          search: {
            name: provider.name,
            kind: provider.kind,
            nanosPerSearch: provider.nanosPerSearch,
            search: async (q) => {
              await admit();
              return provider.search(q);
            },
          },
        }
      : {}),
    ...(fetcher
      ? {
          fetcher: {
            nanosPerFetch: fetcher.nanosPerFetch,
            fetch: async (url, o) => {
              await admit();
              return fetcher.fetch(url, o);
            },
          },
        }
      : {}),
  };
}
