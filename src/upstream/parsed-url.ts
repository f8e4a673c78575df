/** The parts of an upstream URL a request is made of, kept per URL (a provider calls few). */
export interface ParsedUrl {
  readonly url: URL;
  readonly secure: boolean;
  readonly protocol: string;
  readonly hostname: string;
  readonly port: string | undefined;
  readonly path: string;
}

const parsedUrls = new Map<string, ParsedUrl>();

export function parsedUrl(href: string): ParsedUrl {
  let p = parsedUrls.get(href);
  if (p) return p;
  const url = new URL(href);
  p = {
    url,
    secure: url.protocol === "https:",
    protocol: url.protocol,
    hostname: url.hostname.startsWith("[") ? url.hostname.slice(1, -1) : url.hostname,
    port: url.port || undefined,
    path: `${url.pathname}${url.search}`,
  };
  // Bounded: URLs that carry a per-call part (none do today) would not grow it without end.
  if (parsedUrls.size >= 256) parsedUrls.clear();
  parsedUrls.set(href, p);
  return p;
}
