/**
 * Models, providers and aliases stored at runtime (112_config_entries), over the configuration file's: each
 * change is a new version (who, when, what) with the entries it set or removed. The entries in force are each
 * name's latest row (a removed one is no entry: the file's is used again); the state at any version is the same
 * fold over the rows up to it, which is what a roll-back writes again as a new version. A provider's settings
 * holding credentials are sealed whole with the master key; the readable copy has "[sealed]" in their place.
 */
import type { Keyring } from "../secrets/cipher.js";
import type { Data } from "./data.js";
import { NoMasterKey } from "./keys.js";

export const CONFIG_KINDS = ["providers", "models"] as const;
export type ConfigKind = (typeof CONFIG_KINDS)[number];

/** What stands in a readable copy for a sealed credential. */
export const SEALED_VALUE = "[sealed]";

/** One entry set (body) or removed (null) by a change; `secrets`: the body's credential values, to seal. */
export interface ConfigChange {
  kind: ConfigKind;
  name: string;
  body: Record<string, unknown> | null;
  secrets?: readonly string[];
}

/** An entry in force: its settings (opened), and the version that set it. */
export interface ConfigEntry {
  kind: ConfigKind;
  name: string;
  version: number;
  body: Record<string, unknown>;
}

export interface ConfigVersion {
  version: number;
  actor: string;
  at: number;
  what: string;
  changes: { kind: string; name: string; removed: boolean }[];
}

/** The latest version (0: nothing stored): one read of the key's end, on every poll. */
export async function configVersion(data: Data): Promise<number> {
  const db = await data.db();
  const r = await db
    .selectFrom("config_versions")
    .select((e) => e.fn.max("version").as("v"))
    .executeTakeFirst();
  return Number(r?.v ?? 0);
}

/** A readable copy of a body: every credential value replaced by "[sealed]". */
export function withoutSecrets(body: unknown, secrets: ReadonlySet<string>): unknown {
  if (typeof body === "string") return secrets.has(body) ? SEALED_VALUE : body;
  if (Array.isArray(body)) return body.map((x) => withoutSecrets(x, secrets));
  if (body && typeof body === "object")
    return Object.fromEntries(Object.entries(body).map(([k, v]) => [k, withoutSecrets(v, secrets)]));
  return body;
}

/**
 * The entries in force at `upTo` (default: the latest version), with that version. A sealed entry needs the
 * master key that sealed it (an error otherwise: nothing is applied half-way).
 *
 * The latest version is read first and the entries up to it after: a version and its entries are written in one
 * transaction, in order, so what is read is that version whole, whatever is written meanwhile. (Read the other
 * way round, a change committed between the two reads gave its version with the entries of before: an instance
 * put that in force as the new version and never read it again.)
 */
export async function configEntriesAt(
  data: Data,
  keyring: Keyring | undefined,
  upTo?: number,
): Promise<{ version: number; entries: ConfigEntry[] }> {
  const version = upTo ?? (await configVersion(data));
  const db = await data.db();
  const rows = await db
    .selectFrom("config_entries")
    .selectAll()
    .where("version", "<=", version)
    .orderBy("version")
    .execute();
  const latest = new Map<string, (typeof rows)[number]>();
  for (const r of rows) latest.set(`${r.kind}\0${r.name}`, r);
  const entries: ConfigEntry[] = [];
  for (const r of latest.values()) {
    if (r.body === null) continue;
    let body = JSON.parse(r.body) as Record<string, unknown>;
    if (r.sealed !== null && r.key_version !== null) {
      if (!keyring) throw new NoMasterKey(`stored ${r.kind}.${r.name} has sealed credentials: set secrets.master_key`);
      body = JSON.parse(keyring.open({ sealed: r.sealed, keyVersion: r.key_version })) as Record<string, unknown>;
    }
    entries.push({ kind: r.kind as ConfigKind, name: r.name, version: Number(r.version), body });
  }
  return { version, entries };
}

/** The changes, newest first (at most `limit`). */
export async function configHistory(data: Data, limit: number): Promise<ConfigVersion[]> {
  const db = await data.db();
  const versions = await db.selectFrom("config_versions").selectAll().orderBy("version", "desc").limit(limit).execute();
  if (versions.length === 0) return [];
  const low = Number(versions[versions.length - 1]!.version);
  const rows = await db
    .selectFrom("config_entries")
    .select(["version", "kind", "name", "body"])
    .where("version", ">=", low)
    .orderBy("kind")
    .orderBy("name")
    .execute();
  return versions.map((v) => ({
    version: Number(v.version),
    actor: v.actor,
    at: Number(v.at),
    what: v.what,
    changes: rows
      .filter((r) => Number(r.version) === Number(v.version))
      .map((r) => ({ kind: r.kind, name: r.name, removed: r.body === null })),
  }));
}

/** An entry changed since it was read (`appendConfigChanges`'s `unchanged`): nothing was written. */
export class ConfigMoved extends Error {}

/** An entry as it was read: the version that last wrote it (null: not stored, or removed). */
export interface EntryBasis {
  kind: ConfigKind;
  name: string;
  version: number | null;
}

/**
 * Writes changes as one new version (in one transaction: all or none); returns it. Two instances writing at
 * once: one takes the version, the other tries again with the next. With `unchanged`, nothing is written when
 * that entry was changed since it was read (ConfigMoved): an edit of part of an entry never loses another's.
 */
export async function appendConfigChanges(
  data: Data,
  keyring: Keyring | undefined,
  changes: readonly ConfigChange[],
  actor: string,
  what: string,
  unchanged?: EntryBasis,
): Promise<number> {
  const rows = changes.map((c) => {
    const secrets = new Set(c.secrets ?? []);
    if (c.body === null || secrets.size === 0)
      return { kind: c.kind, name: c.name, body: c.body && JSON.stringify(c.body), sealed: null, key_version: null };
    if (!keyring)
      throw new NoMasterKey(
        `${c.kind}.${c.name}: credentials need secrets.master_key (LLMUX_MASTER_KEY) to be stored encrypted`,
      );
    const s = keyring.seal(JSON.stringify(c.body));
    const body = JSON.stringify(withoutSecrets(c.body, secrets));
    return { kind: c.kind, name: c.name, body, sealed: s.sealed, key_version: s.keyVersion };
  });
  const db = await data.db();
  for (let attempt = 0; ; attempt++) {
    try {
      return await db.transaction().execute(async (tx) => {
        const r = await tx
          .selectFrom("config_versions")
          .select((e) => e.fn.max("version").as("v"))
          .executeTakeFirst();
        const version = Number(r?.v ?? 0) + 1;
        if (unchanged) {
          // The entry in force: its latest row, unless that row removed it.
          const e = await tx
            .selectFrom("config_entries")
            .select(["version", "body"])
            .where("kind", "=", unchanged.kind)
            .where("name", "=", unchanged.name)
            .orderBy("version", "desc")
            .limit(1)
            .executeTakeFirst();
          const was = e && e.body !== null ? Number(e.version) : null;
          if (was !== unchanged.version)
            throw new ConfigMoved(`${unchanged.kind}.${unchanged.name} was changed since it was read`);
        }
        await tx.insertInto("config_versions").values({ version, actor, at: Date.now(), what }).execute();
        if (rows.length > 0)
          await tx
            .insertInto("config_entries")
            .values(rows.map((row) => ({ ...row, version })))
            .execute();
        return version;
      });
    } catch (err) {
      if (err instanceof ConfigMoved || attempt >= 4) throw err;
    }
  }
}
