import { MAX_WEB_CALL_NOTES, type WebCallNote } from "../ir/web-tools.js";
import type { FetchedPage, SearchHit, WebToolErrorCode, WebTools } from "../search/types.js";
import { WebToolError } from "../search/types.js";
import { noteOf } from "./web-tools-note.js";
import { DEFAULT_MAX_USES, DEFAULT_RESULTS, type WebToolSpec } from "./web-tools-plan.js";
import { errorText, fetchText, searchText } from "./web-tools-text.js";

/** How long one search or fetch may take before the model is told it timed out. */
export const WEB_TOOL_TIMEOUT_MS = 20_000;
/** The longest query sent to a provider (Anthropic's query_too_long). */
export const MAX_QUERY_CHARS = 500;
/** The longest URL fetched. */
export const MAX_URL_CHARS = 2048;
/** A page given to the model when the client sets no max_content_tokens: about 25k tokens. */
const DEFAULT_PAGE_CHARS = 100_000;

/** One web tool call run for the model: what the client is shown, and what the model is told. */
export interface WebOutcome {
  spec: WebToolSpec;
  /** The call's arguments as the model wrote them (parsed; {} when they were not a JSON object). */
  input: Record<string, unknown>;
  query?: string | undefined;
  url?: string | undefined;
  hits?: SearchHit[] | undefined;
  page?: FetchedPage | undefined;
  error?: { code: WebToolErrorCode; message: string } | undefined;
  /** The function result the model is given. */
  text: string;
}

function parse(args: string): Record<string, unknown> {
  try {
    const v = JSON.parse(args) as unknown;
    return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** Whether a host is one of the domains or under one of them. */
function under(host: string, domains: readonly string[]): boolean {
  return domains.some((d) => {
    const dom = d.toLowerCase().replace(/^\*?\./, "");
    return host === dom || host.endsWith(`.${dom}`);
  });
}

/** Whether a result's URL keeps to the client's allowed and blocked domains (whatever the provider did). */
function onDomains(url: string, spec: WebToolSpec): boolean {
  let host: string;
  try {
    host = new URL(url).hostname.toLowerCase();
  } catch {
    return false;
  }
  if (spec.allowedDomains?.length && !under(host, spec.allowedDomains)) return false;
  return !(spec.blockedDomains?.length && under(host, spec.blockedDomains));
}

/** Rejects with a timeout once `ms` pass, aborting the call's own signal. */
function bounded<T>(run: (signal: AbortSignal) => Promise<T>, outer: AbortSignal, ms: number): Promise<T> {
  const ctl = new AbortController();
  const onAbort = () => ctl.abort(outer.reason);
  outer.addEventListener("abort", onAbort, { once: true });
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      ctl.abort(new Error("timeout"));
      reject(new WebToolError("timeout", `no answer within ${ms} ms`));
    }, ms);
  });
  return Promise.race([run(ctl.signal), late]).finally(() => {
    clearTimeout(timer);
    outer.removeEventListener("abort", onAbort);
  });
}

/**
 * Runs the web tool calls of one client request against the configured search provider and page fetcher:
 * each tool's max_uses, domains and location honoured, every call bounded in time (a provider that fails or
 * hangs gives the model an error result, never a hung request). It counts what it ran, for the answer's
 * usage, the log and the bill.
 */
export class WebRunner {
  searches = 0;
  fetches = 0;
  /** Nano-dollars the searches and fetches cost (the providers' prices). */
  nanos = 0;
  readonly queries: string[] = [];
  readonly urls: string[] = [];
  /** Each call as the request log keeps it (the first MAX_WEB_CALL_NOTES), and how many more there were. */
  readonly notes: WebCallNote[] = [];
  notesOmitted = 0;
  private readonly uses = new Map<string, number>();

  constructor(
    private readonly tools: WebTools,
    private readonly signal: AbortSignal,
    private readonly timeoutMs = WEB_TOOL_TIMEOUT_MS,
  ) {}

  async run(spec: WebToolSpec, args: string): Promise<WebOutcome> {
    const input = parse(args);
    const out: WebOutcome = { spec, input, text: "" };
    try {
      const used = this.uses.get(spec.kind) ?? 0;
      if (used >= (spec.maxUses ?? DEFAULT_MAX_USES))
        throw new WebToolError(
          "max_uses_exceeded",
          `${spec.name} may be used ${spec.maxUses ?? DEFAULT_MAX_USES} times`,
        );
      this.uses.set(spec.kind, used + 1);
      if (spec.kind === "search") await this.search(spec, input, out);
      else await this.fetch(spec, input, out);
    } catch (err) {
      const e =
        err instanceof WebToolError
          ? err
          : new WebToolError("unavailable", err instanceof Error ? err.message : String(err));
      out.error = { code: e.code, message: e.message.slice(0, 300) };
      out.text = errorText(spec.name, e.code, out.error.message);
    }
    if (this.notes.length < MAX_WEB_CALL_NOTES) this.notes.push(noteOf(out));
    else this.notesOmitted++;
    return out;
  }

  private async search(spec: WebToolSpec, input: Record<string, unknown>, out: WebOutcome): Promise<void> {
    const query = typeof input.query === "string" ? input.query.trim() : "";
    out.query = query.slice(0, MAX_QUERY_CHARS);
    if (!query) throw new WebToolError("invalid_input", "query is required");
    if (query.length > MAX_QUERY_CHARS)
      throw new WebToolError("query_too_long", `query is over ${MAX_QUERY_CHARS} characters`);
    const provider = this.tools.search;
    if (!provider) throw new WebToolError("unavailable", "no search provider is configured");
    this.searches++;
    this.queries.push(query);
    this.nanos += provider.nanosPerSearch;
    const count = spec.count ?? DEFAULT_RESULTS;
    const hits = await bounded(
      (signal) =>
        provider.search({
          query,
          count,
          allowedDomains: spec.allowedDomains,
          blockedDomains: spec.blockedDomains,
          userLocation: spec.userLocation,
          signal,
        }),
      this.signal,
      this.timeoutMs,
    );
    out.hits = hits.filter((h) => onDomains(h.url, spec)).slice(0, count);
    out.text = searchText(query, out.hits);
  }

  private async fetch(spec: WebToolSpec, input: Record<string, unknown>, out: WebOutcome): Promise<void> {
    const url = typeof input.url === "string" ? input.url.trim() : "";
    out.url = url.slice(0, MAX_URL_CHARS);
    if (!url || url.length > MAX_URL_CHARS || !/^https?:\/\//i.test(url))
      throw new WebToolError("invalid_input", "url must be an http or https URL");
    const fetcher = this.tools.fetcher;
    if (!fetcher) throw new WebToolError("unavailable", "no page fetcher is configured");
    this.fetches++;
    this.urls.push(url);
    this.nanos += fetcher.nanosPerFetch;
    const page = await bounded(
      (signal) =>
        fetcher.fetch(url, { signal, allowedDomains: spec.allowedDomains, blockedDomains: spec.blockedDomains }),
      this.signal,
      this.timeoutMs,
    );
    out.page = page;
    out.text = fetchText(page, spec.maxContentTokens ? spec.maxContentTokens * 4 : DEFAULT_PAGE_CHARS);
  }
}
