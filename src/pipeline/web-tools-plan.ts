import type { Dialect, JsonObject, Request, Tool, UpstreamDialect } from "../ir/types.js";
import type { Warnings } from "../ir/warnings.js";
import { DEFAULT_MAX_USES, type WebPlan, type WebToolSpec } from "../ir/web-tools.js";

export type { WebPlan, WebToolSpec } from "../ir/web-tools.js";
export { DEFAULT_MAX_USES };

/**
 * The web tools a request offers the model (Anthropic's web_search / web_fetch server tools, the Responses
 * web_search tool, Gemini's googleSearch) and, when the routed upstream cannot run them, the ordinary function
 * tools llmux declares in their place and runs itself (docs/search.md).
 */

/** Which web tools llmux can run for this caller (configured and allowed). */
export interface WebAvailability {
  search: boolean;
  fetch: boolean;
  /** Why a tool is not available, told to the model. */
  why?: string | undefined;
  /** The price of one search and of one fetch, in nano-dollars (held at admission for each use allowed). */
  nanosPerSearch?: number | undefined;
  nanosPerFetch?: number | undefined;
}

/** The most results a search returns to the model. */
export const DEFAULT_RESULTS = 5;

const SEARCH_PARAMS = {
  type: "object",
  properties: { query: { type: "string", description: "The search query" } },
  required: ["query"],
};
const FETCH_PARAMS = {
  type: "object",
  properties: { url: { type: "string", description: "The URL of the page to fetch (http or https)" } },
  required: ["url"],
};

function strings(v: unknown): string[] | undefined {
  return Array.isArray(v) ? v.filter((s): s is string => typeof s === "string").slice(0, 100) : undefined;
}

function positive(v: unknown): number | undefined {
  return typeof v === "number" && Number.isInteger(v) && v > 0 ? v : undefined;
}

function location(v: unknown): WebToolSpec["userLocation"] {
  if (!v || typeof v !== "object" || Array.isArray(v)) return undefined;
  const o = v as JsonObject;
  const out: NonNullable<WebToolSpec["userLocation"]> = {};
  for (const k of ["country", "region", "city", "timezone"] as const) {
    const s = o[k];
    if (typeof s === "string" && s.length <= 100) out[k] = s;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

const CONTEXT_SIZE: Record<string, number> = { low: 3, medium: 5, high: 10 };

/** The web tool a raw tool declaration stands for, if it is one. */
export function webToolOf(t: Tool): WebToolSpec | undefined {
  if (t.kind !== "raw") return undefined;
  const v = t.value;
  const type = typeof v.type === "string" ? v.type : "";
  if (t.dialect === "anthropic") {
    const kind = type.startsWith("web_search_") ? "search" : type.startsWith("web_fetch_") ? "fetch" : undefined;
    if (!kind) return undefined;
    return {
      kind,
      name: kind === "search" ? "web_search" : "web_fetch",
      dialect: "anthropic",
      maxUses: positive(v.max_uses),
      allowedDomains: strings(v.allowed_domains),
      blockedDomains: strings(v.blocked_domains),
      userLocation: location(v.user_location),
      maxContentTokens: positive(v.max_content_tokens),
    };
  }
  if (t.dialect === "openai-responses") {
    if (type !== "web_search" && type !== "web_search_preview" && !type.startsWith("web_search_preview_"))
      return undefined;
    const filters = v.filters && typeof v.filters === "object" ? (v.filters as JsonObject) : {};
    return {
      kind: "search",
      name: "web_search",
      dialect: "openai-responses",
      allowedDomains: strings(filters.allowed_domains),
      userLocation: location(v.user_location),
      count: CONTEXT_SIZE[String(v.search_context_size)] ?? undefined,
    };
  }
  if (t.dialect === "gemini" && ("googleSearch" in v || "google_search" in v))
    return { kind: "search", name: "web_search", dialect: "gemini" };
  return undefined;
}

/** Whether an upstream of this dialect runs the client's native web tool itself. */
export function runsNatively(tool: Dialect, upstream: UpstreamDialect): boolean {
  return tool === upstream;
}

function declaration(spec: WebToolSpec): Tool {
  return spec.kind === "search"
    ? {
        kind: "function",
        name: spec.name,
        description:
          "Search the web. Returns the most relevant results (title, URL, page age, an extract) for the query; " +
          "cite the URLs you use in your answer.",
        parameters: SEARCH_PARAMS,
      }
    : {
        kind: "function",
        name: spec.name,
        description: "Fetch a web page by its URL and return its text.",
        parameters: FETCH_PARAMS,
      };
}

/**
 * A translated request's web tools made runnable by its upstream: left as they are where the upstream runs
 * them natively; otherwise each is declared to the model as a function tool that llmux runs (the returned
 * plan; the conversation's earlier uses of it are put back as calls and results when it is encoded:
 * src/pipeline/web-tools-history.ts). A tool llmux cannot run
 * for this caller is removed and the model told so (a note after the instructions), never silently.
 */
export function planWebTools(
  ir: Request,
  upstream: UpstreamDialect,
  available: WebAvailability | undefined,
  warnings: Warnings,
): WebPlan | undefined {
  const tools = ir.tools;
  const found = tools?.map((t) => ({ t, spec: webToolOf(t) })).filter((x) => x.spec !== undefined) ?? [];
  if (found.length === 0) return undefined;
  const web: WebPlan = {};
  const refused: string[] = [];
  const keep: Tool[] = [];
  for (const t of tools ?? []) {
    const spec = webToolOf(t);
    if (!spec || runsNatively(spec.dialect, upstream)) {
      keep.push(t);
      continue;
    }
    if (web[spec.kind]) continue;
    if (!available?.[spec.kind]) {
      refused.push(spec.dialect === "gemini" ? "googleSearch" : spec.name);
      continue;
    }
    const nanosPerCall = spec.kind === "search" ? available.nanosPerSearch : available.nanosPerFetch;
    web[spec.kind] = nanosPerCall ? { ...spec, nanosPerCall } : spec;
    keep.push(declaration(spec));
  }
  if (tools) ir.tools = keep;
  if (refused.length > 0) {
    const why = available?.why ?? "no web search provider is configured on this gateway";
    const note = `Note: the ${refused.join(" and ")} tool${refused.length > 1 ? "s are" : " is"} not available here (${why}). Answer without ${refused.length > 1 ? "them" : "it"}.`;
    ir.instructions = [...(ir.instructions ?? []), { type: "text", text: note }];
    warnings.add("web_tool_unavailable", `${refused.join(", ")} removed: ${why}`, "tools");
  }
  return web.search || web.fetch ? web : undefined;
}
