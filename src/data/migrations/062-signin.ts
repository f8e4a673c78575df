import type { Migration } from "./migration.js";

export const m062: Migration = {
  id: "062_signin",
  /**
   * Claude Code sign-in (OAuth device authorization against the organisation's identity provider): the device
   * codes being approved in a browser, and the sign-in sessions they became. Secrets are kept as SHA-256
   * digests only (device code, access token, refresh token). New tables only.
   */
  async up(db) {
    await db.schema
      .createTable("signin_devices")
      .addColumn("device_hash", "text", (c) => c.primaryKey())
      .addColumn("user_code", "text", (c) => c.notNull().unique())
      // pending | approved | denied | used
      .addColumn("status", "text", (c) => c.notNull())
      .addColumn("surface", "text")
      .addColumn("user_agent", "text")
      .addColumn("created_at", "bigint", (c) => c.notNull())
      .addColumn("expires_at", "bigint", (c) => c.notNull())
      .addColumn("last_poll_ms", "bigint")
      // The browser step in progress: the identity provider round trip's state (looked up on return), and
      // what the callback must find again (JSON: PKCE verifier, nonce, redirect URI).
      .addColumn("oidc_state", "text")
      .addColumn("oidc_flow", "text")
      // Who approved it (set on approval).
      .addColumn("subject", "text")
      .addColumn("email", "text")
      .addColumn("name", "text")
      .addColumn("groups", "text")
      .execute();
    await db.schema.createIndex("signin_devices_state").on("signin_devices").column("oidc_state").execute();
    await db.schema.createIndex("signin_devices_expires").on("signin_devices").column("expires_at").execute();
    await db.schema
      .createTable("signin_sessions")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("subject", "text", (c) => c.notNull())
      .addColumn("email", "text", (c) => c.notNull())
      .addColumn("name", "text")
      .addColumn("groups", "text", (c) => c.notNull())
      .addColumn("team_id", "text")
      .addColumn("surface", "text")
      .addColumn("user_agent", "text")
      .addColumn("access_hash", "text", (c) => c.notNull().unique())
      .addColumn("access_expires_at", "bigint", (c) => c.notNull())
      .addColumn("refresh_hash", "text", (c) => c.notNull().unique())
      // The refresh token it replaced: presented again, it ends the session (someone holds a copy).
      .addColumn("previous_refresh_hash", "text")
      .addColumn("created_at", "bigint", (c) => c.notNull())
      .addColumn("refreshed_at", "bigint", (c) => c.notNull())
      // The session lifetime: no refresh past it (the person signs in at the identity provider again).
      .addColumn("expires_at", "bigint", (c) => c.notNull())
      .addColumn("revoked_at", "bigint")
      .execute();
    await db.schema.createIndex("signin_sessions_email").on("signin_sessions").column("email").execute();
  },
};
