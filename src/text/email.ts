/**
 * An address parsed strictly: exactly one `@`, a local part without spaces, quotes, brackets or separators, and
 * a domain of DNS labels. `q@evil.example@example.com` is no address at example.com (nor at all).
 */
const ADDRESS = /^[^\s@"<>(),;:\\[\]]+@((?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63})$/;

/** The domain of an address, lower-cased, or undefined when it is not one plain address. */
export function emailDomain(address: string): string | undefined {
  if (address.length > 320) return undefined;
  return ADDRESS.exec(address.toLowerCase())?.[1];
}

/**
 * Whether an address is at one of `domains` (compared case-insensitively, a trailing dot ignored). Exactly the
 * domain: `dev.example.com` is not `example.com` (a subdomain may be someone else's mail); list each one.
 */
export function atDomain(address: string, domains: readonly string[]): boolean {
  const domain = emailDomain(address);
  if (domain === undefined) return false;
  return domains.some((d) => d.toLowerCase().replace(/\.$/, "").replace(/^@/, "") === domain);
}
