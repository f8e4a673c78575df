import { createHash, randomBytes, randomInt } from "node:crypto";

/** Access tokens start with this (the resolver knows them by it; minted keys start with `lx-`). */
export const ACCESS_PREFIX = "lxs-";
/** Refresh tokens start with this (never accepted as a bearer). */
export const REFRESH_PREFIX = "lxr-";

/** A secret of 256 random bits, base64url, with a prefix. */
export const secret = (prefix = ""): string => `${prefix}${randomBytes(32).toString("base64url")}`;

/** The SHA-256 of a secret, hex: what the data layer keeps of it. */
export const digest = (s: string): string => createHash("sha256").update(s).digest("hex");

/** RFC 8628 §6.1: consonants only (base 20), no vowels to spell words, no look-alikes. */
const CHARSET = "BCDFGHJKLMNPQRSTVWXZ";

/** A user code `WDJB-MJHT` (8 characters of base 20: about 34 bits). */
export function userCode(): string {
  let s = "";
  for (let i = 0; i < 8; i++) s += CHARSET[randomInt(CHARSET.length)];
  return `${s.slice(0, 4)}-${s.slice(4)}`;
}

/** A user code as a person typed it (lower case, spaces, no dash) in its stored form; undefined if it is none. */
export function normalUserCode(typed: string): string | undefined {
  const s = typed.toUpperCase().replace(/[^A-Z]/g, "");
  if (s.length !== 8 || [...s].some((c) => !CHARSET.includes(c))) return undefined;
  return `${s.slice(0, 4)}-${s.slice(4)}`;
}
