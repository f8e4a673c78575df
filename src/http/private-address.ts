import { BlockList, isIP } from "node:net";

/**
 * Addresses a remote server added by someone other than the operator may not point at: llmux's own host
 * (loopback), private networks, link-local addresses (the cloud metadata services: 169.254.169.254,
 * fd00:ec2::254), carrier-grade NAT, and the reserved, multicast and unspecified ranges.
 */
const PRIVATE = new BlockList();
for (const [net, bits] of [
  ["0.0.0.0", 8],
  ["10.0.0.0", 8],
  ["100.64.0.0", 10],
  ["127.0.0.0", 8],
  ["169.254.0.0", 16],
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.0.2.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["198.51.100.0", 24],
  ["203.0.113.0", 24],
  ["224.0.0.0", 4],
  ["240.0.0.0", 4],
] as const)
  PRIVATE.addSubnet(net, bits, "ipv4");
for (const [net, bits] of [
  ["::", 128],
  ["::1", 128],
  ["fc00::", 7],
  ["fe80::", 10],
  ["ff00::", 8],
  ["2001:db8::", 32],
] as const)
  PRIVATE.addSubnet(net, bits, "ipv6");

/** The IPv4 address an IPv6 one carries (`::ffff:a.b.c.d`, NAT64 `64:ff9b::a.b.c.d`), if any. */
function embeddedV4(v6: string): string | undefined {
  const m = /^(?:::ffff:|64:ff9b::)(?:0:)?(\d+\.\d+\.\d+\.\d+)$/i.exec(v6);
  if (m) return m[1];
  const hex = /^(?:::ffff:|64:ff9b::)([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(v6);
  if (!hex) return undefined;
  const [a, b] = [Number.parseInt(hex[1]!, 16), Number.parseInt(hex[2]!, 16)];
  return `${a >> 8}.${a & 255}.${b >> 8}.${b & 255}`;
}

/** Whether an IP address (v4 or v6) is loopback, private, link-local, metadata or otherwise not public. */
export function isPrivateAddress(address: string): boolean {
  const a = address.replace(/^\[|\]$/g, "").replace(/%.*$/, "");
  const family = isIP(a);
  if (family === 4) return PRIVATE.check(a, "ipv4");
  if (family === 6) {
    const v4 = embeddedV4(a);
    return v4 !== undefined ? PRIVATE.check(v4, "ipv4") : PRIVATE.check(a, "ipv6");
  }
  return false;
}

/**
 * Why a URL's host, as written, is not a public address (a private IP literal, `localhost`, `*.localhost`,
 * `*.internal`); undefined when its text is no such thing (its resolved addresses are checked when connecting).
 */
export function privateHostOf(url: string): string | undefined {
  let host: string;
  try {
    host = new URL(url).hostname.toLowerCase().replace(/\.$/, "");
  } catch {
    return undefined;
  }
  const bare = host.replace(/^\[|\]$/g, "");
  if (isIP(bare)) return isPrivateAddress(bare) ? `${bare} is a private, loopback or link-local address` : undefined;
  if (bare === "localhost" || bare.endsWith(".localhost")) return `${bare} is this host`;
  if (bare.endsWith(".internal")) return `${bare} is an internal name (cloud metadata, private zones)`;
  return undefined;
}
