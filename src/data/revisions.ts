import type { Kysely } from "kysely";
import type { Database } from "./schema.js";

/** Bumps a revision counter (in the caller's transaction, if any): other instances notice on their next poll. */
export async function bumpRevision(db: Kysely<Database>, name = "identity"): Promise<void> {
  await db
    .updateTable("revisions")
    .set((eb) => ({ value: eb("value", "+", 1) }))
    .where("name", "=", name)
    .execute();
}

export async function readRevision(db: Kysely<Database>, name = "identity"): Promise<number> {
  const row = await db.selectFrom("revisions").select("value").where("name", "=", name).executeTakeFirst();
  return row ? Number(row.value) : 0;
}
