/** Upstream secrets keys carry, as stored (sealed with the master key: src/secrets): the reads outside `Keys`. */
import type { Kysely } from "kysely";
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
