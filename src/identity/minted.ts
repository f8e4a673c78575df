import type { Data } from "../data/data.js";
import { type FoundKey, identityRevision, keyByHash } from "../data/key-lookup.js";
import { hashKey } from "../data/keys.js";
import type { QuotaSettings } from "../data/quota.js";
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
    if (this.revision === undefined) {
      this.revision = await identityRevision(this.data);
      this.startPolling();
    }
    const generation = this.generation;
    const found = await keyByHash(this.data, hash);
    let entry: Entry | null = null;
    if (found) {
      let credentials: Map<string, string> | undefined;
      if (found.credentials.length > 0) {
        if (!this.keyring) throw new Error("stored credentials need secrets.master_key to be opened");
        credentials = new Map(
          found.credentials.map((c) => [
            c.provider,
            this.keyring!.open({ sealed: c.sealed, keyVersion: c.key_version }),
          ]),
        );
      }
      entry = {
        principal: {
          owner: `key:${found.id}`,
          kind: "minted",
          name: found.name,
          keyId: found.id,
          user: found.user_label ?? undefined,
          teamId: found.team_id ?? undefined,
          allow: found.allow.length > 0 ? found.allow : undefined,
          credentials,
          quotas: quotasOf(found),
        },
        prefix: found.prefix,
        revoked: found.revoked,
        disabled: found.disabled,
        expiresAt: found.expires_at,
        graceUntil: found.grace_until,
      };
    }
    if (generation !== this.generation) return entry;
    if (this.known.size >= this.maxEntries) this.known.clear();
    this.known.set(hash, entry);
    return entry;
  }

  private startPolling(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.poll(), this.pollMs);
    this.timer.unref();
  }

  private async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      const r = await identityRevision(this.data);
      if (r !== this.revision) this.invalidate();
      this.revision = r;
    } catch {
      // The database is unreachable for a moment: keep what is known, try again next time.
    } finally {
      this.polling = false;
    }
  }
}

/** The key's and its team's budgets and limits, those that are set. */
function quotasOf(found: FoundKey): Quota[] | undefined {
  const out: Quota[] = [];
  const add = (scope: Quota["scope"], id: string, q: QuotaSettings | null) => {
    if (q && (q.budget || q.limits))
      out.push({ scope, id, budget: q.budget ?? undefined, limits: q.limits ?? undefined });
  };
  add("key", found.id, found.quota);
  if (found.team_id) add("team", found.team_id, found.team_quota);
  return out.length > 0 ? out : undefined;
}
