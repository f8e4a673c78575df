import { z } from "zod";
import { TAG_PATTERN } from "../text/tag.js";
import { secret } from "./secret-fields.js";

/** The HTTP media types a page fetch accepts unless `search.fetch.content_types` says otherwise. */
export const DEFAULT_FETCH_TYPES = [
  "text/html",
  "application/xhtml+xml",
  "text/plain",
  "text/markdown",
  "application/json",
  "application/xml",
  "text/xml",
  "text/csv",
] as const;

const Results = z
  .number()
  .int()
  .min(1)
  .max(20)
  .default(5)
  .describe("Results a search returns at most (1–20; a tool call asking for fewer gets fewer).");
const SearchTimeout = z
  .number()
  .int()
  .positive()
  .max(120_000)
  .default(8000)
  .describe("Milliseconds a search may take before it fails with a timeout (the model is told).");
const PricePer1000 = z
  .number()
  .min(0)
  .max(1000)
  .default(0)
  .describe("USD per 1,000 calls: each call's cost is on the request's log row, the ledger and the budgets.");
const ApiKey = (how: string) =>
  secret(
    z
      .string()
      .min(1)
      .describe(
        `The provider's API key, ${how}. Write "\${VARIABLE}" to read it from the environment, or a sealed value (\`sealed:…\` from \`llmux secrets seal\`, opened with secrets.master_key).`,
      ),
  );
const Url = z.url().regex(/^https?:\/\//i, "an http:// or https:// URL");

const common = { timeout_ms: SearchTimeout, results: Results, price_per_1000: PricePer1000 };

const Searxng = z
  .object({
    kind: z.literal("searxng").describe("A SearXNG instance's JSON API (format json enabled in its settings.yml)."),
    url: Url.describe("The instance's root, e.g. http://searxng:8080 (llmux calls {url}/search?format=json)."),
    api_key: secret(
      z
        .string()
        .min(1)
        .optional()
        .describe(
          "Sent as Authorization: Bearer, for an instance behind a proxy that asks for one (SearXNG asks none).",
        ),
    ),
    language: z
      .string()
      .regex(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})?$|^all$|^auto$/, "a language code: en, en-US, all or auto")
      .optional()
      .describe("SearXNG's `language` parameter (en, de-CH, all); omit for the instance's default."),
    categories: z
      .array(z.string().regex(/^[a-z][a-z _-]{0,39}$/, "a SearXNG category name (general, news, it, science…)"))
      .max(10)
      .optional()
      .describe("SearXNG's `categories` (general, news, it, science…); omit for the instance's default."),
    ...common,
  })
  .strict();

const Brave = z
  .object({
    kind: z.literal("brave").describe("Brave Search's web search API."),
    url: Url.default("https://api.search.brave.com/res/v1/web/search").describe(
      "The endpoint (for a proxy or a test).",
    ),
    api_key: ApiKey("sent as the X-Subscription-Token header"),
    ...common,
  })
  .strict();

const Tavily = z
  .object({
    kind: z.literal("tavily").describe("Tavily's search API."),
    url: Url.default("https://api.tavily.com/search").describe("The endpoint (for a proxy or a test)."),
    api_key: ApiKey("sent as Authorization: Bearer"),
    ...common,
  })
  .strict();

const Exa = z
  .object({
    kind: z.literal("exa").describe("Exa's search API."),
    url: Url.default("https://api.exa.ai/search").describe("The endpoint (for a proxy or a test)."),
    api_key: ApiKey("sent as the x-api-key header"),
    ...common,
  })
  .strict();

export const SearchProviderSchema = z.discriminatedUnion("kind", [Searxng, Brave, Tavily, Exa]);

/** Who may use a web tool: a caller matching any entry. */
export const WebAllowSchema = z
  .object({
    keys: z
      .array(z.string().min(1).max(200))
      .max(500)
      .default([])
      .describe(
        "Minted keys by name (globs: `ci-*`); a service key of auth.keys is `config:` and its digest's first 6 characters.",
      ),
    teams: z
      .array(z.string().min(1).max(200))
      .max(500)
      .default([])
      .describe("Teams by id (team_…): every key of the team."),
    tags: z
      .array(z.string().regex(TAG_PATTERN, "a tag is key=value"))
      .max(100)
      .default([])
      .describe("A default tag of the key or its team (`websearch=on`): every key that carries it."),
  })
  .strict();

const FetchSchema = z
  .object({
    enabled: z
      .boolean()
      .default(true)
      .describe(
        "Whether llmux fetches pages for web_fetch itself (upstreams that cannot); false: the tool is removed.",
      ),
    max_bytes: z
      .number()
      .int()
      .min(1024)
      .max(20 * 1024 * 1024)
      .default(1024 * 1024)
      .describe("Bytes of a page read at most (after decompression); the rest is cut and the result says so."),
    timeout_ms: z
      .number()
      .int()
      .positive()
      .max(120_000)
      .default(15_000)
      .describe("Milliseconds a fetch may take in all (every redirect and the body) before it fails with a timeout."),
    max_redirects: z.number().int().min(0).max(20).default(5).describe("Redirects followed at most (each re-checked)."),
    content_types: z
      .array(z.string().regex(/^[a-z0-9.+-]+\/(\*|[a-z0-9.+-]+)$/i, "a media type: text/html, or text/*"))
      .min(1)
      .max(50)
      .default([...DEFAULT_FETCH_TYPES])
      .describe("Media types a page may have (`text/*` for a whole family); any other is refused."),
    allow_private_addresses: z
      .boolean()
      .default(false)
      .describe(
        "Let fetches reach private, loopback, link-local and metadata addresses (llmux itself, 10.x, 169.254.169.254…): checked on the URL, on every address it resolves to, and on every redirect. Leave off unless every caller may read the network llmux is in.",
      ),
    price_per_1000: PricePer1000,
    allow: WebAllowSchema.optional().describe("Who may fetch pages; omit for the same callers as search.allow."),
  })
  .strict();

export const SearchSchema = z
  .object({
    providers: z
      .record(
        z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, "letters, digits, _ . - (at most 64)"),
        SearchProviderSchema,
      )
      .default({})
      .describe("Search providers by a name of your choice: searxng, brave, tavily or exa."),
    default: z
      .string()
      .optional()
      .describe("The provider web_search calls use (a key of providers); may be omitted when there is one."),
    fetch: FetchSchema.default({
      enabled: true,
      max_bytes: 1024 * 1024,
      timeout_ms: 15_000,
      max_redirects: 5,
      content_types: [...DEFAULT_FETCH_TYPES],
      allow_private_addresses: false,
      price_per_1000: 0,
    }).describe("How llmux fetches pages for web_fetch."),
    allow: WebAllowSchema.optional().describe(
      "Who may search (and fetch, unless fetch.allow says); omit for every caller.",
    ),
    calls_per_minute: z
      .number()
      .int()
      .positive()
      .optional()
      .describe("Searches and fetches a caller (a key) may make per minute, over every instance; omit for no limit."),
  })
  .strict()
  .superRefine((s, ctx) => {
    const names = Object.keys(s.providers);
    if (s.default !== undefined && !s.providers[s.default])
      ctx.addIssue({
        code: "custom",
        path: ["default"],
        message: `no search provider named '${s.default}'${names.length ? ` (known: ${names.join(", ")})` : ""}`,
      });
    if (s.default === undefined && names.length > 1)
      ctx.addIssue({
        code: "custom",
        path: ["default"],
        message: `required with several providers: name one of ${names.join(", ")}`,
      });
  })
  .optional()
  .describe("Web search and web fetch run by llmux for upstreams that cannot run them (see docs/search.md).");

export type SearchConfig = z.infer<typeof SearchSchema> & {};
export type SearchProviderConfig = z.infer<typeof SearchProviderSchema>;
export type WebAllow = z.infer<typeof WebAllowSchema>;
