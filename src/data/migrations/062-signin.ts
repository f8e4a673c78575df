import { migration } from "./migration.js";

/**
 * Claude Code sign-in (OAuth device authorization against the organisation's identity provider): the device
 * codes being approved in a browser, and the sign-in sessions they became. Secrets are kept as SHA-256
 * digests only (device code, access token, refresh token). New tables only.
 */
export const m062 = migration("062_signin", async (s) => {
  await s.table(
    "signin_devices",
    // status: pending | approved | denied | used. oidc_state and oidc_flow: the browser step in progress (the
    // identity provider round trip's state, looked up on return, and what the callback must find again, JSON:
    // PKCE verifier, nonce, redirect URI). subject to groups: who approved it (set on approval).
    `device_hash text primary key, user_code text not null unique, status text not null, surface text,
     user_agent text, created_at bigint not null, expires_at bigint not null, last_poll_ms bigint, oidc_state text,
     oidc_flow text, subject text, email text, name text, groups text`,
    { indexes: { signin_devices_state: "oidc_state", signin_devices_expires: "expires_at" } },
  );
  await s.table(
    "signin_sessions",
    // previous_refresh_hash: the refresh token it replaced (presented again, it ends the session: someone holds
    // a copy). expires_at: the session lifetime (no refresh past it: the person signs in at the identity
    // provider again).
    `id text primary key, subject text not null, email text not null, name text, groups text not null,
     team_id text, surface text, user_agent text, access_hash text not null unique,
     access_expires_at bigint not null, refresh_hash text not null unique, previous_refresh_hash text,
     created_at bigint not null, refreshed_at bigint not null, expires_at bigint not null, revoked_at bigint`,
    { indexes: { signin_sessions_email: "email" } },
  );
});
