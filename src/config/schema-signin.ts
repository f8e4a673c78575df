import { z } from "zod";
import { secret } from "./secret-fields.js";

const LOOPBACK = new Set(["localhost", "127.0.0.1", "[::1]"]);

const httpsOrLoopback = (u: string) => {
  const url = new URL(u);
  return url.protocol === "https:" || (url.protocol === "http:" && LOOPBACK.has(url.hostname));
};

/** What a group (or the default) gives a signed-in person: a team, models, Claude Code's managed settings. */
export const SigninPolicySchema = z
  .object({
    team: z
      .string()
      .min(1)
      .max(100)
      .optional()
      .describe(
        "The llmux team (by name) the person's requests count under: its budget, limits, allow-list, spend and logs. Made at the first sign-in when no team has that name.",
      ),
    models: z
      .array(z.string().min(1))
      .optional()
      .describe("Model aliases (globs) the person may use; absent: every model (the team's allow-list still applies)."),
    settings: z
      .record(z.string(), z.unknown())
      .optional()
      .describe(
        "Claude Code's managed-settings.json for these people, served at GET /managed/settings (e.g. availableModels, permissions, env). Absent: 404 (no managed policy).",
      ),
  })
  .strict();

export type SigninPolicy = z.infer<typeof SigninPolicySchema>;

/**
 * Claude Code sign-in (`/login` against a gateway): OAuth device authorization whose browser step is the
 * organisation's OpenID Connect provider; tokens that are llmux principals of a person and their team.
 */
export const SigninSchema = z
  .object({
    public_url: z
      .url()
      .refine(httpsOrLoopback, "an https:// URL (http:// only on localhost)")
      .optional()
      .describe(
        "llmux's address as laptops and browsers reach it (the discovery document, the verification page, the identity provider's redirect <public_url>/oauth/callback). Default: the address llmux was reached on, when that is a loopback address; otherwise required.",
      ),
    oidc: z
      .object({
        issuer: z
          .url()
          .refine(httpsOrLoopback, "an https:// URL (http:// only on localhost)")
          .describe("The identity provider's issuer URL (its /.well-known/openid-configuration is read)."),
        client_id: z.string().min(1).describe("The client id llmux is registered with for sign-in."),
        client_secret: secret(
          z.string().min(1).optional().describe("The client secret (absent: a public client, PKCE only)."),
        ),
        scopes: z
          .array(z.string().min(1))
          .default(["openid", "email", "profile"])
          .describe("Scopes asked for (add `groups` for providers that need it, e.g. Keycloak, Okta)."),
        groups_claim: z
          .string()
          .min(1)
          .default("groups")
          .describe("The ID token claim that lists the person's groups."),
        allowed_domains: z
          .array(z.string().min(1).max(253))
          .default([])
          .describe(
            "Email domains whose people may sign in: one plain address whose domain is exactly one of these (any case; list each subdomain). Empty: any address the provider vouches for.",
          ),
        allow_unverified_email: z
          .boolean()
          .default(false)
          .describe("Let in addresses the provider does not say are verified (off: refused)."),
      })
      .strict()
      .describe("The identity provider (OpenID Connect) people sign in at."),
    access_ttl_s: z
      .number()
      .int()
      .min(60)
      .max(86_400)
      .default(900)
      .describe(
        "Lifetime of an access token, seconds (Claude Code refreshes it before it ends; each refresh asks the identity provider, so a person removed there loses access within this).",
      ),
    session_hours: z
      .number()
      .positive()
      .max(24 * 90)
      .default(8)
      .describe(
        "How long a sign-in lasts before the person signs in at the identity provider again (refresh stops then).",
      ),
    device_ttl_s: z
      .number()
      .int()
      .min(60)
      .max(3600)
      .default(600)
      .describe("How long a device code waits for its browser step."),
    interval_s: z.number().int().min(1).max(60).default(5).describe("The poll interval given to the client, seconds."),
    telemetry_endpoint: z
      .url()
      .optional()
      .describe(
        "An OTLP/HTTP collector (base URL: /v1/metrics, /v1/logs, /v1/traces are appended) that receives signed-in clients' telemetry, stamped with the person's email, subject and team. Default: OTEL_EXPORTER_OTLP_ENDPOINT (with OTEL_EXPORTER_OTLP_HEADERS) when set; otherwise the telemetry is dropped. Nothing is kept.",
      ),
    login_notice: z
      .string()
      .max(500)
      .optional()
      .describe("A plain-text line Claude Code shows next to the code on its sign-in screen."),
    groups: z
      .record(z.string().min(1), SigninPolicySchema)
      .default({})
      .describe(
        "Policy by identity-provider group, in order: the first group the person belongs to decides their team, models and managed settings.",
      ),
    default: SigninPolicySchema.optional().describe(
      "The policy of a person in none of `groups`. Absent: such a person may not sign in.",
    ),
  })
  .strict()
  .describe("Claude Code sign-in: developers run /login against llmux and sign in at the identity provider.");

export type SigninConfig = z.infer<typeof SigninSchema>;
