import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { type AdminKey, adminKeysOf } from "../config/admin-keys.js";
import type { Config } from "../config/schema.js";
import { decodeJson } from "../http/decode-json.js";
import type { HttpNote } from "../http/note.js";
import { type BodyLimits, BodyRefused, readBody } from "../http/read-body.js";
import { sendJson } from "../http/reply.js";
import { isRefusal, type Resolver } from "../identity/identify.js";
import type { AuditSink } from "./audit-record.js";
import { addressOf } from "./auth.js";
import { type OidcFlow, OidcRefused, OidcSignIn, roleOf } from "./oidc.js";
import {
  cookie,
  FLOW_COOKIE,
  isSecure,
  keyHint,
  readCookie,
  SESSION_COOKIE,
  Sealer,
  type Session,
  sessionSecret,
} from "./ui-session.js";

/** Sign-ins ended on the server (src/data/ui-signouts.ts), by a digest of their cookie. */
export interface SignOuts {
  end(digest: string, until: number): Promise<void>;
  ended(digest: string): Promise<boolean>;
}

const cookieDigest = (token: string) => createHash("sha256").update(token).digest("base64url");

/** One request of the sign-in routes: the HTTP pair, and what the log line should say of it. */
interface Http {
  req: IncomingMessage;
  res: ServerResponse;
  note: HttpNote;
}

/** The header a signed-in page sends on every change: a cross-site form or script cannot (no CORS here). */
export const UI_HEADER = "x-llmux-ui";

const sha256 = (s: string) => createHash("sha256").update(s).digest();
const now = () => Math.floor(Date.now() / 1000);

/**
 * Signing in to the web UI (`/ui/auth/…`): with an admin key, with a minted key (the key holder's own
 * view), or with OpenID Connect. A sign-in is a sealed, HttpOnly, SameSite=Strict cookie; nothing is
 * kept on the server, so every instance with the same configuration accepts it.
 */
export class UiAuth {
  private readonly sealer: Sealer;
  private readonly adminKeys: { digest: Buffer; entry: AdminKey }[];
  /** Each admin key's digest hint, and the team it administers (none: a full admin). */
  private readonly hints: Map<string, string | undefined>;
  readonly oidc: OidcSignIn | undefined;
  readonly sealedWith: "configured" | "shared" | "random";
  /** Where sign-ins are recorded (the audit log). */
  audit: AuditSink | undefined;

  constructor(
    private readonly config: Config,
    private readonly minted: Resolver,
    private readonly limits: BodyLimits,
    /** Sign-ins ended by signing out, shared by every instance (absent: the cookie is only cleared). */
    private readonly signOuts?: SignOuts,
  ) {
    const secret = sessionSecret(config);
    this.sealer = new Sealer(secret.key);
    this.sealedWith = secret.derived;
    const keys = adminKeysOf(config.admin.keys);
    this.adminKeys = keys.map((entry) => ({ digest: sha256(entry.key), entry }));
    this.hints = new Map(keys.map((k) => [keyHint(k.key), k.team]));
    this.oidc = config.admin.oidc ? new OidcSignIn(config.admin.oidc) : undefined;
  }

  /** The request's sign-in, if it carries one that is still good. */
  async session(req: IncomingMessage): Promise<Session | undefined> {
    const token = readCookie(req, SESSION_COOKIE);
    const s = await this.sealer.open<Session>(SESSION_COOKIE, token);
    if (!s) return undefined;
    // Signed out: a copy of the cookie is refused as well.
    if (token && this.signOuts && (await this.signOuts.ended(cookieDigest(token)))) return undefined;
    if (s.via === "admin_key") {
      // The key's binding decides again on every request (a key moved to a team is a team admin's at once).
      if (!s.kh || !this.hints.has(s.kh)) return undefined;
      const team = this.hints.get(s.kh);
      return team === undefined ? { ...s, role: "admin", team: undefined } : { ...s, role: "team_admin", team };
    }
    if (s.via === "oidc") {
      // The configuration decides again on every request: a person taken out of it is out at once.
      const cfg = this.config.admin.oidc;
      const granted = cfg && s.email ? roleOf(cfg, s.email, s.groups ?? []) : undefined;
      return granted ? { ...s, role: granted.role, team: granted.team } : undefined;
    }
    return s;
  }

  async serve(req: IncomingMessage, res: ServerResponse, path: string, note: HttpNote = {}): Promise<void> {
    const http: Http = { req, res, note };
    note.quiet = false;
    const method = req.method ?? "GET";
    const route = `${method} ${path}`;
    switch (route) {
      case "GET /ui/auth/session":
        // Asked by every page load: kept out of the request log lines like the page's files.
        note.quiet = true;
        return this.whoAmI(http);
      case "POST /ui/auth/key":
        return this.withKey(http);
      case "POST /ui/auth/logout": {
        if (!this.fromPage(http)) return;
        const token = readCookie(req, SESSION_COOKIE);
        const s = await this.sealer.open<Session>(SESSION_COOKIE, token);
        if (token && s && this.signOuts) await this.signOuts.end(cookieDigest(token), s.exp);
        await this.setSession(http, undefined);
        return sendJson(http.res, 200, { signed_in: false });
      }
      case "GET /ui/auth/oidc/start":
        return this.oidcStart(http);
      case "GET /ui/auth/oidc/callback":
        return this.oidcCallback(http);
      default:
        return sendJson(http.res, 404, { error: { message: `no such sign-in route: ${route}`, type: "not_found" } });
    }
  }

  private async whoAmI(http: Http): Promise<void> {
    let s = await this.session(http.req);
    if (s?.via === "key") {
      const v = await this.minted.resolve(s.key, http.req.headers);
      if (!v || isRefusal(v)) {
        await this.setSession(http, undefined);
        s = undefined;
      }
    }
    http.res.setHeader("cache-control", "no-store");
    sendJson(http.res, 200, {
      signed_in: s !== undefined,
      ...(s
        ? {
            role: s.role,
            via: s.via,
            name: s.name,
            email: s.email ?? null,
            key_id: s.key_id ?? null,
            team: s.team ?? null,
            expires: s.exp,
          }
        : {}),
      sign_in: { key: true, oidc: this.oidc ? { label: this.oidc.cfg.label } : null },
    });
  }

  private async withKey(http: Http): Promise<void> {
    if (!this.fromPage(http)) return;
    let key: unknown;
    try {
      const raw = await readBody(http.req, { ...this.limits, bytes: Math.min(this.limits.bytes, 16 * 1024) });
      const decoded = decodeJson(raw);
      key = decoded.ok ? (decoded.json as { key?: unknown } | null)?.key : undefined;
    } catch (err) {
      if (!(err instanceof BodyRefused)) throw err;
      return sendJson(http.res, err.info.status, {
        error: { message: err.info.message, type: "invalid_request_error" },
      });
    }
    if (typeof key !== "string" || key.trim() === "")
      return sendJson(http.res, 400, {
        error: { message: "key: an admin key or an lx- key", type: "invalid_request_error", field: "key" },
      });
    key = key.trim();
    const k = key as string;
    const d = sha256(k);
    let admin: AdminKey | undefined;
    for (const a of this.adminKeys) if (timingSafeEqual(a.digest, d)) admin ??= a.entry;
    const exp = now() + Math.round(this.config.admin.ui.session_hours * 3600);
    if (admin) {
      const name = admin.name ? `admin key ${admin.name}` : `admin key ${k.slice(0, 4)}…`;
      const role = admin.team === undefined ? "admin" : "team_admin";
      const s: Session = { role, via: "admin_key", name, kh: keyHint(k), team: admin.team, exp };
      await this.setSession(http, s);
      await this.signedIn(http, s.name, "admin_key", "ok", undefined, admin.team, role);
      return sendJson(http.res, 200, { signed_in: true, role: s.role, via: s.via, name: s.name, team: s.team ?? null });
    }
    const v = k.startsWith("lx-") ? await this.minted.resolve(k, http.req.headers) : undefined;
    if (v && !isRefusal(v) && v.kind === "minted") {
      const s: Session = { role: "key", via: "key", name: v.name ?? "key", key: k, key_id: v.keyId, exp };
      await this.setSession(http, s);
      await this.signedIn(http, s.name, "key", "ok", v.keyId, undefined, "key");
      return sendJson(http.res, 200, {
        signed_in: true,
        role: s.role,
        via: s.via,
        name: s.name,
        key_id: s.key_id ?? null,
      });
    }
    const message =
      v && isRefusal(v)
        ? v.message
        : "This key is neither one of admin.keys nor a minted lx- key; check it and try again.";
    http.note.reason = "web UI sign-in refused";
    await this.signedIn(http, k.startsWith("lx-") ? `key ${k.slice(0, 11)}…` : "unknown key", "key", "refused");
    return sendJson(http.res, 401, { error: { message, type: "authentication_error" } });
  }

  private async oidcStart(http: Http): Promise<void> {
    if (!this.oidc)
      return sendJson(http.res, 404, { error: { message: "admin.oidc is not configured", type: "not_found" } });
    const origin = this.oidc.cfg.redirect_uri ? undefined : originOf(http.req, this.oidc.cfg.trust_proxy);
    if (!this.oidc.cfg.redirect_uri && !origin)
      return this.backToSignIn(
        http,
        "single sign-on needs admin.oidc.redirect_uri (or admin.oidc.trust_proxy behind a proxy that sets X-Forwarded-Host)",
      );
    const redirect = this.oidc.cfg.redirect_uri ?? `${origin}/ui/auth/oidc/callback`;
    let url: string;
    let flow: OidcFlow;
    try {
      const asked = new URL(http.req.url ?? "/", "http://x").searchParams.get("return_to") ?? "";
      ({ url, flow } = await this.oidc.start(redirect, localPage(asked)));
    } catch (err) {
      return this.backToSignIn(http, `the identity provider could not be reached: ${(err as Error).message}`);
    }
    const value = await this.sealer.seal(FLOW_COOKIE, flow);
    http.res.setHeader(
      "set-cookie",
      cookie(FLOW_COOKIE, value, { maxAge: 600, path: "/ui/auth/oidc", sameSite: "Lax", secure: isSecure(http.req) }),
    );
    http.res.writeHead(302, { location: url, "cache-control": "no-store" }).end();
  }

  private async oidcCallback(http: Http): Promise<void> {
    if (!this.oidc)
      return sendJson(http.res, 404, { error: { message: "admin.oidc is not configured", type: "not_found" } });
    const flow = await this.sealer.open<OidcFlow>(FLOW_COOKIE, readCookie(http.req, FLOW_COOKIE));
    const clearFlow = cookie(FLOW_COOKIE, "", {
      maxAge: 0,
      path: "/ui/auth/oidc",
      sameSite: "Lax",
      secure: isSecure(http.req),
    });
    if (!flow) {
      http.res.setHeader("set-cookie", clearFlow);
      return this.backToSignIn(http, "the sign-in took too long or was started elsewhere; please try again");
    }
    const query = new URL(http.req.url ?? "/", "http://x").searchParams;
    try {
      const who = await this.oidc.finish(query, flow);
      const exp = now() + Math.round(this.config.admin.ui.session_hours * 3600);
      const s: Session = {
        role: who.role,
        via: "oidc",
        name: who.name,
        email: who.email,
        team: who.team,
        groups: who.groups,
        exp,
      };
      await this.signedIn(http, who.email ?? who.name, "oidc", "ok", undefined, who.team, who.role);
      http.res.setHeader("set-cookie", [clearFlow, await this.sessionCookie(http.req, s)]);
      http.res.writeHead(303, { location: localPage(flow.return_to), "cache-control": "no-store" }).end();
    } catch (err) {
      http.res.setHeader("set-cookie", clearFlow);
      const why = err instanceof OidcRefused ? err.message : `the sign-in failed: ${oauthWords(err)}`;
      http.note.reason = `web UI sign-in refused: ${why}`;
      await this.signedIn(http, "single sign-on", "oidc", "refused");
      return this.backToSignIn(http, why);
    }
  }

  /** A sign-in (or a refused one) in the audit log; a log that cannot be written does not stop the sign-in. */
  private async signedIn(
    http: Http,
    actor: string,
    via: "admin_key" | "key" | "oidc",
    outcome: "ok" | "refused",
    keyId?: string,
    team?: string,
    role?: string,
  ): Promise<void> {
    await this.audit?.({
      actor,
      via,
      source: "ui",
      address: addressOf(http.req),
      action: "sign_in",
      target_type: keyId ? "key" : null,
      target_id: keyId ?? null,
      target_name: null,
      team_id: null,
      outcome,
      before: null,
      // What the sign-in was granted (never the key): the role, and a team admin's team as configured.
      after: outcome === "ok" && role ? JSON.stringify({ role, team: team ?? null }) : null,
    }).catch(() => undefined);
  }

  private backToSignIn(http: Http, message: string): void {
    http.res
      .writeHead(303, { location: `/ui/sign-in?error=${encodeURIComponent(message)}`, "cache-control": "no-store" })
      .end();
  }

  /** Changes need the page's header: a form posted from another site cannot send it. */
  private fromPage(http: Http): boolean {
    if (http.req.headers[UI_HEADER] === "1") return true;
    sendJson(http.res, 403, {
      error: {
        message: `send the ${UI_HEADER}: 1 header (sign-in changes come from the web UI's page)`,
        type: "permission_error",
      },
    });
    return false;
  }

  private async sessionCookie(req: IncomingMessage, s: Session | undefined): Promise<string> {
    const secure = isSecure(req);
    if (!s) return cookie(SESSION_COOKIE, "", { maxAge: 0, path: "/", sameSite: "Strict", secure });
    return cookie(SESSION_COOKIE, await this.sealer.seal(SESSION_COOKIE, s), {
      maxAge: s.exp - now(),
      path: "/",
      sameSite: "Strict",
      secure,
    });
  }

  private async setSession(http: Http, s: Session | undefined): Promise<void> {
    http.res.setHeader("set-cookie", await this.sessionCookie(http.req, s));
  }
}

/** An error of the provider or of openid-client, with the provider's own words when it sent some. */
function oauthWords(err: unknown): string {
  const e = err as Error & { error?: unknown; error_description?: unknown; cause?: unknown };
  const said = [e.error, e.error_description].filter((v) => typeof v === "string" && v).join(": ");
  const cause = e.cause instanceof Error ? `: ${e.cause.message}` : "";
  return `${e.message}${cause}${said ? ` (${said})` : ""}`;
}

/** A page of the UI to return to: a path under /ui/ on this server, nothing else (no open redirect). */
export function localPage(path: string): string {
  return /^\/ui\/[A-Za-z0-9\-._~/%?=&]*$/.test(path) && !path.includes("//") && !path.includes("/..") ? path : "/ui/";
}

const LOOPBACK_HOST = /^(?:localhost|127\.0\.0\.1|\[::1\])(?::\d{1,5})?$/;
const LOOPBACK_ADDRESS = new Set(["127.0.0.1", "::1", "::ffff:127.0.0.1"]);

/**
 * The browser's view of this server's origin, for a redirect URI not configured: behind a trusted proxy, its
 * forwarded protocol and host; otherwise only a loopback address reached on a loopback socket (a request's
 * headers never name another host). Undefined: it cannot be known.
 */
function originOf(req: IncomingMessage, trustProxy: boolean): string | undefined {
  const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v)?.split(",")[0]?.trim();
  if (trustProxy) {
    const proto = first(req.headers["x-forwarded-proto"]) ?? (isSecure(req) ? "https" : "http");
    const host = first(req.headers["x-forwarded-host"]) ?? req.headers.host ?? "localhost";
    return `${proto}://${host}`;
  }
  const host = req.headers.host ?? "";
  if (!LOOPBACK_ADDRESS.has(req.socket.localAddress ?? "") || !LOOPBACK_HOST.test(host)) return undefined;
  return `${isSecure(req) ? "https" : "http"}://${host}`;
}
