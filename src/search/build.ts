import type { SearchConfig } from "../config/schema-search.js";
import { type Keyring, openSealedSetting, SEALED_PREFIX } from "../secrets/cipher.js";
import { type FetcherOptions, pageFetcherOf } from "./fetcher.js";
import { searchProviderOf } from "./providers.js";
import { type PageFetcher, type SearchProvider, WebToolError, type WebToolErrorCode, type WebTools } from "./types.js";

/** How a web tool call ended, for the metrics: `ok`, or the error code. */
export type WebOutcome = "ok" | "aborted" | WebToolErrorCode;

/** What is told of each call (the metrics: llmux_web_searches_total, llmux_web_fetches_total). */
export interface WebToolHooks {
  searched?(provider: string, outcome: WebOutcome): void;
  fetched?(outcome: WebOutcome): void;
  /** A provider that cannot be used as configured (a sealed key llmux cannot open). */
  warn?(message: string): void;
}

const outcomeOf = (err: unknown): WebOutcome => (err instanceof WebToolError ? err.code : "aborted");

function counted(p: SearchProvider, hooks: WebToolHooks): SearchProvider {
  if (!hooks.searched) return p;
  const told = hooks.searched.bind(hooks);
  return {
    name: p.name,
    kind: p.kind,
    nanosPerSearch: p.nanosPerSearch,
    search: async (q) => {
      try {
        const hits = await p.search(q);
        told(p.name, "ok");
        return hits;
      } catch (err) {
        told(p.name, outcomeOf(err));
        throw err;
      }
    },
  };
}

function countedFetcher(f: PageFetcher, hooks: WebToolHooks): PageFetcher {
  if (!hooks.fetched) return f;
  const told = hooks.fetched.bind(hooks);
  return {
    nanosPerFetch: f.nanosPerFetch,
    fetch: async (url, o) => {
      try {
        const page = await f.fetch(url, o);
        told("ok");
        return page;
      } catch (err) {
        told(outcomeOf(err));
        throw err;
      }
    },
  };
}

/** Every configured provider by name (the default is `WebTools.search`). */
export function searchProvidersOf(
  search: SearchConfig,
  keyring: Keyring | undefined,
  hooks: WebToolHooks = {},
): Map<string, SearchProvider> {
  const out = new Map<string, SearchProvider>();
  for (const [name, cfg] of Object.entries(search.providers)) {
    const raw = cfg.api_key;
    const key = openSealedSetting(raw, keyring);
    let unusable: string | undefined;
    if (raw?.startsWith(SEALED_PREFIX) && key === undefined) {
      unusable = `search.providers.${name}.api_key is sealed with a master key llmux does not have (secrets.master_key)`;
      hooks.warn?.(`${unusable}: its searches fail`);
    }
    out.set(name, counted(searchProviderOf(name, cfg, key, unusable), hooks));
  }
  return out;
}

/**
 * The web tools llmux runs itself, from `search:` in the configuration: the default provider (the only one
 * when there is one) and the page fetcher (unless `fetch.enabled: false`). Nothing without `search:`.
 */
export function buildWebTools(
  search: SearchConfig | undefined,
  keyring: Keyring | undefined,
  hooks: WebToolHooks = {},
  fetcherOptions: FetcherOptions = {},
): WebTools {
  if (!search) return {};
  const providers = searchProvidersOf(search, keyring, hooks);
  const name = search.default ?? [...providers.keys()][0];
  const provider = name === undefined ? undefined : providers.get(name);
  return {
    ...(provider ? { search: provider } : {}),
    ...(search.fetch.enabled ? { fetcher: countedFetcher(pageFetcherOf(search.fetch, fetcherOptions), hooks) } : {}),
  };
}
