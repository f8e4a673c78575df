import type * as Client from "openid-client";

/** openid-client, loaded at the first sign-in (a gateway no one signs in to by single sign-on does not carry it). */
const openid = () => import("openid-client");

/** The identity provider a code flow talks to. */
export interface CodeFlowClient {
  issuer: string;
  client_id: string;
  client_secret?: string | undefined;
  scopes: readonly string[];
}

/** What the provider's return must find again: the PKCE verifier, the state and the nonce, and where it returns. */
export interface CodeFlowSecrets {
  verifier: string;
  state: string;
  nonce: string;
  redirect_uri: string;
}

/**
 * The OpenID Connect authorization code flow with PKCE (S256), state and nonce, as the web UI's sign-in and
 * Claude Code's sign-in both run it: discovery from the issuer (once, retried after a failure), and an ID token
 * whose signature (the provider's JWKS), issuer, audience, expiry and nonce openid-client checks. Refusals are
 * thrown as `refused(words)`, in the caller's own error class.
 */
export class OidcCodeFlow {
  private discovered: Promise<Client.Configuration> | undefined;

  constructor(
    private readonly cfg: CodeFlowClient,
    private readonly refused: (words: string) => Error,
  ) {}

  private configuration(): Promise<Client.Configuration> {
    if (!this.discovered) {
      const issuer = new URL(this.cfg.issuer);
      this.discovered = openid().then((client) => {
        const auth = this.cfg.client_secret ? client.ClientSecretBasic(this.cfg.client_secret) : client.None();
        const execute = [client.enableNonRepudiationChecks];
        if (issuer.protocol === "http:") execute.push(client.allowInsecureRequests);
        return client.discovery(issuer, this.cfg.client_id, undefined, auth, { execute, timeout: 10 });
      });
      this.discovered.catch(() => {
        this.discovered = undefined;
      });
    }
    return this.discovered;
  }

  /** The provider's authorization URL to send the browser to, and what its return must find again. */
  async start(redirectUri: string): Promise<{ url: string; secrets: CodeFlowSecrets }> {
    const config = await this.configuration();
    const client = await openid();
    const secrets: CodeFlowSecrets = {
      verifier: client.randomPKCECodeVerifier(),
      state: client.randomState(),
      nonce: client.randomNonce(),
      redirect_uri: redirectUri,
    };
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri,
      scope: this.cfg.scopes.join(" "),
      response_type: "code",
      code_challenge: await client.calculatePKCECodeChallenge(secrets.verifier),
      code_challenge_method: "S256",
      state: secrets.state,
      nonce: secrets.nonce,
    });
    return { url: url.href, secrets };
  }

  /**
   * The return: the provider's refusal, or the code exchanged and the ID token verified; its claims, with the
   * email it must carry and, unless `allowUnverified`, verified by the provider (a boolean true, or "true").
   */
  async finish(
    query: URLSearchParams,
    secrets: CodeFlowSecrets,
    allowUnverified: boolean,
    /** Said after a refused unverified address: the setting that lets such addresses in. */
    unverifiedHint = "",
  ): Promise<{ claims: Client.IDToken; email: string; tokens: ProviderTokens }> {
    const error = query.get("error");
    if (error) throw this.refused(`the identity provider answered ${error}: ${query.get("error_description") ?? ""}`);
    const config = await this.configuration();
    const client = await openid();
    const current = new URL(secrets.redirect_uri);
    current.search = query.toString();
    const tokens = await client.authorizationCodeGrant(
      config,
      current,
      {
        pkceCodeVerifier: secrets.verifier,
        expectedState: secrets.state,
        expectedNonce: secrets.nonce,
        idTokenExpected: true,
      },
      { redirect_uri: secrets.redirect_uri },
    );
    const claims = tokens.claims();
    if (!claims) throw this.refused("the identity provider sent no ID token");
    const email = typeof claims.email === "string" ? claims.email : undefined;
    if (!email) throw this.refused("the ID token has no email claim (ask for the email scope)");
    const verified = claims.email_verified === true || claims.email_verified === "true";
    if (!verified && !allowUnverified)
      throw this.refused(`${email} is not verified at the identity provider${unverifiedHint}`);
    return { claims, email, tokens: providerTokens(tokens) };
  }

  /**
   * Asks the provider whether the person may still sign in: its refresh grant with the refresh token (the
   * provider's new tokens), else its userinfo endpoint with the access token (the same tokens). `refused` when
   * the provider turns them down (an OAuth error such as invalid_grant, or 401/403), `unreachable` when it does
   * not answer (network, timeout, 5xx).
   */
  async recheck(
    tokens: ProviderTokens,
    subject: string,
  ): Promise<{ tokens: ProviderTokens } | { refused: string } | { unreachable: string }> {
    try {
      const config = await this.configuration();
      const client = await openid();
      if (tokens.refresh) {
        const next = providerTokens(await client.refreshTokenGrant(config, tokens.refresh));
        const sub = next.subject;
        if (sub !== undefined && sub !== subject) return { refused: "the provider's refresh names another person" };
        return { tokens: { ...next, refresh: next.refresh ?? tokens.refresh } };
      }
      if (tokens.access) {
        await client.fetchUserInfo(config, tokens.access, subject);
        return { tokens };
      }
      return { refused: "no token of the identity provider to ask it with" };
    } catch (err) {
      return judged(err);
    }
  }
}

/**
 * A failed recheck: refused when the provider answered no (an OAuth error, 4xx, an answer that names another
 * person or does not conform), unreachable when it did not answer (network, timeout, 5xx, 429, or an OAuth
 * server_error / temporarily_unavailable).
 */
function judged(err: unknown): { refused: string } | { unreachable: string } {
  const e = (err ?? {}) as { status?: unknown; error?: unknown; cause?: unknown; name?: unknown; message?: unknown };
  const words = typeof e.message === "string" ? e.message : String(err);
  if (typeof e.error === "string")
    return ["server_error", "temporarily_unavailable"].includes(e.error)
      ? { unreachable: e.error }
      : { refused: e.error };
  const cause = e.cause as { status?: unknown } | undefined;
  const status = typeof e.status === "number" ? e.status : typeof cause?.status === "number" ? cause.status : undefined;
  if (status !== undefined)
    return status >= 500 || status === 408 || status === 429
      ? { unreachable: `HTTP ${status}` }
      : { refused: `HTTP ${status}` };
  const network = ["TypeError", "AbortError", "TimeoutError"].includes(String(e.name));
  return network ? { unreachable: words } : { refused: words };
}

/** What llmux keeps of the provider's tokens (only sealed: src/signin/idp-seal.ts). */
export interface ProviderTokens {
  refresh?: string | undefined;
  access?: string | undefined;
  /** When the access token expires (seconds). */
  accessExpiresAt?: number | undefined;
  /** The subject of the ID token that came with them, if any. */
  subject?: string | undefined;
}

function providerTokens(t: Client.TokenEndpointResponse & { claims(): Client.IDToken | undefined }): ProviderTokens {
  const expiresIn = typeof t.expires_in === "number" ? t.expires_in : undefined;
  return {
    ...(t.refresh_token ? { refresh: t.refresh_token } : {}),
    ...(t.access_token ? { access: t.access_token } : {}),
    ...(expiresIn !== undefined ? { accessExpiresAt: Math.floor(Date.now() / 1000) + expiresIn } : {}),
    ...(t.claims()?.sub ? { subject: t.claims()!.sub } : {}),
  };
}
