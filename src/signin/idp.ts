import { OidcCodeFlow, type ProviderTokens } from "../admin/oidc-code-flow.js";
import type { SigninConfig } from "../config/schema-signin.js";
import type { SigninIdentity } from "../data/signin.js";
import { atDomain, emailDomain } from "../text/email.js";

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
export class IdentityProvider {
  private readonly flow: OidcCodeFlow;

  constructor(readonly cfg: SigninConfig["oidc"]) {
    this.flow = new OidcCodeFlow(cfg, (words) => new SigninRefused(words));
  }

  /** The provider's authorization URL, the state to find the device code by, and what the return needs. */
  async start(redirectUri: string): Promise<{ url: string; state: string; flow: BrowserFlow }> {
    const { url, secrets } = await this.flow.start(redirectUri);
    const { verifier, nonce, redirect_uri } = secrets;
    return { url, state: secrets.state, flow: { verifier, nonce, redirect_uri } };
  }

  /** The return: exchanges the code, verifies the ID token, and says who signed in (and the provider's tokens). */
  async finish(
    query: URLSearchParams,
    state: string,
    flow: BrowserFlow,
  ): Promise<{ who: SigninIdentity; tokens: ProviderTokens }> {
    const verified = await this.flow.finish(query, { ...flow, state }, this.cfg.allow_unverified_email);
    const { claims } = verified;
    const email = verified.email.toLowerCase();
    // One plain address, its domain exactly one of the list: `q@evil.example@example.com` is at no domain.
    if (emailDomain(email) === undefined)
      throw new SigninRefused("The identity provider's email claim is not one plain address");
    if (this.cfg.allowed_domains.length > 0 && !atDomain(email, this.cfg.allowed_domains))
      throw new SigninRefused(`${email} may not sign in here (signin.oidc.allowed_domains)`);
    const raw = claims[this.cfg.groups_claim];
    const groups = Array.isArray(raw) ? raw.filter((g): g is string => typeof g === "string") : [];
    const name = typeof claims.name === "string" && claims.name ? claims.name : null;
    const { subject: _, ...tokens } = verified.tokens;
    return { who: { subject: claims.sub, email, name, groups }, tokens };
  }

  /** Asks the provider whether the person may still sign in (at each refresh): see OidcCodeFlow.recheck. */
  recheck(tokens: ProviderTokens, subject: string) {
    return this.flow.recheck(tokens, subject);
  }
}
