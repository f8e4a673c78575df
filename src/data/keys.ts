import { createHash, randomBytes } from "node:crypto";
import type { Kysely } from "kysely";
import { newId } from "../ir/ids.js";
import type { Keyring } from "../secrets/cipher.js";
import { resealRows } from "./credentials.js";
import { nowSeconds } from "./data.js";
import { type DefaultTags, tagsField, tagsJson } from "./default-tags.js";
import { type McpRules, mcpColumn, mcpField } from "./mcp-rules.js";
import { type Budget, type Limits, quotaColumns, quotaOf } from "./quota.js";
import { bumpRevision } from "./revisions.js";
import type { Database, KeysTable } from "./schema.js";

/** What identifies a minted key: `lx-` and 43 base64url characters (256 random bits). */
export const KEY_PATTERN = /^lx-[A-Za-z0-9_-]{43}$/;

export const hashKey = (key: string): string => createHash("sha256").update(key).digest("hex");

/** A minted key as the admin API shows it: never the secret, never its credentials' values. */
export interface KeyView {
  id: string;
  prefix: string;
  name: string;
  user: string | null;
  team_id: string | null;
  models: string[] | null;
  /** MCP allow-lists (servers, tools); absent: every MCP server and tool. */
  mcp?: McpRules;
  /** Default tags of the key's requests (the request's own llmux-tags win); absent: none. */
  tags?: DefaultTags;
  expires_at: string | null;
  disabled: boolean;
  revoked: boolean;
  budget: Budget | null;
  limits: Limits | null;
  /** Providers this key carries its own upstream secret for. */
  credentials: string[];
  spend_usd: number;
  created_at: string;
  updated_at: string;
}

export interface KeyInput {
  name?: string | undefined;
  team_id?: string | null | undefined;
  user?: string | null | undefined;
  models?: string[] | null | undefined;
  mcp?: McpRules | null | undefined;
  tags?: DefaultTags | null | undefined;
  /** ISO 8601 time. */
  expires_at?: string | null | undefined;
  disabled?: boolean | undefined;
  budget?: Budget | null | undefined;
  limits?: Limits | null | undefined;
  credentials?: Record<string, string> | undefined;
  /** The only providers the key may reach (a signup key: the one it brought a key for); null: any. */
  providers?: string[] | null | undefined;
}

const iso = (s: number | null) => (s === null ? null : new Date(Number(s) * 1000).toISOString());
const seconds = (s: string) => Math.floor(Date.parse(s) / 1000);

export class NoMasterKey extends Error {}
export class UnknownTeam extends Error {}

function columns(i: KeyInput): Partial<KeysTable> {
  const set: Partial<KeysTable> = { ...quotaColumns(i) };
  if (i.name !== undefined) set.name = i.name;
  if (i.team_id !== undefined) set.team_id = i.team_id;
  if (i.user !== undefined) set.user_label = i.user;
  if (i.models !== undefined) set.models = i.models ? JSON.stringify(i.models) : null;
  if (i.providers !== undefined) set.providers = i.providers ? JSON.stringify(i.providers) : null;
  if (i.mcp !== undefined) set.mcp = mcpColumn(i.mcp);
  if (i.tags !== undefined) set.tags = tagsJson(i.tags);
  if (i.expires_at !== undefined) set.expires_at = i.expires_at === null ? null : seconds(i.expires_at);
  if (i.disabled !== undefined) set.disabled = i.disabled ? 1 : 0;
  return set;
}

/** Minted keys: created (the secret shown once), listed, changed, revoked, rotated with a grace period. */
export class Keys {
  constructor(
    private readonly db: () => Promise<Kysely<Database>>,
    private readonly keyring: Keyring | undefined,
  ) {}

  /** The fingerprint of the master key that seals new credentials. */
  get keyVersion(): string | undefined {
    return this.keyring?.version;
  }

  private view(r: KeysTable, providers: string[]): KeyView {
    return {
      id: r.id,
      prefix: r.prefix,
      name: r.name,
      user: r.user_label,
      team_id: r.team_id,
      models: r.models ? (JSON.parse(r.models) as string[]) : null,
      ...mcpField(r.mcp),
      ...tagsField(r.tags),
      expires_at: iso(r.expires_at),
      disabled: r.disabled === 1,
      revoked: r.revoked_at !== null,
      ...quotaOf(r),
      credentials: providers,
      spend_usd: 0,
      created_at: iso(r.created_at)!,
      updated_at: iso(r.updated_at)!,
    };
  }

  private async writeCredentials(tx: Kysely<Database>, keyId: string, creds: Record<string, string>) {
    const entries = Object.entries(creds);
    if (entries.length === 0) return;
    if (!this.keyring)
      throw new NoMasterKey("credentials need secrets.master_key (LLMUX_MASTER_KEY) to be stored encrypted");
    for (const [provider, secret] of entries) {
      const s = this.keyring.seal(secret);
      const row = { key_id: keyId, provider, sealed: s.sealed, key_version: s.keyVersion, created_at: nowSeconds() };
      await tx
        .insertInto("credentials")
        .values(row)
        .onConflict((oc) =>
          oc.columns(["key_id", "provider"]).doUpdateSet({ sealed: s.sealed, key_version: s.keyVersion }),
        )
        .execute();
    }
  }

  private async checkTeam(tx: Kysely<Database>, teamId: string | null | undefined) {
    if (teamId && !(await tx.selectFrom("teams").select("id").where("id", "=", teamId).executeTakeFirst()))
      throw new UnknownTeam(`team_id '${teamId}' is not a team`);
  }

  /**
   * Mints a key; the returned `key` is the only time the secret exists outside the caller's hands. `within`
   * runs in the minting transaction once the key's row is written (a member's caps checked and the key recorded
   * as theirs: src/data/member-caps.ts); what it throws undoes the minting.
   */
  async create(
    input: KeyInput & { name: string },
    within?: (tx: Kysely<Database>, keyId: string) => Promise<void>,
  ): Promise<KeyView & { key: string }> {
    const db = await this.db();
    const key = `lx-${randomBytes(32).toString("base64url")}`;
    const t = nowSeconds();
    const row: KeysTable = {
      id: newId("key_", 16),
      prefix: key.slice(0, 11),
      hash: hashKey(key),
      previous_hash: null,
      previous_until: null,
      name: input.name,
      user_label: null,
      team_id: null,
      models: null,
      expires_at: null,
      disabled: 0,
      revoked_at: null,
      budget_nanos: null,
      budget_micros: null,
      budget_period: null,
      limits: null,
      ...columns(input),
      created_at: t,
      updated_at: t,
    };
    await db.transaction().execute(async (tx) => {
      await this.checkTeam(tx, input.team_id);
      await tx.insertInto("api_keys").values(row).execute();
      await this.writeCredentials(tx, row.id, input.credentials ?? {});
      if (within) await within(tx, row.id);
      // A new key closes a gateway that was open until one was minted: every process on this store (another
      // instance, or `llmux keys create` on the store while llmux runs) learns it on its next poll.
      await bumpRevision(tx);
    });
    return { ...this.view(row, Object.keys(input.credentials ?? {}).sort()), key };
  }

  private async providers(db: Kysely<Database>, ids: string[]): Promise<Map<string, string[]>> {
    const out = new Map<string, string[]>();
    if (ids.length === 0) return out;
    const rows = await db
      .selectFrom("credentials")
      .select(["key_id", "provider"])
      .where("key_id", "in", ids)
      .orderBy("provider")
      .execute();
    for (const r of rows) out.set(r.key_id, [...(out.get(r.key_id) ?? []), r.provider]);
    return out;
  }

  /** Keys, oldest first: the ones in use (by default), the revoked ones (`revoked: "only"`) or all. */
  async list(
    filter: { teamId?: string | undefined; revoked?: "no" | "only" | "all" | undefined } = {},
  ): Promise<KeyView[]> {
    const db = await this.db();
    let q = db.selectFrom("api_keys").selectAll();
    const revoked = filter.revoked ?? "no";
    if (revoked === "no") q = q.where("revoked_at", "is", null);
    if (revoked === "only") q = q.where("revoked_at", "is not", null);
    if (filter.teamId) q = q.where("team_id", "=", filter.teamId);
    const rows = await q.orderBy("created_at").orderBy("id").execute();
    const creds = await this.providers(
      db,
      rows.map((r) => r.id),
    );
    return rows.map((r) => this.view(r, creds.get(r.id) ?? []));
  }

  async get(id: string): Promise<KeyView | undefined> {
    const db = await this.db();
    const row = await db.selectFrom("api_keys").selectAll().where("id", "=", id).executeTakeFirst();
    if (!row || row.revoked_at !== null) return undefined;
    return this.view(row, (await this.providers(db, [id])).get(id) ?? []);
  }

  async update(id: string, input: KeyInput): Promise<KeyView | undefined> {
    const db = await this.db();
    const found = await db.transaction().execute(async (tx) => {
      // Before the update: a foreign key would otherwise refuse it with the database's own error.
      await this.checkTeam(tx, input.team_id);
      const r = await tx
        .updateTable("api_keys")
        .set({ ...columns(input), updated_at: nowSeconds() })
        .where("id", "=", id)
        .where("revoked_at", "is", null)
        .executeTakeFirst();
      if (Number(r.numUpdatedRows) === 0) return false;
      await this.writeCredentials(tx, id, input.credentials ?? {});
      await bumpRevision(tx);
      return true;
    });
    return found ? this.get(id) : undefined;
  }

  /** Revokes a key for good; its stored credentials (upstream and MCP) are deleted with it. */
  async revoke(id: string): Promise<boolean> {
    const db = await this.db();
    return db.transaction().execute(async (tx) => {
      const t = nowSeconds();
      const r = await tx
        .updateTable("api_keys")
        .set({ revoked_at: t, updated_at: t })
        .where("id", "=", id)
        .where("revoked_at", "is", null)
        .executeTakeFirst();
      if (Number(r.numUpdatedRows) === 0) return false;
      await tx.deleteFrom("credentials").where("key_id", "=", id).execute();
      await tx.deleteFrom("mcp_credentials").where("subject", "=", `key:${id}`).execute();
      await bumpRevision(tx);
      return true;
    });
  }

  /** A new secret for the same key (same id, settings, credentials); the old one works `graceS` more seconds. */
  async rotate(id: string, graceS: number): Promise<(KeyView & { key: string }) | undefined> {
    const db = await this.db();
    const key = `lx-${randomBytes(32).toString("base64url")}`;
    const done = await db.transaction().execute(async (tx) => {
      const old = await tx
        .selectFrom("api_keys")
        .select("hash")
        .where("id", "=", id)
        .where("revoked_at", "is", null)
        .executeTakeFirst();
      if (!old) return false;
      const t = nowSeconds();
      await tx
        .updateTable("api_keys")
        .set({
          hash: hashKey(key),
          prefix: key.slice(0, 11),
          previous_hash: graceS > 0 ? old.hash : null,
          previous_until: graceS > 0 ? t + graceS : null,
          updated_at: t,
        })
        .where("id", "=", id)
        .execute();
      await bumpRevision(tx);
      return true;
    });
    if (!done) return undefined;
    return { ...(await this.get(id))!, key };
  }

  /** Re-seals every stored credential under the keyring's current master key; returns how many. */
  async reseal(): Promise<number> {
    const ring = this.keyring;
    if (!ring) throw new NoMasterKey("secrets rotate needs secrets.master_key (the new key)");
    const db = await this.db();
    return db.transaction().execute(async (tx) => {
      return resealRows(tx, ring, "credentials", ["key_id", "provider"]);
    });
  }
}
