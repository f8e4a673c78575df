import type { ProviderTokens } from "../admin/oidc-code-flow.js";
import type { SigninConfig } from "../config/schema-signin.js";
import type { SigninStore } from "../data/signin.js";
import { deviceBoxKey, openForDevice, openForSession, sealForSession } from "./idp-seal.js";
import { policyFor } from "./policy.js";
import { ACCESS_PREFIX, digest, REFRESH_PREFIX, secret, userCode } from "./tokens.js";

/** An OAuth answer: status and JSON body (RFC 6749 §5.2 errors, `{error, error_description}`). */
export interface OAuthAnswer {
  status: number;
  body: Record<string, unknown>;
}

const DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code";

const oauthError = (status: number, error: string, description?: string): OAuthAnswer => ({
  status,
  body: description ? { error, error_description: description } : { error },
});

/** RFC 8414 metadata: the endpoints Claude Code reads (all on llmux's own origin). */
export function discovery(base: string): Record<string, unknown> {
  return {
    issuer: base,
    device_authorization_endpoint: `${base}/oauth/device_authorization`,
    token_endpoint: `${base}/oauth/token`,
    revocation_endpoint: `${base}/oauth/revoke`,
    grant_types_supported: [DEVICE_GRANT, "refresh_token"],
    response_types_supported: [],
    token_endpoint_auth_methods_supported: ["none"],
    revocation_endpoint_auth_methods_supported: ["none"],
    scopes_supported: ["openid", "profile", "email"],
  };
}

/** Asks the identity provider whether a person may still sign in (IdentityProvider.recheck). */
export type Recheck = (
  tokens: ProviderTokens,
  subject: string,
) => Promise<{ tokens: ProviderTokens } | { refused: string } | { unreachable: string }>;

/**
 * The OAuth side of sign-in: device authorization (RFC 8628), the token endpoint (device grant and refresh
 * with rotation, bounded by the session lifetime, each refresh asking the identity provider first) and
 * revocation (RFC 7009). Every state is in the data layer, so any instance answers any step.
 */
export class SigninOAuth {
  constructor(
    private readonly cfg: SigninConfig,
    private readonly store: SigninStore,
    private readonly now: () => number = Date.now,
    /** After a session was ended here (this instance forgets what it remembered of it at once). */
    readonly ended: () => void = () => {},
    /** Asks the identity provider at each refresh (none: every refresh is refused, nothing can be asked). */
    private readonly recheck?: Recheck,
    /** Told when the provider could not be asked (the refresh went ahead). */
    private readonly unreachable: (words: string) => void = () => {},
  ) {}

  async deviceAuthorization(base: string, form: URLSearchParams, userAgent: string | undefined) {
    const device = secret();
    let code = userCode();
    const expiresAt = Math.floor(this.now() / 1000) + this.cfg.device_ttl_s;
    for (let tries = 0; ; tries++) {
      try {
        await this.store.createDevice({
          deviceHash: digest(device),
          userCode: code,
          expiresAt,
          surface: form.get("surface")?.slice(0, 100) ?? null,
          userAgent: userAgent?.slice(0, 200) ?? null,
          boxKey: deviceBoxKey(device),
        });
        break;
      } catch (err) {
        // A user code already in use (one chance in millions): draw another.
        if (tries >= 3) throw err;
        code = userCode();
      }
    }
    return {
      status: 200,
      body: {
        device_code: device,
        user_code: code,
        verification_uri: `${base}/device`,
        verification_uri_complete: `${base}/device?user_code=${code}`,
        expires_in: this.cfg.device_ttl_s,
        interval: this.cfg.interval_s,
        ...(this.cfg.login_notice ? { login_notice: this.cfg.login_notice } : {}),
      },
    } satisfies OAuthAnswer;
  }

  async token(form: URLSearchParams): Promise<OAuthAnswer> {
    const grant = form.get("grant_type");
    if (grant === DEVICE_GRANT) return this.deviceGrant(form.get("device_code") ?? "");
    if (grant === "refresh_token") return this.refreshGrant(form.get("refresh_token") ?? "");
    return oauthError(400, "unsupported_grant_type", `grant_type must be ${DEVICE_GRANT} or refresh_token`);
  }

  private async deviceGrant(deviceCode: string): Promise<OAuthAnswer> {
    const hash = digest(deviceCode);
    const nowMs = this.now();
    const d = deviceCode ? await this.store.poll(hash, nowMs) : undefined;
    if (!d || d.status === "used") return oauthError(400, "expired_token", "unknown or used device code");
    if (d.expiresAt * 1000 <= nowMs) return oauthError(400, "expired_token");
    if (d.status === "denied") return oauthError(400, "access_denied", "the sign-in was denied in the browser");
    if (d.status === "pending") {
      // Polled faster than the interval (with a little slack for timers): RFC 8628 §3.5.
      if (d.lastPollMs !== null && nowMs - d.lastPollMs < this.cfg.interval_s * 1000 - 500)
        return oauthError(400, "slow_down");
      return oauthError(400, "authorization_pending");
    }
    const who = d.identity!;
    const matched = policyFor(this.cfg, who.groups);
    if (!matched) return oauthError(400, "access_denied", `${who.email} is in no group that may sign in`);
    if (!(await this.store.consume(hash))) return oauthError(400, "expired_token", "unknown or used device code");
    // The provider's tokens, sealed to this device code until now, sealed under the session's refresh token.
    const idp = d.idpTokens ? openForDevice(deviceCode, d.idpTokens) : undefined;
    const teamId = matched.policy.team ? await this.store.teamIdByName(matched.policy.team) : null;
    const access = secret(ACCESS_PREFIX);
    const refresh = secret(REFRESH_PREFIX);
    const nowS = Math.floor(nowMs / 1000);
    const expiresAt = nowS + Math.round(this.cfg.session_hours * 3600);
    const accessTtl = Math.min(this.cfg.access_ttl_s, expiresAt - nowS);
    await this.store.createSession({
      identity: who,
      teamId,
      surface: d.surface,
      userAgent: d.userAgent,
      accessHash: digest(access),
      accessExpiresAt: nowS + accessTtl,
      refreshHash: digest(refresh),
      expiresAt,
      idpTokens: idp ? sealForSession(refresh, idp) : null,
    });
    return {
      status: 200,
      body: {
        access_token: access,
        token_type: "Bearer",
        expires_in: accessTtl,
        refresh_token: refresh,
        email: who.email,
      },
    };
  }

  private async refreshGrant(refresh: string): Promise<OAuthAnswer> {
    const invalid = oauthError(401, "invalid_grant", "sign in again");
    if (!refresh.startsWith(REFRESH_PREFIX)) return invalid;
    const hash = digest(refresh);
    const s = await this.store.byRefresh(hash);
    if (!s) {
      // A spent refresh token presented again: someone holds a copy. End the session (RFC 6749 §10.4).
      const spent = await this.store.bySpentRefresh(hash);
      if (spent) await this.store.revoke(spent.id);
      this.ended();
      return invalid;
    }
    const nowS = Math.floor(this.now() / 1000);
    if (s.revokedAt !== null || s.expiresAt <= nowS) return invalid;
    if (s.team?.disabled) return invalid;
    // The person's group may no longer give them access (the configuration changed).
    if (!policyFor(this.cfg, s.groups)) return invalid;
    // The identity provider decides whether the person may still sign in (removed there: refused now).
    const asked = await this.askProvider(refresh, s);
    if ("refused" in asked) {
      await this.store.revoke(s.id);
      this.ended();
      return oauthError(401, "invalid_grant", `the identity provider refused: sign in again (${asked.refused})`);
    }
    const access = secret(ACCESS_PREFIX);
    const next = secret(REFRESH_PREFIX);
    const accessTtl = Math.min(this.cfg.access_ttl_s, s.expiresAt - nowS);
    const rotated = await this.store.rotate(s.id, hash, {
      access: digest(access),
      accessExpiresAt: nowS + accessTtl,
      refresh: digest(next),
      idpTokens: sealForSession(next, asked.tokens),
    });
    if (!rotated) {
      // A refresh token used twice: someone else holds a copy. End the session (RFC 6749 §10.4).
      await this.store.revoke(s.id);
      this.ended();
      return invalid;
    }
    return {
      status: 200,
      body: { access_token: access, token_type: "Bearer", expires_in: accessTtl, refresh_token: next },
    };
  }

  /**
   * The provider's answer for a session at refresh: its tokens (new ones, or the same when the provider could
   * not be reached), or a refusal: the provider said no, or there is nothing to ask it with (a session made
   * before llmux kept the provider's tokens, or whose tokens do not open).
   */
  private async askProvider(
    refresh: string,
    s: { subject: string; idpTokens: string | null },
  ): Promise<{ tokens: ProviderTokens } | { refused: string }> {
    const tokens = s.idpTokens ? openForSession(refresh, s.idpTokens) : undefined;
    if (!tokens || !this.recheck) return { refused: "no token of the identity provider to ask it with" };
    const answer = await this.recheck(tokens, s.subject);
    if ("unreachable" in answer) {
      this.unreachable(answer.unreachable);
      return { tokens };
    }
    return answer;
  }

  /** RFC 7009: ends the session of an access or refresh token; 200 whatever the token was. */
  async revoke(form: URLSearchParams): Promise<OAuthAnswer> {
    const token = form.get("token") ?? "";
    const hash = digest(token);
    const s = token.startsWith(REFRESH_PREFIX)
      ? await this.store.byRefresh(hash)
      : token.startsWith(ACCESS_PREFIX)
        ? await this.store.byAccess(hash)
        : undefined;
    if (s) await this.store.revoke(s.id);
    this.ended();
    return { status: 200, body: {} };
  }
}
