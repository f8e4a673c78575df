import type { Kysely } from "kysely";
import { type CompiledOp, compileOps, type WriteOp, writeThrough } from "./batch-write.js";
import { type DataLocation, type Engine, type EngineName, openEngine } from "./engine.js";
import { migrate } from "./migrate.js";
import { withRollups } from "./rollups.js";
import type { Database } from "./schema.js";

/** A use of the data layer after `close()`: it is never opened again (a connection nobody would close). */
export class DataClosed extends Error {
  constructor(what: string) {
    super(`the database was closed: ${what} was refused`);
    this.name = "DataClosed";
  }
}

/**
 * The data layer: one database (SQLite file or PostgreSQL), opened and migrated on first use, shared by
 * the store, the key directory and the admin API. `ready()` resolves once migrations have run. Once closed it
 * stays closed: every later use is refused with DataClosed (closing again does nothing).
 */
export class Data {
  private opened: Promise<Kysely<Database>> | undefined;
  private held: Engine | undefined;
  private closed: Promise<void> | undefined;
  readonly engine: EngineName;

  constructor(private readonly where: DataLocation) {
    this.engine = where.url ? "postgres" : "sqlite";
  }

  /** Whether `close()` was called. */
  get isClosed(): boolean {
    return this.closed !== undefined;
  }

  /** The migrated database; refused with DataClosed once `close()` was called. */
  db(): Promise<Kysely<Database>> {
    if (this.closed) return Promise.reject(new DataClosed("opening it again"));
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
    if (!engine || this.closed) throw new DataClosed("a write");
    const compiled = compileOps(withRollups(db, engine.name, ops));
    return opts?.here ? writeThrough(db, compiled) : engine.write(compiled);
  }

  /** `write` with the statements compiled already (a caller that compiles many does it in slices of its own). */
  async writeCompiled(ops: readonly CompiledOp[]): Promise<number[]> {
    await this.db();
    const engine = this.held;
    if (!engine || this.closed) throw new DataClosed("a write");
    return engine.write(ops);
  }

  /**
   * Releases the database (waiting for an opening under way, so that its connection is released too). Later
   * uses are refused; a second call waits for the first.
   */
  close(): Promise<void> {
    this.closed ??= (async () => {
      const opening = this.opened;
      if (opening) await opening.catch(() => undefined);
      const held = this.held;
      this.opened = undefined;
      this.held = undefined;
      await held?.release();
    })();
    return this.closed;
  }
}

export const nowSeconds = (): number => Math.floor(Date.now() / 1000);
