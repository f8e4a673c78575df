import type { Kysely } from "kysely";
import type { Data } from "../data/data.js";
import { hashKey } from "../data/keys.js";
import { readRevision } from "../data/revisions.js";
import type { Database } from "../data/schema.js";
import { quotaOf } from "../data/teams.js";
import type { Keyring } from "../secrets/cipher.js";
import type { Refusal, Resolver, Verdict } from "./identify.js";
import type { Principal, Quota } from "./principal.js";

/** A key as the directory remembers it: the principal it stands for and what can end its validity. */
interface Entry {
  principal: Principal;
  prefix: string;
  revoked: boolean;
  disabled: boolean;
  /** Unix seconds; null: never. */
  expiresAt: number | null;
  /** This hash is the key's previous secret, accepted until then (rotation grace). */
  graceUntil: number | null;
}

const refused = (message: string): Refusal => ({ refused: true, presented: true, message });

/**
 * Minted keys (`lx-…`): looked up by the SHA-256 of the presented key, remembered in memory so a request
 * costs one hash and one map lookup. Expiry and the rotation grace are checked on every request against the
 * clock. Changes made on other instances (revoke, disable, rotate, team changes) are learned by polling the
 * database's `identity` revision counter every `pollMs` (default 1 s); when it moved, the memory is dropped.
 * Changes made through this process drop it at once.
 */
export class KeyDirectory implements Resolver {
  private readonly known = new Map<string, Entry | null>();
  private revision: number | undefined;
  private timer: NodeJS.Timeout | undefined;
  private polling = false;
  /** Bumped whenever the memory is dropped: a lookup that started before is not remembered. */
  private generation = 0;

  constructor(
    private readonly data: Data,
    private readonly keyring: Keyring | undefined,
    private readonly pollMs = 1000,
    private readonly maxEntries = 100_000,
  ) {}

  resolve(key: string | undefined): Verdict | Promise<Verdict> {
    if (key === undefined || !key.startsWith("lx-")) return undefined;
    const h = hashKey(key);
    const e = this.known.get(h);
    if (e !== undefined) return this.verdict(e);
    return this.load(h).then((loaded) => this.verdict(loaded));
  }

  /** Forget everything (after a change made here). */
  invalidate(): void {
    this.generation++;
    this.known.clear();
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private verdict(e: Entry | null): Verdict {
    if (!e) return refused("The API key is not a valid llmux key (unknown or revoked).");
    const now = Date.now() / 1000;
    if (e.revoked) return refused(`The API key ${e.prefix}… was revoked.`);
    if (e.disabled) return refused(`The API key ${e.prefix}… is disabled; ask your llmux administrator.`);
    if (e.expiresAt !== null && now >= e.expiresAt)
      return refused(`The API key ${e.prefix}… expired at ${new Date(e.expiresAt * 1000).toISOString()}.`);
    if (e.graceUntil !== null && now >= e.graceUntil)
      return refused(`The API key ${e.prefix}… was rotated; use the new key.`);
    return e.principal;
  }

  private async load(hash: string): Promise<Entry | null> {
    const db = await this.data.db();
    if (this.revision === undefined) {
      this.revision = await readRevision(db);
      this.startPolling(db);
    }
    const generation = this.generation;
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
        "k.expires_at",
        "k.disabled",
        "k.revoked_at",
        "t.models as team_models",
        "k.budget_micros",
        "k.budget_period",
        "k.limits",
        "t.budget_micros as team_budget_micros",
        "t.budget_period as team_budget_period",
        "t.limits as team_limits",
      ])
      .where((eb) => eb.or([eb("k.hash", "=", hash), eb("k.previous_hash", "=", hash)]))
      .executeTakeFirst();
    let entry: Entry | null = null;
    if (row) {
      const allow = [row.models, row.team_models].filter((m): m is string => !!m).map((m) => JSON.parse(m) as string[]);
      const creds = await db
        .selectFrom("credentials")
        .select(["provider", "sealed", "key_version"])
        .where("key_id", "=", row.id)
        .execute();
      let credentials: Map<string, string> | undefined;
      if (creds.length > 0) {
        if (!this.keyring) throw new Error("stored credentials need secrets.master_key to be opened");
        credentials = new Map(
          creds.map((c) => [c.provider, this.keyring!.open({ sealed: c.sealed, keyVersion: c.key_version })]),
        );
      }
      entry = {
        principal: {
          owner: `key:${row.id}`,
          kind: "minted",
          name: row.name,
          keyId: row.id,
          user: row.user_label ?? undefined,
          teamId: row.team_id ?? undefined,
          allow: allow.length > 0 ? allow : undefined,
          credentials,
          quotas: quotasOf(row),
        },
        prefix: row.prefix,
        revoked: row.revoked_at !== null,
        disabled: row.disabled === 1,
        expiresAt: row.expires_at === null ? null : Number(row.expires_at),
        graceUntil: row.hash === hash ? null : Number(row.previous_until ?? 0),
      };
    }
    if (generation !== this.generation) return entry;
    if (this.known.size >= this.maxEntries) this.known.clear();
    this.known.set(hash, entry);
    return entry;
  }

  private startPolling(db: Kysely<Database>): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.poll(db), this.pollMs);
    this.timer.unref();
  }

  private async poll(db: Kysely<Database>): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      const r = await readRevision(db);
      if (r !== this.revision) this.invalidate();
      this.revision = r;
    } catch {
      // The database is unreachable for a moment: keep what is known, try again next time.
    } finally {
      this.polling = false;
    }
  }
}

type QuotaRow = {
  id: string;
  team_id: string | null;
  budget_micros: number | null;
  budget_period: string | null;
  limits: string | null;
  team_budget_micros: number | null;
  team_budget_period: string | null;
  team_limits: string | null;
};

/** The key's and its team's budgets and limits, those that are set. */
function quotasOf(row: QuotaRow): Quota[] | undefined {
  const out: Quota[] = [];
  const add = (scope: Quota["scope"], id: string, q: ReturnType<typeof quotaOf>) => {
    if (q.budget || q.limits) out.push({ scope, id, budget: q.budget ?? undefined, limits: q.limits ?? undefined });
  };
  add("key", row.id, quotaOf(row));
  if (row.team_id)
    add(
      "team",
      row.team_id,
      quotaOf({
        budget_micros: row.team_budget_micros,
        budget_period: row.team_budget_period,
        limits: row.team_limits,
      }),
    );
  return out.length > 0 ? out : undefined;
}
