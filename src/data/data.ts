import type { Kysely } from "kysely";
import { type CompiledOp, compileOps, type WriteOp, writeThrough } from "./batch-write.js";
import { type DataLocation, type Engine, type EngineName, openEngine } from "./engine.js";
import { migrate } from "./migrate.js";
import { withRollups } from "./rollups.js";
import type { Database } from "./schema.js";

/**
 * The data layer: one database (SQLite file or PostgreSQL), opened and migrated on first use, shared by
 * the store, the key directory and the admin API. `ready()` resolves once migrations have run.
 */
export class Data {
  private opened: Promise<Kysely<Database>> | undefined;
  private held: Engine | undefined;
  readonly engine: EngineName;

  constructor(private readonly where: DataLocation) {
    this.engine = where.url ? "postgres" : "sqlite";
  }

  /** The migrated database. */
  db(): Promise<Kysely<Database>> {
    this.opened ??= (async () => {
      const e = openEngine(this.where);
      this.held = e;
      try {
        await migrate(e.db, e.name);
      } catch (err) {
        this.opened = undefined;
        this.held = undefined;
        await e.release().catch(() => undefined);
        throw err;
      }
      return e.db;
    })();
    return this.opened;
  }

  /**
   * Writes a batch in one transaction, without holding the event loop for it on SQLite (a writer thread of
   * its own); the rows inserted or changed by each step. Rows an insert adds to the ledger or the request log
   * are summed into their rollups in the same transaction (rollups.ts). `here`: on this thread's own
   * connection instead, for a write made before any request is served (the settings recorded at a start),
   * which would otherwise start SQLite's writer thread (and its memory) for one row.
   */
  async write(ops: readonly WriteOp[], opts?: { here?: boolean }): Promise<number[]> {
    const db = await this.db();
    const engine = this.held;
    if (!engine) throw new Error("the database is closed");
    const compiled = compileOps(withRollups(db, engine.name, ops));
    return opts?.here ? writeThrough(db, compiled) : engine.write(compiled);
  }

  /** `write` with the statements compiled already (a caller that compiles many does it in slices of its own). */
  async writeCompiled(ops: readonly CompiledOp[]): Promise<number[]> {
    await this.db();
    const engine = this.held;
    if (!engine) throw new Error("the database is closed");
    return engine.write(ops);
  }

  async close(): Promise<void> {
    const held = this.held;
    this.opened = undefined;
    this.held = undefined;
    await held?.release();
  }
}

export const nowSeconds = (): number => Math.floor(Date.now() / 1000);
