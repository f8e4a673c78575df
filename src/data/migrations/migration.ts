import type { EngineName } from "../engine.js";
import { type ColumnDataType, type ColumnDefinitionBuilder, type Kysely, sql } from "../kysely.js";

/**
 * The schema's history, applied in order and never edited once released. Rolling deploys: a migration only
 * adds (tables, nullable columns, indexes); code that stops using something ships first, and a later
 * migration drops it. An instance meeting migrations it does not know (a newer release ran them) carries on.
 *
 */
export interface Migration {
  id: string;
  // biome-ignore lint/suspicious/noExplicitAny: migrations build tables the Database type does not yet have
  up(db: Kysely<any>, engine: EngineName): Promise<void>;
}

/**
 * Columns as a migration writes them: `name type [primary key] [not null] [unique] [default N]
 * [references table.column]`, comma-separated. The types are `text`, `bigint`, `integer`, `real` (PostgreSQL:
 * `double precision`) and `blob` (PostgreSQL: `bytea`), so one list makes the same schema on both engines.
 */
export type Columns = string;

export interface TableOptions {
  /** A primary key over several columns (the constraint `<table>_pk`). */
  key?: readonly string[];
  /** Indexes on the new table: name → its columns (comma-separated). */
  indexes?: Readonly<Record<string, string>>;
  /** Only where it does not exist yet (the store's first tables, which predate the migrations). */
  ifNotExists?: boolean;
  /** SQLite: the rows kept in their key's order (`without rowid`: a range is read in one run). */
  clustered?: boolean;
}

/** What a migration changes, said once: new tables with their indexes, new indexes, new columns. */
export interface Ddl {
  // biome-ignore lint/suspicious/noExplicitAny: as Migration.up
  readonly db: Kysely<any>;
  readonly engine: EngineName;
  table(name: string, columns: Columns, options?: TableOptions): Promise<void>;
  index(name: string, table: string, columns: string, options?: { ifNotExists?: boolean }): Promise<void>;
  /** New columns on a table, one `alter table … add column` each. */
  add(table: string, columns: Columns): Promise<void>;
}

const TYPES: Record<string, Record<EngineName, ColumnDataType>> = {
  text: { sqlite: "text", postgres: "text" },
  bigint: { sqlite: "bigint", postgres: "bigint" },
  integer: { sqlite: "integer", postgres: "integer" },
  real: { sqlite: "real", postgres: "double precision" },
  blob: { sqlite: "blob", postgres: "bytea" },
};

interface Column {
  name: string;
  type: ColumnDataType;
  build: Step;
}

const list = (s: string) =>
  s
    .split(",")
    .map((p) => p.trim())
    .filter(Boolean);

type Step = (c: ColumnDefinitionBuilder) => ColumnDefinitionBuilder;

/** What may follow a column's type, each with what it does to the column. */
const MODIFIERS: readonly [RegExp, (m: RegExpExecArray) => Step][] = [
  [/^primary key\b/, () => (c) => c.primaryKey()],
  [/^not null\b/, () => (c) => c.notNull()],
  [/^unique\b/, () => (c) => c.unique()],
  [/^default (\d+)\b/, (m) => (c) => c.defaultTo(Number(m[1]))],
  [/^references ([a-z_]+\.[a-z_]+)/, (m) => (c) => c.references(m[1] as string)],
];

/** One column of a `Columns` list; anything it does not know is thrown (a typo fails the migration tests). */
function column(spec: string, engine: EngineName): Column {
  const [, name, type, more] = /^(\w+) (\w+)\s*(.*)$/.exec(spec) ?? [];
  const mapped = type ? TYPES[type]?.[engine] : undefined;
  if (!name || !mapped) throw new Error(`migration column "${spec}": a name and a known type`);
  const steps: Step[] = [];
  let rest = more ?? "";
  while (rest) {
    const found = MODIFIERS.map(([re, step]) => [re.exec(rest), step] as const).find(([m]) => m);
    if (!found?.[0]) throw new Error(`migration column "${spec}": "${rest}" is not known`);
    steps.push(found[1](found[0]));
    rest = rest.slice(found[0][0].length).trim();
  }
  return { name, type: mapped, build: (c) => steps.reduce((b, step) => step(b), c) };
}

// biome-ignore lint/suspicious/noExplicitAny: as Migration.up
export function ddl(db: Kysely<any>, engine: EngineName): Ddl {
  const index: Ddl["index"] = async (name, table, columns, options) => {
    const create = db.schema.createIndex(name);
    await (options?.ifNotExists ? create.ifNotExists() : create).on(table).columns(list(columns)).execute();
  };
  return {
    db,
    engine,
    index,
    async table(name, columns, options = {}) {
      let t = db.schema.createTable(name);
      if (options.ifNotExists) t = t.ifNotExists();
      for (const c of list(columns).map((s) => column(s, engine))) t = t.addColumn(c.name, c.type, c.build);
      if (options.key) t = t.addPrimaryKeyConstraint(`${name}_pk`, [...options.key] as never);
      if (options.clustered && engine === "sqlite") t = t.modifyEnd(sql`without rowid`);
      await t.execute();
      for (const [index_, on] of Object.entries(options.indexes ?? {}))
        await index(index_, name, on, { ifNotExists: options.ifNotExists ?? false });
    },
    async add(table, columns) {
      for (const c of list(columns).map((s) => column(s, engine)))
        await db.schema.alterTable(table).addColumn(c.name, c.type, c.build).execute();
    },
  };
}

/** A migration written with `ddl`: its id, then what it changes. */
export const migration = (id: string, up: (s: Ddl) => Promise<void>): Migration => ({
  id,
  up: (db, engine) => up(ddl(db, engine)),
});
