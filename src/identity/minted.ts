import type { Data } from "../data/data.js";
import { tagList } from "../data/default-tags.js";
import { anyKeyMinted, type FoundKey, identityRevision, keyByHash } from "../data/key-lookup.js";
import { hashKey } from "../data/keys.js";
import type { QuotaSettings } from "../data/quota.js";
import type { Keyring } from "../secrets/cipher.js";
import type { Refusal, Resolver, Verdict } from "./identify.js";
import type { Principal, Quota } from "./principal.js";

/** Presented keys whose hash is remembered at most (the memory is dropped whole when it is full). */
const HASHES_KEPT = 10_000;
const MINTED_KEY_CHARS = 46;

/** A key as the directory remembers it: the principal it stands for and what can end its validity. */
interface Entry {
  principal: Principal;
  prefix: string;
  revoked: boolean;
  disabled: boolean;
  teamDisabled: boolean;
  /** Unix seconds; null: never. */
  expiresAt: number | null;
  /** This hash is the key's previous secret, accepted until then (rotation grace). */
  graceUntil: number | null;
}

const refused = (message: string, e?: Entry): Refusal => ({
  refused: true,
  presented: true,
  message,
  ...(e
    ? {
        known: {
          name: e.principal.name,
          keyId: e.principal.keyId,
          teamId: e.principal.teamId,
          user: e.principal.user,
        },
      }
    : {}),
});

/**
 * Minted keys (`lx-…`): looked up by the SHA-256 of the presented key, remembered in memory so a request
 * costs one hash and one map lookup. Expiry and the rotation grace are checked on every request against the
 * clock. Changes made on other instances or by the CLI on the store (a key minted, which closes a gateway that
 * was open; revoke, disable, rotate, team changes) are learned by polling the
 * database's `identity` revision counter every `pollMs` (default 1 s); when it moved, the memory is dropped.
 * Changes made through this process drop it at once.
 */
export class KeyDirectory implements Resolver {
  private readonly known = new Map<string, Entry | null>();
  /**
   * The hash of each key presented lately (a SHA-256 per request was the largest part of a known key's
   * lookup). Only the key's hash, which never changes: what the key stands for, and whether it still holds,
   * is `known`'s, dropped as before.
   */
  private readonly hashes = new Map<string, string>();
  private revision: number | undefined;
  private timer: NodeJS.Timeout | undefined;
  private polling = false;
  /** Bumped whenever the memory is dropped: a lookup that started before is not remembered. */
  private generation = 0;
  /** Whether a key was ever minted: once true, for good; otherwise asked again after the memory is dropped. */
  private minted: boolean | undefined;
  private mintedLoad: Promise<boolean> | undefined;
  /** Waiting for the next poll to start and end (`nextPoll()`). */
  private waiting: (() => void)[] = [];

  constructor(
    private readonly data: Data,
    private readonly keyring: Keyring | undefined,
    private readonly pollMs = 1000,
    private readonly maxEntries = 100_000,
  ) {}

  resolve(key: string | undefined): Verdict | Promise<Verdict> {
    if (key === undefined || !key.startsWith("lx-")) return undefined;
    let h = this.hashes.get(key);
    if (h === undefined) {
      h = hashKey(key);
      // Only what a minted key's length can be (`lx-` and 43 characters): a stream of long made-up keys
      // cannot fill it with their bytes.
      if (key.length <= MINTED_KEY_CHARS) {
        if (this.hashes.size >= HASHES_KEPT) this.hashes.clear();
        this.hashes.set(key, h);
      }
    }
    const e = this.known.get(h);
    if (e !== undefined) return this.verdict(e);
    return this.load(h).then((loaded) => this.verdict(loaded));
  }

  /** Forget everything (after a change made here). */
  invalidate(): void {
    this.generation++;
    this.known.clear();
    if (this.minted === false) this.minted = undefined;
  }

  /** Whether any key was ever minted (on any instance: learned with the `identity` revision). */
  anyMinted(): boolean | Promise<boolean> {
    if (this.minted !== undefined) return this.minted;
    this.mintedLoad ??= (async () => {
      try {
        if (this.revision === undefined) {
          this.revision = await identityRevision(this.data);
          this.startPolling();
        }
        const generation = this.generation;
        const minted = await anyKeyMinted(this.data);
        if (generation === this.generation || minted) this.minted = minted;
        return minted;
      } finally {
        this.mintedLoad = undefined;
      }
    })();
    return this.mintedLoad;
  }

  /**
   * A resolver for a gateway that asks no key of its own (no `auth.keys`, no pass-through): once keys are
   * minted, a caller with no key or a key llmux does not know is refused rather than served as `open`.
   */
  closedOnceMinted(): Resolver {
    return {
      resolve: async (key) => {
        if (!(await this.anyMinted())) return undefined;
        return {
          refused: true,
          presented: key !== undefined,
          message:
            key === undefined
              ? "No API key: send your llmux key (lx-…) as 'Authorization: Bearer <key>', 'x-api-key', 'api-key' or (Gemini clients) 'x-goog-api-key'."
              : "The API key is not a valid llmux key.",
        };
      },
    };
  }

  /**
   * Resolves when a poll of the `identity` revision that starts after this call has ended (polls run once the
   * directory has looked a key up): a change stored on another instance before the call is learned by then,
   * unless the read failed. Tests of propagation wait for it instead of seconds a busy machine could miss.
   */
  nextPoll(): Promise<void> {
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    for (const done of this.waiting.splice(0)) done();
  }

  private verdict(e: Entry | null): Verdict {
    if (!e) return refused("The API key is not a valid llmux key (unknown or revoked).");
    const now = Date.now() / 1000;
    if (e.revoked) return refused(`The API key ${e.prefix}… was revoked.`, e);
    if (e.disabled) return refused(`The API key ${e.prefix}… is disabled; ask your llmux administrator.`, e);
    if (e.teamDisabled)
      return refused(`The team of the API key ${e.prefix}… is disabled; ask your llmux administrator.`, e);
    if (e.expiresAt !== null && now >= e.expiresAt)
      return refused(`The API key ${e.prefix}… expired at ${new Date(e.expiresAt * 1000).toISOString()}.`, e);
    if (e.graceUntil !== null && now >= e.graceUntil)
      return refused(`The API key ${e.prefix}… was rotated; use the new key.`, e);
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
          providers: found.providers ?? undefined,
          mcp: mcpAccessOf(found),
          credentials,
          quotas: quotasOf(found),
          tags: defaultTagsOfKey(found),
        },
        prefix: found.prefix,
        revoked: found.revoked,
        disabled: found.disabled,
        teamDisabled: found.team_disabled,
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
    const waiting = this.waiting;
    this.waiting = [];
    try {
      const r = await identityRevision(this.data);
      if (r !== this.revision) this.invalidate();
      this.revision = r;
    } catch {
      // The database is unreachable for a moment: keep what is known, try again next time.
    } finally {
      this.polling = false;
      for (const done of waiting) done();
    }
  }
}

/** The key's and its team's MCP allow-lists, as lists each server or tool must be admitted by. */
function mcpAccessOf(found: FoundKey): Principal["mcp"] {
  if (found.mcp.length === 0) return undefined;
  const servers = found.mcp.flatMap((r) => (r.servers ? [r.servers] : []));
  const tools = found.mcp.flatMap((r) => (r.tools ? [r.tools] : []));
  return { servers: servers.length > 0 ? servers : undefined, tools: tools.length > 0 ? tools : undefined };
}

/** The key's and its team's budgets and limits, those that are set. */
function quotasOf(found: FoundKey): Quota[] | undefined {
  const out: Quota[] = [];
  const add = (scope: Quota["scope"], id: string, name: string | null, q: QuotaSettings | null) => {
    if (q && (q.budget || q.limits))
      out.push({ scope, id, name: name ?? undefined, budget: q.budget ?? undefined, limits: q.limits ?? undefined });
  };
  add("key", found.id, found.name, found.quota);
  if (found.team_id) add("team", found.team_id, found.team_name, found.team_quota);
  return out.length > 0 ? out : undefined;
}

/** The key's default tags over its team's (`key=value`, sorted): the key's value wins for a key both set. */
function defaultTagsOfKey(found: FoundKey): string[] | undefined {
  const merged = { ...(found.team_tags ?? {}), ...(found.tags ?? {}) };
  const tags = tagList(merged);
  return tags.length > 0 ? tags : undefined;
}
