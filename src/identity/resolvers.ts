import { createHash, timingSafeEqual } from "node:crypto";
import { keyDigest, type Resolver } from "./identify.js";
import type { Principal } from "./principal.js";

const sha256 = (s: string) => createHash("sha256").update(s).digest();

/**
 * The service keys of the config (auth.keys), compared in constant time: every configured key is compared
 * (digests of equal length), whichever matches. A key that is not one of them is left to the next resolver.
 *
 * A key that matched is remembered with its principal (at most one entry per configured key, so the memory is
 * bounded by the config): the next request with it costs a map lookup instead of two SHA-256s, as minted keys'
 * hashes are remembered (minted.ts). A minted key (`lx-…`) is left to the next resolver without a hash when no
 * configured key has that prefix: the decision reads a public prefix, never the secret.
 */
export function configKeys(keys: readonly string[]): Resolver {
  const digests = keys.map(sha256);
  const matched = new Map<string, Principal>();
  const mintedShaped = keys.some((k) => k.startsWith("lx-"));
  return {
    resolve(key) {
      if (key === undefined || digests.length === 0) return undefined;
      const known = matched.get(key);
      if (known) return known;
      if (!mintedShaped && key.startsWith("lx-")) return undefined;
      const d = sha256(key);
      let ok = false;
      for (const k of digests) ok = timingSafeEqual(k, d) || ok;
      if (!ok) return undefined;
      const digest = keyDigest(key);
      const principal = {
        owner: `digest:${digest}`,
        kind: "config",
        name: `config:${digest.slice(0, 6)}`,
      } satisfies Principal;
      matched.set(key, principal);
      return principal;
    },
  };
}

/**
 * Pass-through: every caller spends its own provider key, which goes upstream in place of the provider's.
 * Its owner is the key's digest, so each caller's stored data stays its own; a request without a key is
 * refused (never served with a provider key from the config).
 */
export function passthroughKeys(providers?: readonly string[], own: readonly string[] = []): Resolver {
  const digests = own.map(sha256);
  return {
    resolve(key) {
      if (key === undefined) return undefined;
      // A key llmux knows (an admin or metrics key) is never a caller's own upstream key.
      if (digests.length > 0) {
        const d = sha256(key);
        let known = false;
        for (const k of digests) known = timingSafeEqual(k, d) || known;
        if (known)
          return {
            refused: true,
            presented: true,
            message: "This is one of llmux's own keys (admin or metrics), not an API key for models.",
          };
      }
      const digest = keyDigest(key);
      return {
        owner: `digest:${digest}`,
        kind: "passthrough",
        name: `passthrough:${digest.slice(0, 6)}`,
        callerKey: key,
        providers,
      } satisfies Principal;
    },
  };
}

const OPEN: Principal = { owner: "open", kind: "open" };

/** No key required: every caller is the same, `open`. */
export function openAccess(): Resolver {
  return { resolve: () => OPEN };
}

/**
 * The resolvers a config asks for, in order (other kinds of keys go in front of these). `own`: llmux's other
 * keys (admin, metrics), refused rather than passed through as a caller's own.
 */
export function configResolvers(
  auth: {
    keys: readonly string[];
    passthrough: boolean;
    passthrough_providers?: readonly string[] | undefined;
  },
  own: readonly string[] = [],
): Resolver[] {
  if (auth.passthrough) return [passthroughKeys(undefined, own)];
  // Pass-through for some providers: service keys first, any other key is the caller's key for those.
  const some = auth.passthrough_providers ?? [];
  if (some.length > 0) return [...(auth.keys.length > 0 ? [configKeys(auth.keys)] : []), passthroughKeys(some, own)];
  if (auth.keys.length > 0) return [configKeys(auth.keys)];
  return [openAccess()];
}
