import { createHash, hkdfSync, randomBytes } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { adminSecrets } from "../config/admin-keys.js";
import type { Config } from "../config/schema.js";

/**
 * What a signed-in browser may do: change things, only look, administer one team (its keys, and see its
 * usage), or (a key holder) see its own key's usage.
 */
export type Role = "admin" | "read_only" | "team_admin" | "key";

/** A web UI sign-in, as sealed in its cookie. */
export interface Session {
  role: Role;
  /** How it was made: an admin key, a minted key, or OpenID Connect. */
  via: "admin_key" | "key" | "oidc";
  /** Who, in words (an email, a key's name, "admin key …abcd"). */
  name: string;
  email?: string | undefined;
  /** A team admin's team, as the configuration names it (an id or a name). */
  team?: string | undefined;
  /** OpenID Connect sign-ins: the groups (of those the roles name) the ID token listed. */
  groups?: string[] | undefined;
  /** Admin-key sign-ins: a digest of the key, so the sign-in ends when the key leaves admin.keys. */
  kh?: string | undefined;
  /** Key-holder sign-ins: the minted key itself (sealed; presented on /admin/v1/me for the browser). */
  key?: string | undefined;
  key_id?: string | undefined;
  /** Expiry, seconds since the epoch. */
  exp: number;
}

export const SESSION_COOKIE = "llmux_session";
export const FLOW_COOKIE = "llmux_oidc";

/** A short digest of an admin key (never the key): which of admin.keys a sign-in came from. */
export function keyHint(key: string): string {
  return createHash("sha256").update(key).digest("base64url").slice(0, 16);
}

/** The sealing key: `admin.ui.session_secret`, or derived from the secrets every instance shares. */
export function sessionSecret(config: Config): { key: Buffer; derived: "configured" | "shared" | "random" } {
  const admin = config.admin;
  const configured = admin.ui.session_secret;
  const shared =
    adminSecrets(admin.keys).sort().join("\n") + (config.secrets.master_key ?? "") + (admin.oidc?.client_secret ?? "");
  const ikm = configured ?? (shared.length > 0 ? shared : undefined);
  const derived = configured ? "configured" : ikm ? "shared" : "random";
  const material = ikm === undefined ? randomBytes(32) : Buffer.from(ikm, "utf8");
  return { key: Buffer.from(hkdfSync("sha256", material, "llmux-ui", "session-seal-v1", 32)), derived };
}

/**
 * Seals small JSON objects into cookie values, and opens them: a JWE (jose; `dir` key agreement, A256GCM) of
 * the object as JWT claims, its audience the cookie's name so one cookie cannot be replayed as another, its
 * `exp` the object's. Encrypted, not only signed: a key holder's sign-in carries the minted key itself, and a
 * sign-in in progress its PKCE verifier. A value that was changed, made with another key, meant for another
 * cookie or has expired opens as undefined.
 */
export class Sealer {
  constructor(private readonly key: Uint8Array) {}

  // jose (46 modules) is imported on the first cookie sealed or opened, not when the gateway starts.
  async seal(name: string, value: { exp: number }): Promise<string> {
    const { EncryptJWT } = await import("jose");
    return new EncryptJWT({ ...value })
      .setProtectedHeader({ alg: "dir", enc: "A256GCM" })
      .setAudience(name)
      .setExpirationTime(value.exp)
      .encrypt(this.key);
  }

  async open<T extends { exp: number }>(name: string, token: string | undefined): Promise<T | undefined> {
    if (!token || token.length > 8192) return undefined;
    const { jwtDecrypt } = await import("jose");
    try {
      const { payload } = await jwtDecrypt(token, this.key, {
        audience: name,
        requiredClaims: ["exp"],
        keyManagementAlgorithms: ["dir"],
        contentEncryptionAlgorithms: ["A256GCM"],
      });
      const { aud: _, ...value } = payload;
      return value as unknown as T;
    } catch {
      return undefined;
    }
  }
}

/** One cookie's value from the request's Cookie header. */
export function readCookie(req: IncomingMessage, name: string): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** Whether the browser reached llmux over HTTPS (directly, or through a proxy that says so). */
export function isSecure(req: IncomingMessage): boolean {
  const proto = req.headers["x-forwarded-proto"];
  const first = (Array.isArray(proto) ? proto[0] : proto)?.split(",")[0]?.trim();
  return first === "https" || (req.socket as { encrypted?: boolean }).encrypted === true;
}

/** A Set-Cookie value: HttpOnly always, Secure over HTTPS; `maxAge` 0 clears the cookie. */
export function cookie(
  name: string,
  value: string,
  opts: { maxAge: number; path: string; sameSite: "Strict" | "Lax"; secure: boolean },
): string {
  return [
    `${name}=${value}`,
    `Path=${opts.path}`,
    `Max-Age=${Math.max(0, Math.floor(opts.maxAge))}`,
    "HttpOnly",
    `SameSite=${opts.sameSite}`,
    ...(opts.secure ? ["Secure"] : []),
  ].join("; ");
}
