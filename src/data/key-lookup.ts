/**
 * A minted key looked up by the hash of the secret presented (its current one, or the one it replaced while
 * the rotation grace lasts), with its team's allow-list and quotas and its sealed credentials: everything the
 * key directory (src/identity/minted.ts) needs, in two queries.
 */

import { type SealedCredential, sealedCredentials } from "./credentials.js";
import type { Data } from "./data.js";
import { type DefaultTags, defaultTagsOf } from "./default-tags.js";
import { type McpRules, mcpRulesOf } from "./mcp-rules.js";
import { type QuotaSettings, quotaOf } from "./quota.js";
import { readRevision } from "./revisions.js";

export interface FoundKey {
  id: string;
  prefix: string;
  name: string;
  user_label: string | null;
  team_id: string | null;
  /** Its team's name (null: no team). */
  team_name: string | null;
  /** The only providers the key may reach; null: any. */
  providers: string[] | null;
  /** Its team is disabled. */
  team_disabled: boolean;
  /** The key's and its team's allow-lists (alias globs), those that are set. */
  allow: string[][];
  /** The key's and its team's MCP allow-lists, those that are set. */
  mcp: McpRules[];
  /** The key's and its team's default tags (either may be null). */
  tags: DefaultTags | null;
  team_tags: DefaultTags | null;
  /** Unix seconds; null: never. */
  expires_at: number | null;
  disabled: boolean;
  revoked: boolean;
  /** Found by the secret it replaced: accepted until then (unix seconds). Null: found by its own. */
  grace_until: number | null;
  /** The key's quota and its team's. */
  quota: QuotaSettings;
  team_quota: QuotaSettings | null;
  credentials: SealedCredential[];
}

export async function keyByHash(data: Data, hash: string): Promise<FoundKey | undefined> {
  const db = await data.db();
  const row = await db
    .selectFrom("api_keys as k")
    .leftJoin("teams as t", "t.id", "k.team_id")
    .select([
      "k.id",
      "k.prefix",
      "k.hash",
      "k.previous_until",
      "k.name",
      "k.user_label",
      "k.team_id",
      "k.models",
      "k.providers",
      "t.disabled as team_disabled",
      "t.name as team_name",
      "k.mcp",
      "k.tags",
      "k.expires_at",
      "k.disabled",
      "k.revoked_at",
      "k.budget_nanos",
      "k.budget_micros",
      "k.budget_period",
      "k.budget_downgrade",
      "k.limits",
      "t.models as team_models",
      "t.mcp as team_mcp",
      "t.tags as team_tags",
      "t.budget_nanos as team_budget_nanos",
      "t.budget_micros as team_budget_micros",
      "t.budget_period as team_budget_period",
      "t.budget_downgrade as team_budget_downgrade",
      "t.limits as team_limits",
    ])
    .where((eb) => eb.or([eb("k.hash", "=", hash), eb("k.previous_hash", "=", hash)]))
    .executeTakeFirst();
  if (!row) return undefined;
  return {
    id: row.id,
    prefix: row.prefix,
    name: row.name,
    user_label: row.user_label,
    team_id: row.team_id,
    team_name: row.team_name ?? null,
    providers: row.providers ? (JSON.parse(row.providers) as string[]) : null,
    team_disabled: row.team_disabled === 1,
    tags: defaultTagsOf(row.tags),
    team_tags: defaultTagsOf(row.team_tags),
    mcp: [row.mcp, row.team_mcp].map(mcpRulesOf).filter((r): r is McpRules => r !== null),
    allow: [row.models, row.team_models].filter((m): m is string => !!m).map((m) => JSON.parse(m) as string[]),
    expires_at: row.expires_at === null ? null : Number(row.expires_at),
    disabled: row.disabled === 1,
    revoked: row.revoked_at !== null,
    grace_until: row.hash === hash ? null : Number(row.previous_until ?? 0),
    quota: quotaOf(row),
    team_quota: row.team_id
      ? quotaOf({
          budget_nanos: row.team_budget_nanos,
          budget_micros: row.team_budget_micros,
          budget_period: row.team_budget_period,
          budget_downgrade: row.team_budget_downgrade,
          limits: row.team_limits,
        })
      : null,
    credentials: await sealedCredentials(db, row.id),
  };
}

/** The `identity` revision counter: it moves whenever a key or team changes, on any instance. */
export async function identityRevision(data: Data): Promise<number> {
  return readRevision(await data.db());
}

/** Whether any key was ever minted (revoked ones count: the gateway stays closed once keys exist). */
export async function anyKeyMinted(data: Data): Promise<boolean> {
  const db = await data.db();
  return (await db.selectFrom("api_keys").select("id").limit(1).executeTakeFirst()) !== undefined;
}
