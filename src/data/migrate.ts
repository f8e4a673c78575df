import type { EngineName } from "./engine.js";
import { type Kysely, sql } from "./kysely.js";
import { MIGRATIONS, type Migration } from "./migrations.js";
import type { Database } from "./schema.js";

/** The PostgreSQL advisory lock every instance takes to migrate (an arbitrary constant: "llmx"). */
const PG_LOCK = 0x6c6c6d78;

/**
 * Applies the migrations not yet applied, under a lock, so that instances starting together are safe: on
 * PostgreSQL a session advisory lock (the others wait for it, then find nothing left to do), each migration
 * in its own transaction; on SQLite one `BEGIN IMMEDIATE` transaction (the database's write lock, waited for
 * up to the busy timeout). Returns the ids it applied.
 */
export async function migrate(
  db: Kysely<Database>,
  engine: EngineName,
  list: readonly Migration[] = MIGRATIONS,
): Promise<string[]> {
  return db.connection().execute(async (conn) => {
    if (engine === "postgres") await sql`select pg_advisory_lock(${PG_LOCK})`.execute(conn);
    else await sql`begin immediate`.execute(conn);
    const applied: string[] = [];
    try {
      await conn.schema
        .createTable("llmux_migrations")
        .ifNotExists()
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("applied_at", "bigint", (c) => c.notNull())
        .execute();
      const done = new Set((await conn.selectFrom("llmux_migrations").select("id").execute()).map((r) => r.id));
      for (const m of list) {
        if (done.has(m.id)) continue;
        const run = async (tx: Kysely<Database>) => {
          await m.up(tx, engine);
          await tx
            .insertInto("llmux_migrations")
            .values({ id: m.id, applied_at: Math.floor(Date.now() / 1000) })
            .execute();
        };
        if (engine === "postgres") await conn.transaction().execute(run);
        else await run(conn);
        applied.push(m.id);
      }
      if (engine === "sqlite") await sql`commit`.execute(conn);
      return applied;
    } catch (err) {
      if (engine === "sqlite") await sql`rollback`.execute(conn).catch(() => undefined);
      throw err;
    } finally {
      if (engine === "postgres") await sql`select pg_advisory_unlock(${PG_LOCK})`.execute(conn);
    }
  });
}
