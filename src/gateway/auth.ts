import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import { header } from "./http.js";

/** The key a client presented: `Authorization: Bearer`, `x-api-key` or `api-key`. */
export function presentedKey(h: IncomingHttpHeaders): string | undefined {
  const auth = header(h, "authorization");
  if (auth) {
    const m = /^Bearer\s+(.+)$/i.exec(auth.trim());
    if (m) return m[1]!.trim();
  }
  return header(h, "x-api-key") ?? header(h, "api-key");
}

const digest = (s: string) => createHash("sha256").update(s).digest();

/** Checks presented keys against the configured ones in constant time (per key, digests of equal length). */
export class KeyRing {
  private readonly digests: Buffer[];
  constructor(keys: readonly string[]) {
    this.digests = keys.map(digest);
  }

  get open(): boolean {
    return this.digests.length === 0;
  }

  accepts(key: string | undefined): boolean {
    if (this.open) return true;
    if (!key) return false;
    const d = digest(key);
    let ok = false;
    for (const k of this.digests) ok = timingSafeEqual(k, d) || ok;
    return ok;
  }
}
