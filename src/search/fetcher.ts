import { isIP } from "node:net";
import type { SearchConfig } from "../config/schema-search.js";
import { guardedFetch, PrivateAddressRefused } from "../http/guarded-fetch.js";
import { isPrivateAddress, privateHostOf } from "../http/private-address.js";
import { readBounded, UnsupportedEncoding } from "./bounded-read.js";
import { domainRefusal } from "./domains.js";
import { nanosPerCall } from "./providers.js";
import { type FetchedPage, type PageFetcher, WebToolError } from "./types.js";

export type FetchSettings = SearchConfig["fetch"];

/** The longest URL fetched. */
export const MAX_URL_CHARS = 4096;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const SETTING = "search.fetch.allow_private_addresses";

/** Whether a media type is one of the allowed (`text/html`, or a family: `text/*`). */
export function typeAllowed(mediaType: string, allowed: readonly string[]): boolean {
  const t = mediaType.toLowerCase();
  const family = `${t.split("/")[0]}/*`;
  return allowed.some((a) => {
    const x = a.toLowerCase();
    return x === t || x === family;
  });
}

const isHtml = (t: string) => t === "text/html" || t === "application/xhtml+xml";

/** The charset a page is in: its header's, else (HTML) its `<meta charset>`, else UTF-8. */
function charsetOf(contentType: string, head: Buffer, html: boolean): string {
  const fromHeader = /;\s*charset\s*=\s*"?([A-Za-z0-9._:-]{1,40})/i.exec(contentType)?.[1];
  if (fromHeader) return fromHeader;
  if (html) {
    const m = /<meta[^>]{0,200}charset\s*=\s*["']?([A-Za-z0-9._:-]{1,40})/i.exec(head.toString("latin1"));
    if (m) return m[1]!;
  }
  return "utf-8";
}

function decode(bytes: Buffer, charset: string): string {
  try {
    return new TextDecoder(charset).decode(bytes);
  } catch {
    return new TextDecoder("utf-8").decode(bytes);
  }
}

/** Why a URL's host, as written, is not to be fetched (a private IP literal, localhost, *.internal). */
function hostRefusal(u: URL, isPrivate: (address: string) => boolean): string | undefined {
  const bare = u.hostname.replace(/^\[|\]$/g, "");
  if (isIP(bare)) return isPrivate(bare) ? `${bare} is a private, loopback or link-local address` : undefined;
  return privateHostOf(u.href);
}

/** Test seams: which addresses count as private (the real guard runs; a test may exempt its own page server). */
export interface FetcherOptions {
  isPrivate?: (address: string) => boolean;
}

/**
 * The page fetcher of web_fetch: over the guarded fetch (src/http/guarded-fetch.ts), so a private, loopback,
 * link-local or metadata address is refused whether written in the URL or resolved from its name, on the first
 * request and on every redirect (each hop checked again, domain lists included), unless
 * `allow_private_addresses`. Bounded in time (all hops and the body), redirects, bytes (after decompression;
 * past the limit the page is cut and says so) and media types. HTML is turned into text.
 */
export function pageFetcherOf(cfg: FetchSettings, opts: FetcherOptions = {}): PageFetcher {
  const isPrivate = opts.isPrivate ?? isPrivateAddress;
  const get = guardedFetch({
    allowPrivate: cfg.allow_private_addresses,
    setting: SETTING,
    ...(opts.isPrivate ? { isPrivate: opts.isPrivate } : {}),
  });
  const accept = [...cfg.content_types, "*/*;q=0.1"].join(", ");
  return {
    nanosPerFetch: nanosPerCall(cfg.price_per_1000),
    async fetch(url, o): Promise<FetchedPage> {
      if (url.length > MAX_URL_CHARS)
        throw new WebToolError("invalid_input", `the URL is over ${MAX_URL_CHARS} characters`);
      let current: URL;
      try {
        current = new URL(url);
      } catch {
        throw new WebToolError("invalid_input", "not a URL");
      }
      if (current.protocol !== "http:" && current.protocol !== "https:")
        throw new WebToolError("invalid_input", `only http and https URLs are fetched (not ${current.protocol})`);
      const timer = AbortSignal.timeout(cfg.timeout_ms);
      const signal = AbortSignal.any([o.signal, timer]);
      const failed = (err: unknown, what: string): never => {
        if (o.signal.aborted) throw o.signal.reason ?? err;
        if (timer.aborted) throw new WebToolError("timeout", `the page did not arrive within ${cfg.timeout_ms} ms`);
        if (err instanceof WebToolError) throw err;
        if (err instanceof PrivateAddressRefused) throw new WebToolError("url_not_allowed", err.message);
        throw new WebToolError("url_not_accessible", what);
      };
      for (let hop = 0; ; hop++) {
        if (current.username || current.password)
          throw new WebToolError("url_not_allowed", "a URL with a user name or password is not fetched");
        const refusal = domainRefusal(current.href, o.allowedDomains, o.blockedDomains);
        if (refusal) throw new WebToolError("url_not_allowed", hop ? `redirected to ${refusal}` : refusal);
        const privateHost = cfg.allow_private_addresses ? undefined : hostRefusal(current, isPrivate);
        if (privateHost)
          throw new WebToolError("url_not_allowed", `${hop ? "redirected: " : ""}${privateHost} (${SETTING})`);
        let res: Response;
        try {
          res = await get(current, {
            headers: { accept, "accept-encoding": "gzip, deflate, br", "user-agent": "llmux-web-fetch" },
            signal,
          });
        } catch (err) {
          const code = (err as { code?: unknown }).code;
          return failed(err, `${current.host} could not be reached${typeof code === "string" ? ` (${code})` : ""}`);
        }
        if (REDIRECTS.has(res.status)) {
          await res.body?.cancel().catch(() => undefined);
          const location = res.headers.get("location");
          if (!location) throw new WebToolError("url_not_accessible", `HTTP ${res.status} without a Location`);
          if (hop >= cfg.max_redirects)
            throw new WebToolError("url_not_accessible", `more than ${cfg.max_redirects} redirects`);
          try {
            current = new URL(location, current);
          } catch {
            throw new WebToolError("url_not_accessible", "redirected to something that is not a URL");
          }
          if (current.protocol !== "http:" && current.protocol !== "https:")
            throw new WebToolError("url_not_allowed", `redirected to a ${current.protocol} URL`);
          continue;
        }
        if (res.status < 200 || res.status >= 300) {
          await res.body?.cancel().catch(() => undefined);
          throw new WebToolError("url_not_accessible", `the server answered HTTP ${res.status}`);
        }
        const contentType = res.headers.get("content-type") ?? "";
        const mediaType = contentType.split(";")[0]!.trim().toLowerCase() || "application/octet-stream";
        if (!typeAllowed(mediaType, cfg.content_types)) {
          await res.body?.cancel().catch(() => undefined);
          throw new WebToolError("unsupported_content_type", `the page is ${mediaType}, not a type fetched`);
        }
        let body: Awaited<ReturnType<typeof readBounded>>;
        try {
          body = await readBounded(res.body, res.headers.get("content-encoding") ?? "", cfg.max_bytes);
        } catch (err) {
          if (err instanceof UnsupportedEncoding)
            throw new WebToolError("unsupported_content_type", `the page is ${err.message}`);
          return failed(err, "the page was cut off");
        }
        const html = isHtml(mediaType);
        const raw = decode(body.bytes, charsetOf(contentType, body.bytes.subarray(0, 2048), html));
        // The HTML parser is loaded with the first page that needs it (a gateway that fetches none never does).
        const page = html ? (await import("./html-text.js")).htmlToText(raw) : { text: raw };
        return {
          url,
          finalUrl: current.href,
          ...(page.title ? { title: page.title } : {}),
          contentType: mediaType,
          text: page.text,
          truncated: body.truncated,
          bytes: body.wire,
          retrievedAt: new Date().toISOString(),
        };
      }
    },
  };
}
