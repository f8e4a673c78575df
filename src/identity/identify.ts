import { createHash } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import type { Principal } from "./principal.js";

/** Why a caller was turned away, in words for the client and for the log. */
export interface Refusal {
  readonly refused: true;
  /** Whether a key was presented at all (a wrong key and a missing key are told apart). */
  readonly presented: boolean;
  readonly message: string;
  /** The known key that was refused (revoked, disabled, expired, rotated): the request log names it. */
  readonly known?: RefusedKey | undefined;
}

/** Who a refused known key belongs to (never the key itself). */
export interface RefusedKey {
  readonly name?: string | undefined;
  readonly keyId?: string | undefined;
  readonly teamId?: string | undefined;
  readonly user?: string | undefined;
}

export type Verdict = Principal | Refusal | undefined;

/**
 * One way of recognising a caller from the key it presented: a Principal, a Refusal, or `undefined` to let
 * the next resolver decide. May be asynchronous (a key looked up in a database on a cache miss).
 */
export interface Resolver {
  resolve(key: string | undefined, headers: IncomingHttpHeaders): Verdict | Promise<Verdict>;
}

export function isRefusal(v: Principal | Refusal): v is Refusal {
  return "refused" in v;
}

/** `digest:` + the first 22 characters of the base64url SHA-256 of a key: an owner that never reveals it. */
export function keyDigest(key: string): string {
  return createHash("sha256").update(key).digest("base64url").slice(0, 22);
}

/** The key a client presented: `Authorization: Bearer`, `x-api-key`, `api-key` or `x-goog-api-key` (Gemini). */
export function presentedKey(h: IncomingHttpHeaders): string | undefined {
  const auth = h.authorization;
  if (auth) {
    const m = /^Bearer\s+(.+)$/i.exec(auth.trim());
    if (m) return m[1]!.trim();
  }
  const x = h["x-api-key"] ?? h["api-key"] ?? h["x-goog-api-key"];
  return Array.isArray(x) ? x[0] : x;
}

const MISSING =
  "No API key: send one of llmux's service keys as 'Authorization: Bearer <key>', 'x-api-key', 'api-key' or (Gemini clients) 'x-goog-api-key'.";
const UNKNOWN = "The API key is not one of llmux's service keys (auth.keys in the llmux config).";

/**
 * The identify stage: asks its resolvers in order, from the request's headers alone (no body byte is read
 * before a caller is known). The first answer wins; when none answers, the caller is refused.
 */
export class Identifier {
  constructor(private readonly resolvers: readonly Resolver[]) {}

  async identify(headers: IncomingHttpHeaders): Promise<Principal | Refusal> {
    const key = presentedKey(headers);
    for (const r of this.resolvers) {
      const got = r.resolve(key, headers);
      // An answer given at once is taken at once: awaiting it would cost a promise and a turn for each resolver.
      const v = got instanceof Promise ? await got : got;
      if (v) return v;
    }
    return { refused: true, presented: key !== undefined, message: key === undefined ? MISSING : UNKNOWN };
  }
}
