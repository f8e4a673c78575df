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
  ): Promise<{ claims: Client.IDToken; email: string }> {
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
    return { claims, email };
  }
}
