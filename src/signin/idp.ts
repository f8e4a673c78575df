import type * as Client from "openid-client";
import type { SigninConfig } from "../config/schema-signin.js";
import type { SigninIdentity } from "../data/signin.js";

/** What the identity provider's return must find again (kept with the device code in the data layer). */
export interface BrowserFlow {
  verifier: string;
  nonce: string;
  redirect_uri: string;
}

/** A sign-in the identity provider or the configuration turned down, in words for the verification page. */
export class SigninRefused extends Error {}

/**
 * The browser step at the organisation's identity provider: discovery (once, retried after a failure), the
 * authorization code flow with PKCE (S256), state and nonce, an ID token whose signature, issuer, audience,
 * expiry and nonce openid-client checks; the person's subject, email and groups from its claims.
 */
/** openid-client, loaded at the first sign-in. */
const openid = () => import("openid-client");

export class IdentityProvider {
  private discovered: Promise<Client.Configuration> | undefined;

  constructor(readonly cfg: SigninConfig["oidc"]) {}

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

  /** The provider's authorization URL, the state to find the device code by, and what the return needs. */
  async start(redirectUri: string): Promise<{ url: string; state: string; flow: BrowserFlow }> {
    const config = await this.configuration();
    const client = await openid();
    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const flow: BrowserFlow = { verifier, nonce: client.randomNonce(), redirect_uri: redirectUri };
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri,
      scope: this.cfg.scopes.join(" "),
      response_type: "code",
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: "S256",
      state,
      nonce: flow.nonce,
    });
    return { url: url.href, state, flow };
  }

  /** The return: exchanges the code, verifies the ID token, and says who signed in. */
  async finish(query: URLSearchParams, state: string, flow: BrowserFlow): Promise<SigninIdentity> {
    const error = query.get("error");
    if (error)
      throw new SigninRefused(`the identity provider answered ${error}: ${query.get("error_description") ?? ""}`);
    const config = await this.configuration();
    const client = await openid();
    const current = new URL(flow.redirect_uri);
    current.search = query.toString();
    const tokens = await client.authorizationCodeGrant(
      config,
      current,
      { pkceCodeVerifier: flow.verifier, expectedState: state, expectedNonce: flow.nonce, idTokenExpected: true },
      { redirect_uri: flow.redirect_uri },
    );
    const claims = tokens.claims();
    if (!claims) throw new SigninRefused("the identity provider sent no ID token");
    const email = typeof claims.email === "string" ? claims.email.toLowerCase() : undefined;
    if (!email) throw new SigninRefused("the ID token has no email claim (ask for the email scope)");
    const verified = claims.email_verified === true || claims.email_verified === "true";
    if (!verified && !this.cfg.allow_unverified_email)
      throw new SigninRefused(`${email} is not verified at the identity provider`);
    const domain = email.slice(email.lastIndexOf("@") + 1);
    if (this.cfg.allowed_domains.length > 0 && !this.cfg.allowed_domains.some((d) => d.toLowerCase() === domain))
      throw new SigninRefused(`${email} may not sign in here (signin.oidc.allowed_domains)`);
    const raw = claims[this.cfg.groups_claim];
    const groups = Array.isArray(raw) ? raw.filter((g): g is string => typeof g === "string") : [];
    const name = typeof claims.name === "string" && claims.name ? claims.name : null;
    return { subject: claims.sub, email, name, groups };
  }
}
