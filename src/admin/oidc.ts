import type { OidcConfig } from "../config/schema-ui.js";
import { emailDomain } from "../text/email.js";
import { OidcCodeFlow } from "./oidc-code-flow.js";
import type { Role } from "./ui-session.js";

/** What a sign-in in progress keeps (sealed in a short-lived cookie) between the redirect and the callback. */
export interface OidcFlow {
  verifier: string;
  state: string;
  nonce: string;
  redirect_uri: string;
  /** The page to open after signing in (a path under /ui/). */
  return_to: string;
  exp: number;
}

/** Who signed in, from a verified ID token. */
export interface OidcIdentity {
  sub: string;
  email: string;
  name: string;
  role: Exclude<Role, "key">;
  /** A team admin's team (as the configuration names it: an id or a name). */
  team?: string | undefined;
  /** The groups of the ID token's groups claim (kept in the sign-in: roles are decided again on every request). */
  groups: string[];
}

/** A role, and a team admin's team (as the configuration names it). */
export interface Granted {
  role: Exclude<Role, "key">;
  team?: string | undefined;
}

/** A sign-in the identity provider or the configuration turned down, in words for the sign-in page. */
export class OidcRefused extends Error {}

/** An address as a sign-in takes it: one `@`, a local part, and a domain of dot-separated labels. */

/**
 * Whether an address or its groups are named by a list of addresses, domains (`example.com` names every
 * address at it) and groups (`group:NAME`, compared exactly).
 */
function names(list: readonly string[], email: string, domain: string, groups: readonly string[] = []): boolean {
  return list.some((who) => {
    if (who.startsWith("group:")) return groups.includes(who.slice(6));
    const w = who.toLowerCase();
    if (w.includes("@")) return w.startsWith("@") ? w.slice(1) === domain : w === email;
    return w === domain;
  });
}

/**
 * The role an address (with its groups) signs in with, or undefined when the configuration does not let it in:
 * admin, else team admin of the first team that names it, else read-only, else the default role of an allowed
 * address.
 */
export function roleOf(cfg: OidcConfig, rawEmail: string, groups: readonly string[] = []): Granted | undefined {
  const email = rawEmail.toLowerCase();
  // Parsed strictly: `x@evil.example@example.com` is no address at example.com (nor at all).
  const domain = emailDomain(email);
  if (domain === undefined) return undefined;
  if (names(cfg.roles.admin, email, domain, groups)) return { role: "admin" };
  for (const [team, who] of Object.entries(cfg.roles.team_admin))
    if (names(who, email, domain, groups)) return { role: "team_admin", team };
  if (names(cfg.roles.read_only, email, domain, groups)) return { role: "read_only" };
  if (names(cfg.allowed_emails, email, domain) || names(cfg.allowed_domains, email, domain))
    return { role: cfg.default_role };
  return undefined;
}

/** Every group the roles name (`group:NAME`). */
export function configuredGroups(cfg: OidcConfig): Set<string> {
  const all = [...cfg.roles.admin, ...cfg.roles.read_only, ...Object.values(cfg.roles.team_admin).flat()];
  return new Set(all.filter((w) => w.startsWith("group:")).map((w) => w.slice(6)));
}

/** The groups an ID token's claim lists: an array of strings (or one string); anything else is no groups. */
export function groupsOf(claim: unknown): string[] {
  if (typeof claim === "string") return [claim];
  if (!Array.isArray(claim)) return [];
  return claim.filter((g): g is string => typeof g === "string").slice(0, 500);
}

/**
 * OpenID Connect sign-in, done by the server: discovery from the issuer (once, retried after a failure),
 * the authorization code flow with PKCE (S256), state and nonce, and an ID token whose signature is checked
 * against the provider's JWKS, and whose issuer, audience, expiry and nonce are checked by openid-client.
 */
export class OidcSignIn {
  private readonly flow: OidcCodeFlow;

  constructor(readonly cfg: OidcConfig) {
    this.flow = new OidcCodeFlow(cfg, (words) => new OidcRefused(words));
  }

  /** The provider's authorization URL to send the browser to, and what the callback must find again. */
  async start(redirectUri: string, returnTo: string, ttlS = 600): Promise<{ url: string; flow: OidcFlow }> {
    const { url, secrets } = await this.flow.start(redirectUri);
    return { url, flow: { ...secrets, return_to: returnTo, exp: Math.floor(Date.now() / 1000) + ttlS } };
  }

  /** The callback: exchanges the code, verifies the ID token, and maps its email to a role. */
  async finish(query: URLSearchParams, flow: OidcFlow): Promise<OidcIdentity> {
    const { claims, email } = await this.flow.finish(
      query,
      flow,
      this.cfg.allow_unverified_email,
      " (admin.oidc.allow_unverified_email lets such addresses in)",
    );
    // Only the groups the configuration names are kept (the sign-in cookie stays small).
    const named = configuredGroups(this.cfg);
    const groups = groupsOf(claims[this.cfg.groups_claim]).filter((g) => named.has(g));
    const granted = roleOf(this.cfg, email, groups);
    if (!granted)
      throw new OidcRefused(`${email} may not sign in here (admin.oidc.allowed_emails, allowed_domains, roles)`);
    const name = typeof claims.name === "string" && claims.name ? claims.name : email;
    return { sub: claims.sub, email, name, ...granted, groups };
  }
}
