import { createHash, randomBytes } from "node:crypto";

const ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

/** Random bytes drawn ahead, a page at a time: one call into the CSPRNG per ~170 ids instead of one per id. */
const POOL_BYTES = 4096;
let pool = Buffer.alloc(0);
let used = 0;

/** A random id body of `length` base62 characters. */
export function randomId(length = 24): string {
  if (used + length > pool.length) {
    pool = randomBytes(Math.max(POOL_BYTES, length));
    used = 0;
  }
  let out = "";
  for (let i = 0; i < length; i++) out += ALPHABET[pool[used + i]! % 62];
  // Bytes given out once are never given out again.
  used += length;
  return out;
}

export function newId(prefix: string, length = 24): string {
  return `${prefix}${randomId(length)}`;
}

/** Characters of a time-ordered id's time: milliseconds since 1970 in base 36, enough until the year 5138. */
export const ID_TIME_CHARS = 9;

/**
 * An id whose first `ID_TIME_CHARS` characters are the time it was made (base 36, digits and lower-case letters,
 * which sort alike in every collation), the rest random base62: ids made one after another sort together. A
 * request's id keys its ledger, request-log and body rows: random keys land on random pages of each table's
 * primary-key index, which every insert then dirties and writes again (on SQLite, in the write-ahead log);
 * ids in the order they were made append to its last pages.
 */
export function timeOrderedId(prefix: string, length = 24, now = Date.now()): string {
  const time = Math.max(0, Math.floor(now)).toString(36).padStart(ID_TIME_CHARS, "0");
  return `${prefix}${time}${randomId(Math.max(0, length - ID_TIME_CHARS))}`;
}

export function shortHash(text: string, length = 10): string {
  return createHash("sha256").update(text).digest("base64url").replace(/[-_]/g, "x").slice(0, length);
}

const ANTHROPIC_ID = /^[a-zA-Z0-9_-]+$/;

/**
 * Anthropic tool ids must match ^[a-zA-Z0-9_-]+$. Ids from other providers (Kimi's `functions.Bash:0`) are
 * rewritten deterministically, so a call and its result always get the same new id; a short hash keeps two
 * ids that differ only in illegal characters apart.
 */
export function sanitizeAnthropicToolId(id: string): string {
  if (ANTHROPIC_ID.test(id)) return id;
  const base = id.replace(/[^a-zA-Z0-9_-]/g, "_");
  return `${base}_${shortHash(id, 8)}`;
}

/** Shortens an id to at most `max` characters, deterministically (same input, same output). */
export function shortenId(id: string, max: number): string {
  if (id.length <= max) return id;
  const hash = shortHash(id, 16);
  return `${id.slice(0, max - hash.length - 1)}_${hash}`;
}

export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

/**
 * An id derived from a seed (the upstream response id) and an ordinal: the same upstream stream always
 * yields the same ids, and distinct responses yield distinct ones.
 */
export function derivedId(prefix: string, seed: string, n: number, length = 24): string {
  if (!seed) return newId(prefix, length);
  const digest = createHash("sha256").update(`${seed}\u0000${n}`).digest();
  let out = prefix;
  for (let i = 0; i < length; i++) out += ALPHABET[digest[i % digest.length]! % 62];
  return out;
}

const KNOWN_PREFIX = /^(chatcmpl-|resp_|msg_|gen-)/;

/** The same id under another dialect's prefix (`resp_abc` → `chatcmpl-abc`), so ids stay traceable. */
export function reprefix(id: string, prefix: string): string {
  if (id.startsWith(prefix)) return id;
  const bare = id.replace(KNOWN_PREFIX, "");
  return `${prefix}${bare || newId("", 24)}`;
}
