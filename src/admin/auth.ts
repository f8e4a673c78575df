import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { AdminKey } from "../config/admin-keys.js";
import { presentedKey } from "../identity/identify.js";
import { AdminError } from "./admin-error.js";
import type { Actor, SelfCaller } from "./route.js";

const sha256 = (s: string) => createHash("sha256").update(s).digest();

/** A browser signed in to the web UI, as the admin API sees it. */
export interface AdminSession {
  role: "admin" | "read_only" | "team_admin";
  /** A team admin's team, as the configuration names it (an id or a name). */
  team?: string | undefined;
  /** Who, in words, for the request log's reason. */
  name: string;
  /** Whether the request carries the page's own header (changes need it). */
  fromPage: boolean;
  /** How the sign-in was made (an admin key, or single sign-on). */
  via?: "admin_key" | "oidc" | undefined;
  /** A single sign-on's email and groups (a member minting their own keys: /admin/v1/me/keys). */
  email?: string | undefined;
  groups?: readonly string[] | undefined;
}

/** A team by its id or its name: its id, or undefined when there is none. */
export type TeamRef = (ref: string) => Promise<string | undefined>;

/** Self-service: the minted key a presented key is (its id), the member a sign-in token is, or why it is refused. */
export type SelfKey = (key: string) => Promise<SelfCaller | { refused: string } | undefined>;

/** What a web UI sign-in may do: admins change things (from the page only), read-only sign-ins look. */
function admitSession(method: string, s: AdminSession): void {
  if (method === "GET" || method === "HEAD") return;
  if (!s.fromPage)
    throw new AdminError(403, "a change made with a web UI sign-in must come from the page (the x-llmux-ui: 1 header)");
  if (s.role === "read_only") throw new AdminError(403, `${s.name} is signed in read-only: it can look, not change`);
}

/**
 * Who may call the admin API: bearer admin keys (`admin.keys`, compared in constant time) or a web UI sign-in;
 * on the self-service routes, a minted key. A service or minted key on an admin route is told apart from a
 * wrong one (403, not 401). Throws AdminError.
 */
export class AdminAuth {
  private readonly keys: { digest: Buffer; entry: AdminKey }[];
  /** A web UI sign-in carried by a request without a key (set when the web UI is on). */
  sessions: ((req: IncomingMessage) => Promise<AdminSession | undefined>) | undefined;

  constructor(
    adminKeys: readonly AdminKey[],
    /** Whether a key is one clients use (a config key, a minted key). */
    private readonly isClientKey: (key: string) => boolean | Promise<boolean>,
    private readonly self?: SelfKey,
    /** A team admin's team (configured by id or name) as its id. */
    private readonly teamRef: TeamRef = async (ref) => ref,
  ) {
    this.keys = adminKeys.map((entry) => ({ digest: sha256(entry.key), entry }));
  }

  /** The admin key a presented key is (compared in constant time with every one), or undefined. */
  private match(key: string): AdminKey | undefined {
    const d = sha256(key);
    let found: AdminKey | undefined;
    for (const k of this.keys) if (timingSafeEqual(k.digest, d)) found ??= k.entry;
    return found;
  }

  /** A team admin's team as its id; a team that is not (any more) refuses the caller. */
  private async team(ref: string): Promise<string> {
    const id = await this.teamRef(ref);
    if (id === undefined)
      throw new AdminError(403, `this team admin's team '${ref}' is not a team (admin.keys, admin.oidc.roles)`);
    return id;
  }

  /** Whether a path is a self-service route (a minted key signs in, not an admin key). */
  static isSelf(path: string): boolean {
    return path === "/admin/v1/me" || path.startsWith("/admin/v1/me/");
  }

  /** The caller of a request to `path`: a minted key on the self-service routes, else no one in particular. */
  who(req: IncomingMessage, path: string): Promise<SelfCaller | undefined> {
    return AdminAuth.isSelf(path) ? this.authoriseSelf(req) : this.authorise(req);
  }

  /**
   * Who is calling (after `who` let them in), for the audit log (never the key, at most its first characters),
   * and a team admin's team (its id), which everything the caller reads or changes is confined to.
   */
  async actor(req: IncomingMessage): Promise<Actor> {
    const address = addressOf(req);
    const session = await this.sessions?.(req);
    if (session) {
      const team = session.role === "team_admin" && session.team ? await this.team(session.team) : undefined;
      return { name: session.name, via: session.via ?? "oidc", source: "ui", address, ...(team ? { team } : {}) };
    }
    const key = presentedKey(req.headers);
    const cli = req.headers["x-llmux-client"] === "cli";
    const source = cli ? "cli" : "api";
    if (key?.startsWith("lx-")) return { name: `key ${key.slice(0, 11)}…`, via: "key", source, address };
    const entry = key ? this.match(key) : undefined;
    const name = !key
      ? "unknown"
      : entry?.name
        ? `admin key ${entry.name}`
        : entry
          ? `admin key ${key.slice(0, 4)}…`
          : `unknown key ${key.slice(0, 4)}…`;
    const team = entry?.team ? await this.team(entry.team) : undefined;
    return { name, via: "admin_key", source, address, ...(team ? { team } : {}) };
  }

  /** Self-service: a valid minted key, which every answer is then scoped to. */
  private async authoriseSelf(req: IncomingMessage): Promise<SelfCaller> {
    const key = presentedKey(req.headers);
    if (this.keys.length === 0 && !this.sessions) throw new AdminError(404, "the admin API is off (set admin.keys)");
    if (key === undefined) {
      const member = await this.sessionMember(req);
      if (member) return { member };
      throw new AdminError(401, "a minted key is required: Authorization: Bearer lx-…");
    }
    const found = this.self ? await this.self(key) : undefined;
    if (found && !("refused" in found)) return found;
    if (found) throw new AdminError(401, found.refused);
    if (this.match(key) || (await this.isClientKey(key)))
      throw new AdminError(
        403,
        "self-service routes (/admin/v1/me…) take a minted key (lx-…): they show one key's own data",
      );
    throw new AdminError(401, "the key is not a minted llmux key");
  }

  /** A web UI single sign-on as a member (its changes from the page only, as every web UI change). */
  private async sessionMember(req: IncomingMessage): Promise<SelfCaller["member"]> {
    const session = await this.sessions?.(req);
    if (session?.via !== "oidc" || !session.email) return undefined;
    if (req.method !== "GET" && req.method !== "HEAD" && !session.fromPage)
      throw new AdminError(
        403,
        "a change made with a web UI sign-in must come from the page (the x-llmux-ui: 1 header)",
      );
    const team = session.role === "team_admin" && session.team ? await this.team(session.team) : undefined;
    return { email: session.email, teamId: team, groups: session.groups ?? [], via: "oidc" };
  }

  private async authorise(req: IncomingMessage): Promise<undefined> {
    const session = await this.sessions?.(req);
    if (session) {
      admitSession(req.method ?? "GET", session);
      return undefined;
    }
    const key = presentedKey(req.headers);
    if (this.keys.length === 0 && !this.sessions) throw new AdminError(404, "the admin API is off (set admin.keys)");
    if (key === undefined) throw new AdminError(401, "an admin key is required: Authorization: Bearer <admin key>");
    if (this.match(key)) return undefined;
    if (await this.isClientKey(key))
      throw new AdminError(403, "this is a client key; admin routes need one of admin.keys");
    throw new AdminError(401, "the key is not one of admin.keys");
  }
}

/** The client's address: the first X-Forwarded-For hop behind a proxy, else the socket's peer. */
export function addressOf(req: IncomingMessage): string | null {
  const fwd = req.headers["x-forwarded-for"];
  const first = (Array.isArray(fwd) ? fwd[0] : fwd)?.split(",")[0]?.trim();
  return first || req.socket?.remoteAddress || null;
}
