import type { SearchHit } from "./types.js";

/** A domain as a tool's allowed_domains / blocked_domains gives it, made comparable: `https://Docs.X.com/a` → `docs.x.com`. */
export function normalDomain(domain: string): string {
  let d = domain.trim().toLowerCase();
  d = d.replace(/^[a-z][a-z0-9+.-]*:\/\//, "");
  d = d.replace(/[/?#].*$/, "").replace(/:\d+$/, "");
  d = d.replace(/^\*\./, "").replace(/\.$/, "");
  return d;
}

/** The host of a URL, lower case, without a trailing dot; undefined when it is not an http(s) URL. */
export function hostOf(url: string): string | undefined {
  try {
    const u = new URL(url);
    if (u.protocol !== "http:" && u.protocol !== "https:") return undefined;
    return u.hostname.toLowerCase().replace(/\.$/, "");
  } catch {
    return undefined;
  }
}

/** Whether a host is `domain` or one of its subdomains. */
export function onDomain(host: string, domain: string): boolean {
  const d = normalDomain(domain);
  if (d === "") return false;
  return host === d || host.endsWith(`.${d}`);
}

/**
 * Why a URL may not be used under a tool's domain lists (blocked wins; with an allow-list, only its domains and
 * their subdomains), or undefined when it may.
 */
export function domainRefusal(
  url: string,
  allowed: readonly string[] | undefined,
  blocked: readonly string[] | undefined,
): string | undefined {
  const host = hostOf(url);
  if (host === undefined) return "not an http(s) URL";
  const bad = blocked?.find((d) => onDomain(host, d));
  if (bad !== undefined) return `${host} is on a blocked domain (${normalDomain(bad)})`;
  if (allowed && allowed.length > 0 && !allowed.some((d) => onDomain(host, d)))
    return `${host} is not on an allowed domain`;
  return undefined;
}

/**
 * A provider's hits as a tool may see them: only http(s) URLs, none on a blocked domain, only allowed ones
 * when there is an allow-list (whatever the provider did with the filters it was sent), no URL twice, at most
 * `count`.
 */
export function filterHits(
  hits: readonly SearchHit[],
  q: { count: number; allowedDomains?: readonly string[] | undefined; blockedDomains?: readonly string[] | undefined },
): SearchHit[] {
  const out: SearchHit[] = [];
  const seen = new Set<string>();
  for (const h of hits) {
    if (out.length >= q.count) break;
    if (seen.has(h.url)) continue;
    if (domainRefusal(h.url, q.allowedDomains, q.blockedDomains) !== undefined) continue;
    seen.add(h.url);
    out.push(h);
  }
  return out;
}
