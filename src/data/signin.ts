import { newId } from "../ir/ids.js";
import type { Data } from "./data.js";
import { nowSeconds } from "./data.js";
import { type QuotaSettings, quotaOf } from "./quota.js";
import type { SigninSessionsTable } from "./schema.js";

/** Who approved a device code at the identity provider. */
export interface SigninIdentity {
  subject: string;
  email: string;
  name: string | null;
  groups: string[];
}

/** A device code as the token endpoint sees it. */
export interface SigninDevice {
  status: "pending" | "approved" | "denied" | "used";
  expiresAt: number;
  lastPollMs: number | null;
  surface: string | null;
  userAgent: string | null;
  identity: SigninIdentity | undefined;
  /** The identity provider's tokens, sealed to the device code (opened only with it). */
  idpTokens: string | null;
}

/** A sign-in session with what its team adds (for the resolver). */
export interface SigninSession {
  id: string;
  subject: string;
  email: string;
  name: string | null;
  groups: string[];
  teamId: string | null;
  surface: string | null;
  userAgent: string | null;
  accessExpiresAt: number;
  createdAt: number;
  refreshedAt: number;
  expiresAt: number;
  revokedAt: number | null;
  /** The identity provider's tokens, sealed under the current refresh token (opened only with it). */
  idpTokens: string | null;
  team: { name: string; models: string[] | null; quota: QuotaSettings; disabled: boolean } | undefined;
}

const parseGroups = (s: string | null): string[] => (s ? (JSON.parse(s) as string[]) : []);

function sessionOf(
  r: SigninSessionsTable,
  team?: { name: string; models: string | null; disabled?: number | null } & Parameters<typeof quotaOf>[0],
): SigninSession {
  return {
    id: r.id,
    subject: r.subject,
    email: r.email,
    name: r.name,
    groups: parseGroups(r.groups),
    teamId: r.team_id,
    surface: r.surface,
    userAgent: r.user_agent,
    accessExpiresAt: Number(r.access_expires_at),
    createdAt: Number(r.created_at),
    refreshedAt: Number(r.refreshed_at),
    expiresAt: Number(r.expires_at),
    revokedAt: r.revoked_at === null ? null : Number(r.revoked_at),
    idpTokens: r.idp_tokens ?? null,
    team: team
      ? {
          name: team.name,
          models: team.models ? (JSON.parse(team.models) as string[]) : null,
          quota: quotaOf(team),
          disabled: Number(team.disabled) === 1,
        }
      : undefined,
  };
}

/**
 * Claude Code sign-ins on the data layer, so that every instance sees the same ones: device codes waiting for
 * their browser step (by the digest of the device code), and the sessions they became (by the digests of
 * their access and refresh tokens). No secret is stored in the clear but the PKCE verifier of a browser step
 * in progress (single use, gone when the step ends).
 */
export class SigninStore {
  constructor(private readonly data: Data) {}

  async createDevice(d: {
    deviceHash: string;
    userCode: string;
    expiresAt: number;
    surface: string | null;
    userAgent: string | null;
    /** The public key the identity provider's tokens will be sealed to. */
    boxKey: string;
  }): Promise<void> {
    const db = await this.data.db();
    const now = nowSeconds();
    await db
      .deleteFrom("signin_devices")
      .where("expires_at", "<", now - 3600)
      .execute();
    await db
      .insertInto("signin_devices")
      .values({
        device_hash: d.deviceHash,
        user_code: d.userCode,
        status: "pending",
        surface: d.surface,
        user_agent: d.userAgent,
        created_at: now,
        expires_at: d.expiresAt,
        last_poll_ms: null,
        oidc_state: null,
        oidc_flow: null,
        subject: null,
        email: null,
        name: null,
        groups: null,
        box_key: d.boxKey,
        idp_tokens: null,
      })
      .execute();
  }

  /** Whether a user code names a pending device code that has not expired. */
  async pendingCode(userCode: string): Promise<boolean> {
    const db = await this.data.db();
    const r = await db
      .selectFrom("signin_devices")
      .select(["status", "expires_at"])
      .where("user_code", "=", userCode)
      .executeTakeFirst();
    return r !== undefined && r.status === "pending" && Number(r.expires_at) > nowSeconds();
  }

  /** Starts the browser step of a pending code: what the identity provider's return must find again. */
  async startBrowserStep(userCode: string, state: string, flow: string): Promise<boolean> {
    const db = await this.data.db();
    const r = await db
      .updateTable("signin_devices")
      .set({ oidc_state: state, oidc_flow: flow })
      .where("user_code", "=", userCode)
      .where("status", "=", "pending")
      .where("expires_at", ">", nowSeconds())
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  /** The browser step a state belongs to (once: the state is cleared). */
  async takeBrowserStep(state: string): Promise<{ userCode: string; flow: string; boxKey: string | null } | undefined> {
    const db = await this.data.db();
    const r = await db
      .selectFrom("signin_devices")
      .select(["user_code", "oidc_flow", "status", "expires_at", "box_key"])
      .where("oidc_state", "=", state)
      .executeTakeFirst();
    if (!r?.oidc_flow || r.status !== "pending" || Number(r.expires_at) <= nowSeconds()) return undefined;
    const done = await db
      .updateTable("signin_devices")
      .set({ oidc_state: null, oidc_flow: null })
      .where("oidc_state", "=", state)
      .executeTakeFirst();
    if (Number(done.numUpdatedRows) === 0) return undefined;
    return { userCode: r.user_code, flow: r.oidc_flow, boxKey: r.box_key ?? null };
  }

  /** Approves (with who signed in, and their provider tokens sealed to the code) or denies a pending code. */
  async decide(userCode: string, identity: SigninIdentity | "denied", idpTokens: string | null = null) {
    const db = await this.data.db();
    const set =
      identity === "denied"
        ? { status: "denied" }
        : {
            status: "approved",
            subject: identity.subject,
            email: identity.email,
            name: identity.name,
            groups: JSON.stringify(identity.groups),
            idp_tokens: idpTokens,
          };
    const r = await db
      .updateTable("signin_devices")
      .set(set)
      .where("user_code", "=", userCode)
      .where("status", "=", "pending")
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  /** A device code by its digest, and notes this poll's time. */
  async poll(deviceHash: string, nowMs: number): Promise<SigninDevice | undefined> {
    const db = await this.data.db();
    const r = await db
      .selectFrom("signin_devices")
      .selectAll()
      .where("device_hash", "=", deviceHash)
      .executeTakeFirst();
    if (!r) return undefined;
    await db.updateTable("signin_devices").set({ last_poll_ms: nowMs }).where("device_hash", "=", deviceHash).execute();
    return {
      status: r.status as SigninDevice["status"],
      expiresAt: Number(r.expires_at),
      lastPollMs: r.last_poll_ms === null ? null : Number(r.last_poll_ms),
      surface: r.surface,
      userAgent: r.user_agent,
      identity:
        r.subject && r.email
          ? { subject: r.subject, email: r.email, name: r.name, groups: parseGroups(r.groups) }
          : undefined,
      idpTokens: r.idp_tokens ?? null,
    };
  }

  /** Marks an approved code used (once, whichever instance asks first); false when another did. */
  async consume(deviceHash: string): Promise<boolean> {
    const db = await this.data.db();
    const r = await db
      .updateTable("signin_devices")
      .set({ status: "used", idp_tokens: null })
      .where("device_hash", "=", deviceHash)
      .where("status", "=", "approved")
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  /** The id of the team with this name, made when there is none. */
  async teamIdByName(name: string): Promise<string> {
    const db = await this.data.db();
    const found = await db.selectFrom("teams").select("id").where("name", "=", name).executeTakeFirst();
    if (found) return found.id;
    const id = newId("team_", 16);
    const t = nowSeconds();
    await db
      .insertInto("teams")
      .values({
        id,
        name,
        models: null,
        mcp: null,
        tags: null,
        budget_nanos: null,
        budget_micros: null,
        budget_period: null,
        limits: null,
        disabled: 0,
        created_at: t,
        updated_at: t,
      })
      .onConflict((oc) => oc.doNothing())
      .execute();
    const again = await db.selectFrom("teams").select("id").where("name", "=", name).executeTakeFirstOrThrow();
    return again.id;
  }

  async createSession(s: {
    identity: SigninIdentity;
    teamId: string | null;
    surface: string | null;
    userAgent: string | null;
    accessHash: string;
    accessExpiresAt: number;
    refreshHash: string;
    expiresAt: number;
    /** The identity provider's tokens, sealed under the refresh token. */
    idpTokens?: string | null;
  }): Promise<string> {
    const db = await this.data.db();
    const id = newId("sgn_", 16);
    const now = nowSeconds();
    await db
      .insertInto("signin_sessions")
      .values({
        id,
        subject: s.identity.subject,
        email: s.identity.email,
        name: s.identity.name,
        groups: JSON.stringify(s.identity.groups),
        team_id: s.teamId,
        surface: s.surface,
        user_agent: s.userAgent,
        access_hash: s.accessHash,
        access_expires_at: s.accessExpiresAt,
        refresh_hash: s.refreshHash,
        previous_refresh_hash: null,
        created_at: now,
        refreshed_at: now,
        expires_at: s.expiresAt,
        revoked_at: null,
        idp_tokens: s.idpTokens ?? null,
      })
      .execute();
    return id;
  }

  private async sessionWhere(column: "access_hash" | "refresh_hash" | "previous_refresh_hash" | "id", value: string) {
    const db = await this.data.db();
    const r = await db.selectFrom("signin_sessions").selectAll().where(column, "=", value).executeTakeFirst();
    if (!r) return undefined;
    const team = r.team_id
      ? await db.selectFrom("teams").selectAll().where("id", "=", r.team_id).executeTakeFirst()
      : undefined;
    return sessionOf(r, team);
  }

  bySessionId = (id: string) => this.sessionWhere("id", id);
  byAccess = (hash: string) => this.sessionWhere("access_hash", hash);
  byRefresh = (hash: string) => this.sessionWhere("refresh_hash", hash);
  /** The session whose previous (spent) refresh token this was. */
  bySpentRefresh = (hash: string) => this.sessionWhere("previous_refresh_hash", hash);

  /** Replaces a session's tokens (refresh rotation): false when the refresh token was used already. */
  async rotate(
    id: string,
    oldRefresh: string,
    next: { access: string; accessExpiresAt: number; refresh: string; idpTokens: string | null },
  ) {
    const db = await this.data.db();
    const r = await db
      .updateTable("signin_sessions")
      .set({
        access_hash: next.access,
        access_expires_at: next.accessExpiresAt,
        refresh_hash: next.refresh,
        previous_refresh_hash: oldRefresh,
        refreshed_at: nowSeconds(),
        idp_tokens: next.idpTokens,
      })
      .where("id", "=", id)
      .where("refresh_hash", "=", oldRefresh)
      .where("revoked_at", "is", null)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  /** Ends a session (sign-out, an admin, a revoked token); true when it was live. */
  async revoke(id: string): Promise<boolean> {
    const db = await this.data.db();
    const r = await db
      .updateTable("signin_sessions")
      .set({ revoked_at: nowSeconds() })
      .where("id", "=", id)
      .where("revoked_at", "is", null)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  /** Sessions not ended and not past their lifetime, newest first. */
  async live(): Promise<SigninSession[]> {
    const db = await this.data.db();
    const rows = await db
      .selectFrom("signin_sessions")
      .selectAll()
      .where("revoked_at", "is", null)
      .where("expires_at", ">", nowSeconds())
      .orderBy("created_at", "desc")
      .execute();
    return rows.map((r) => sessionOf(r));
  }
}
