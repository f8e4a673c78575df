/** Who is calling: decided once per request, before its body is read. */
export interface Principal {
  /**
   * Owner of stored data (stored Responses, their items, the reasoning cache): `key:<id>` for minted keys,
   * `digest:<first 22 chars of base64url sha256 of the presented key>` for config keys (auth.keys) and
   * pass-through keys, `open` when llmux requires no key.
   */
  readonly owner: string;
  readonly kind: "open" | "config" | "passthrough" | "minted" | "signin";
  /** For logs and the request log: a minted key's name, or `config:<first 6 chars of the digest>`; never the key. */
  readonly name?: string | undefined;
  /** Minted keys: the key's public id, its user label and team (sign-ins: the session's id, the email, the team). */
  readonly keyId?: string | undefined;
  readonly user?: string | undefined;
  readonly teamId?: string | undefined;
  /** Pass-through: the caller's own upstream key (never stored or logged). */
  readonly callerKey?: string | undefined;
  /**
   * The only providers this caller may reach (other providers refuse it): pass-through allowed for some
   * providers, a minted key bound to the provider it brought a key for (signup).
   */
  readonly providers?: readonly string[] | undefined;
  /** Minted keys: allow-lists of model aliases (globs) that must each admit the alias asked for (key's, team's). */
  readonly allow?: readonly (readonly string[])[] | undefined;
  /** Minted keys: allow-lists (globs) of MCP servers and tools, the key's and its team's (each must admit). */
  readonly mcp?:
    | { readonly servers?: readonly (readonly string[])[]; readonly tools?: readonly (readonly string[])[] }
    | undefined;
  /** Minted keys: the key's own upstream secrets by provider name, used instead of the provider's api_key. */
  readonly credentials?: ReadonlyMap<string, string> | undefined;
  /** Minted keys: the budgets and rate limits of the key and of its team, each enforced. */
  readonly quotas?: readonly Quota[] | undefined;
  /** Minted keys: the key's and its team's default tags (`key=value`, sorted; the key's win over the team's). */
  readonly tags?: readonly string[] | undefined;
}

/**
 * A budget and limits that bound a key (`scope: key`), every key of a team (`scope: team`), or every key
 * carrying a user label (`scope: user`, from `billing.users`), or every request carrying a tag (`scope: tag`,
 * from `tags:`; its id is the tag, `project=checkout`).
 */
export interface Quota {
  readonly scope: "key" | "team" | "user" | "tag";
  readonly id: string;
  /** A key's or team's name, for the log lines and alerts that speak of it (the id stays the reference). */
  readonly name?: string | undefined;
  readonly budget?:
    | {
        readonly usd: number;
        readonly period: "day" | "week" | "month" | "total";
        /** A soft budget: past `at` of it, requests are served by the cheaper alias `to`. */
        readonly downgrade?: { readonly at: number; readonly to: string } | undefined;
      }
    | undefined;
  readonly limits?: { readonly rpm?: number; readonly tpm?: number; readonly concurrency?: number } | undefined;
}
