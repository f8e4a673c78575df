import { z } from "zod";
import { secret } from "./secret-fields.js";

const LOOPBACK = new Set(["localhost", "127.0.0.1", "[::1]"]);

/** An email address (`alice@example.com`) or a domain (`example.com`: every address at it). */
const Who = z
  .string()
  .min(1)
  .max(320)
  .regex(/^[^\s@]*@?[^\s@]+\.[^\s@]+$/, "an email address or a domain");

/** Who a role names: an address or domain (as `Who`), or `group:NAME` (a group in the ID token's groups claim). */
const WhoOrGroup = z.union([
  z
    .string()
    .regex(/^group:\S{1,256}$/, "group:NAME")
    .describe("A group the ID token's groups claim lists."),
  Who,
]);

/** Single sign-on for the web UI: OpenID Connect, authorization code flow with PKCE, done by the server. */
export const OidcSchema = z
  .object({
    issuer: z
      .url()
      .refine((u) => {
        const url = new URL(u);
        return url.protocol === "https:" || (url.protocol === "http:" && LOOPBACK.has(url.hostname));
      }, "an https:// URL (http:// only on localhost)")
      .describe(
        "The identity provider's issuer URL; its /.well-known/openid-configuration is read at the first sign-in.",
      ),
    client_id: z.string().min(1).describe("The client id llmux was registered with at the identity provider."),
    client_secret: secret(
      z
        .string()
        .min(1)
        .optional()
        .describe("The client secret (confidential client). Absent: a public client (PKCE only)."),
    ),
    redirect_uri: z
      .url()
      .optional()
      .describe(
        "Where the identity provider sends the browser back: <llmux URL>/ui/auth/oidc/callback (register the same URL at the provider). Default: made from the address llmux was reached on when that is a loopback address (localhost), or from the request's forwarded protocol and host with trust_proxy; otherwise required.",
      ),
    trust_proxy: z
      .boolean()
      .default(false)
      .describe(
        "Without redirect_uri: make it from X-Forwarded-Proto, X-Forwarded-Host and Host. Only behind a proxy you trust to set them (a client could otherwise name any host).",
      ),
    allow_unverified_email: z
      .boolean()
      .default(false)
      .describe(
        "Let in addresses the identity provider does not say are verified (email_verified missing or false). Off: refused.",
      ),
    scopes: z
      .array(z.string().min(1))
      .default(["openid", "email", "profile"])
      .describe("Scopes asked for; must include openid and give an `email` claim."),
    allowed_emails: z.array(Who).default([]).describe("Addresses (or domains) that may sign in, with `default_role`."),
    allowed_domains: z
      .array(z.string().min(1).max(253))
      .default([])
      .describe("Email domains whose addresses may sign in, with `default_role`."),
    groups_claim: z
      .string()
      .min(1)
      .default("groups")
      .describe("The ID token claim that lists the person's groups (for `group:NAME` in roles)."),
    roles: z
      .object({
        admin: z
          .array(WhoOrGroup)
          .default([])
          .describe("Addresses, domains or group:NAME that sign in as admins (may change things)."),
        read_only: z
          .array(WhoOrGroup)
          .default([])
          .describe("Addresses, domains or group:NAME that sign in read-only (may only look)."),
        team_admin: z
          .record(z.string().min(1), z.array(WhoOrGroup))
          .default({})
          .describe(
            "Team admins, by team (its id or name): the addresses, domains or group:NAME that administer that team's keys and see its spend, requests, sessions and audit entries only.",
          ),
      })
      .strict()
      .default({ admin: [], read_only: [], team_admin: {} })
      .describe(
        "Roles by address, domain or group; `admin` wins, then `team_admin` (the first team listed), then `read_only`.",
      ),
    default_role: z
      .enum(["read_only", "admin"])
      .default("read_only")
      .describe("The role of an allowed address that `roles` does not name."),
    label: z.string().min(1).max(60).default("Single sign-on").describe("The sign-in button's words."),
  })
  .strict()
  .refine(
    (o) =>
      o.allowed_emails.length +
        o.allowed_domains.length +
        o.roles.admin.length +
        o.roles.read_only.length +
        Object.values(o.roles.team_admin).flat().length >
      0,
    "name who may sign in: allowed_emails, allowed_domains or roles",
  )
  .describe("OpenID Connect sign-in for the web UI (any provider: Google, Microsoft Entra, Okta, Keycloak, Dex…).");

export type OidcConfig = z.infer<typeof OidcSchema>;

/** The web UI at /ui. */
export const UiSchema = z
  .object({
    enabled: z
      .boolean()
      .default(true)
      .describe("Serve the web UI at /ui (when the admin API is on: admin.keys or admin.oidc)."),
    session_hours: z
      .number()
      .positive()
      .max(24 * 30)
      .default(12)
      .describe("How long a sign-in lasts."),
    session_secret: secret(
      z
        .string()
        .min(16)
        .optional()
        .describe(
          "Seals sign-in cookies (AES-256-GCM). Default: derived from admin.keys, admin.oidc.client_secret and secrets.master_key, so every instance with the same configuration accepts the same sign-ins.",
        ),
    ),
  })
  .strict()
  .default({ enabled: true, session_hours: 12 })
  .describe("The web UI: sign-in sessions.");

export type UiConfig = z.infer<typeof UiSchema>;
