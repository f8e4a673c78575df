/**
 * Self-service keys (120_member_caps): a team's caps on the keys its members mint for themselves, and which
 * keys a member minted (their email and team), read to list, revoke and count them against the caps.
 */

import type { Data } from "./data.js";
import { nowSeconds } from "./data.js";
import { type Kysely, sql } from "./kysely.js";
import { budgetNanos, type Period } from "./quota.js";
import type { Database } from "./schema.js";

/** What a team admin lets each member mint for themselves (absent fields: no cap of that kind). */
export interface MemberCaps {
  /** The most budget one key may carry, in USD. */
  budget_usd?: number | undefined;
  /** The most the budgets of a member's live keys may add up to, in USD. */
  total_budget_usd?: number | undefined;
  /** The period of the budgets members' keys carry (default: month). */
  period?: Period | undefined;
  /** The models (globs, within the team's) a member's key may be allowed. */
  models?: string[] | undefined;
  /** The latest a member's key may expire, in days from its minting. */
  max_expiry_days?: number | undefined;
  /** How many live keys a member may hold. */
  max_keys?: number | undefined;
  /** Who counts as a member when signed in to the web UI: emails, `@domain`, `group:NAME`. */
  members?: string[] | undefined;
}

export class MemberCapsStore {
  constructor(private readonly data: Data) {}

  async get(teamId: string): Promise<MemberCaps | undefined> {
    const db = await this.data.db();
    const r = await db.selectFrom("member_caps").select("caps").where("team_id", "=", teamId).executeTakeFirst();
    return r ? (JSON.parse(r.caps) as MemberCaps) : undefined;
  }

  /** Every team's caps (to find the team an OIDC sign-in is a member of). */
  async all(): Promise<{ teamId: string; caps: MemberCaps }[]> {
    const db = await this.data.db();
    const rows = await db.selectFrom("member_caps").select(["team_id", "caps"]).orderBy("team_id").execute();
    return rows.map((r) => ({ teamId: r.team_id, caps: JSON.parse(r.caps) as MemberCaps }));
  }

  /** Sets (replaces) a team's caps; null removes them (its members mint nothing more). */
  async set(teamId: string, caps: MemberCaps | null): Promise<void> {
    const db = await this.data.db();
    await db.transaction().execute(async (tx) => {
      await tx.deleteFrom("member_caps").where("team_id", "=", teamId).execute();
      if (caps)
        await tx
          .insertInto("member_caps")
          .values({ team_id: teamId, caps: JSON.stringify(caps), updated_at: nowSeconds() })
          .execute();
    });
  }

  /**
   * In a key's minting transaction (Keys.create's `within`): what the member already holds (their live own keys
   * and the sum of those keys' budgets), read under a lock on the member (PostgreSQL: a transaction-scoped
   * advisory lock; SQLite: every writing transaction begins as the one writer), given to `check` (which throws
   * past a cap, undoing the minting), then the new key recorded as theirs. Two mints at once by one member are
   * counted one after the other, so together they never pass a cap.
   */
  async ownWithin(
    tx: Kysely<Database>,
    keyId: string,
    teamId: string,
    member: string,
    check: (held: { keys: number; budgetNanos: number }) => void,
  ): Promise<void> {
    const who = member.toLowerCase();
    if (this.data.engine === "postgres")
      await sql`select pg_advisory_xact_lock(hashtext(${`llmux.member_keys:${teamId}:${who}`}))`.execute(tx);
    const rows = await tx
      .selectFrom("member_keys")
      .innerJoin("api_keys", "api_keys.id", "member_keys.key_id")
      .select(["api_keys.budget_nanos", "api_keys.budget_micros"])
      .where("member_keys.team_id", "=", teamId)
      .where("member_keys.member", "=", who)
      .where("api_keys.revoked_at", "is", null)
      .execute();
    check({ keys: rows.length, budgetNanos: rows.reduce((sum, r) => sum + (budgetNanos(r) ?? 0), 0) });
    await tx
      .insertInto("member_keys")
      .values({ key_id: keyId, team_id: teamId, member: who, created_at: nowSeconds() })
      .execute();
  }

  /** The ids of a member's own keys still live (not revoked), oldest first. */
  async keysOf(teamId: string, member: string): Promise<string[]> {
    const db = await this.data.db();
    const rows = await db
      .selectFrom("member_keys")
      .innerJoin("api_keys", "api_keys.id", "member_keys.key_id")
      .select("member_keys.key_id")
      .where("member_keys.team_id", "=", teamId)
      .where("member_keys.member", "=", member.toLowerCase())
      .where("api_keys.revoked_at", "is", null)
      .orderBy("member_keys.created_at")
      .orderBy("member_keys.key_id")
      .execute();
    return rows.map((r) => r.key_id);
  }

  /** The member who minted a key for themselves, and their team (undefined: not a member's own key). */
  async ownerOf(keyId: string): Promise<{ teamId: string; member: string } | undefined> {
    const db = await this.data.db();
    const r = await db
      .selectFrom("member_keys")
      .select(["team_id", "member"])
      .where("key_id", "=", keyId)
      .executeTakeFirst();
    return r ? { teamId: r.team_id, member: r.member } : undefined;
  }
}
