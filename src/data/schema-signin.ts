/** Claude Code sign-in's tables (062_signin, 105_signin_idp_tokens); `Database` in schema.ts names them. */

/** A Claude Code sign-in's device code while it waits for its browser step (062_signin). */
export interface SigninDevicesTable {
  device_hash: string;
  user_code: string;
  /** pending | approved | denied | used */
  status: string;
  surface: string | null;
  user_agent: string | null;
  created_at: number;
  expires_at: number;
  last_poll_ms: number | null;
  oidc_state: string | null;
  oidc_flow: string | null;
  subject: string | null;
  email: string | null;
  name: string | null;
  /** JSON array of the identity provider's groups. */
  groups: string | null;
  /** The public key the provider's tokens are sealed to (105_signin_idp_tokens; src/signin/idp-seal.ts). */
  box_key: string | null;
  /** The provider's tokens, sealed to `box_key`, from the browser step until the code is used. */
  idp_tokens: string | null;
}

/** A signed-in Claude Code (062_signin): its tokens as SHA-256 digests, who it is, until when. */
export interface SigninSessionsTable {
  id: string;
  subject: string;
  email: string;
  name: string | null;
  groups: string;
  team_id: string | null;
  surface: string | null;
  user_agent: string | null;
  access_hash: string;
  access_expires_at: number;
  refresh_hash: string;
  previous_refresh_hash: string | null;
  created_at: number;
  refreshed_at: number;
  expires_at: number;
  revoked_at: number | null;
  /** The identity provider's tokens, sealed under the current refresh token (105_signin_idp_tokens). */
  idp_tokens: string | null;
}
