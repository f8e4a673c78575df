/** Upstream secrets keys carry, as stored (sealed with the master key: src/secrets): the reads outside `Keys`. */
import type { Kysely, Transaction } from "kysely";
import type { Keyring } from "../secrets/cipher.js";
import type { Data } from "./data.js";
import type { Database } from "./schema.js";

export interface SealedCredential {
  provider: string;
  sealed: string;
  key_version: string;
}

/** A key's sealed credentials, one per provider. */
export async function sealedCredentials(db: Kysely<Database>, keyId: string): Promise<SealedCredential[]> {
  return db
    .selectFrom("credentials")
    .select(["provider", "sealed", "key_version"])
    .where("key_id", "=", keyId)
    .execute();
}

/** Whether any credential is stored (upstream, or an MCP server's or key's own): then a master key is needed to open them. */
export async function anyCredentials(data: Data): Promise<boolean> {
  const db = await data.db();
  const upstream = await db.selectFrom("credentials").select("key_id").limit(1).executeTakeFirst();
  if (upstream) return true;
  const server = await db
    .selectFrom("mcp_servers")
    .select("name")
    .where("sealed", "is not", null)
    .limit(1)
    .executeTakeFirst();
  if (server) return true;
  return (await db.selectFrom("mcp_credentials").select("server").limit(1).executeTakeFirst()) !== undefined;
}

/**
 * Re-seals under the keyring's current master key the rows of a table of sealed secrets (`sealed`,
 * `key_version`: a key's upstream credentials, or the MCP credentials keys and teams hold) that an older key
 * sealed, each found again by its primary key; returns how many.
 */
export async function resealRows<T extends "credentials" | "mcp_credentials">(
  tx: Transaction<Database>,
  ring: Keyring,
  table: T,
  key: readonly (keyof Database[T] & string)[],
): Promise<number> {
  const rows = (await tx
    .selectFrom(table as "credentials")
    .selectAll()
    .where("key_version", "!=", ring.version)
    .execute()) as unknown as Record<string, string>[];
  for (const r of rows) {
    const s = ring.seal(ring.open({ sealed: r.sealed!, keyVersion: r.key_version! }));
    let update = tx.updateTable(table as "credentials").set({ sealed: s.sealed, key_version: s.keyVersion });
    for (const k of key) update = update.where(k as "key_id", "=", r[k]!);
    await update.execute();
  }
  return rows.length;
}
