import type { Kysely } from "kysely";
import type { EngineName } from "./engine.js";

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

const quota = (t: ReturnType<Kysely<unknown>["schema"]["createTable"]>) =>
  t.addColumn("budget_micros", "bigint").addColumn("budget_period", "text").addColumn("limits", "text");

export const MIGRATIONS: readonly Migration[] = [
  {
    id: "001_store",
    async up(db) {
      await db.schema
        .createTable("meta")
        .ifNotExists()
        .addColumn("key", "text", (c) => c.primaryKey())
        .addColumn("value", "text", (c) => c.notNull())
        .execute();
      await db.schema
        .createTable("responses")
        .ifNotExists()
        .addColumn("owner", "text", (c) => c.notNull())
        .addColumn("id", "text", (c) => c.notNull())
        .addColumn("previous_id", "text")
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addColumn("input", "text", (c) => c.notNull())
        .addColumn("response", "text", (c) => c.notNull())
        .addPrimaryKeyConstraint("responses_pk", ["owner", "id"])
        .execute();
      await db.schema.createIndex("responses_created").ifNotExists().on("responses").column("created_at").execute();
      await db.schema
        .createTable("items")
        .ifNotExists()
        .addColumn("owner", "text", (c) => c.notNull())
        .addColumn("id", "text", (c) => c.notNull())
        .addColumn("response_id", "text", (c) => c.notNull())
        .addColumn("item", "text", (c) => c.notNull())
        .addPrimaryKeyConstraint("items_pk", ["owner", "id"])
        .execute();
      await db.schema
        .createIndex("items_response")
        .ifNotExists()
        .on("items")
        .columns(["owner", "response_id"])
        .execute();
      await db.schema
        .createTable("reasoning")
        .ifNotExists()
        .addColumn("key", "text", (c) => c.primaryKey())
        .addColumn("value", "text", (c) => c.notNull())
        .addColumn("expires_at", "bigint", (c) => c.notNull())
        .addColumn("used_at", "bigint", (c) => c.notNull())
        .execute();
      await db.schema.createIndex("reasoning_used").ifNotExists().on("reasoning").column("used_at").execute();
    },
  },
  {
    id: "002_identity",
    async up(db) {
      await quota(
        db.schema
          .createTable("teams")
          .addColumn("id", "text", (c) => c.primaryKey())
          .addColumn("name", "text", (c) => c.notNull().unique())
          .addColumn("models", "text"),
      )
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addColumn("updated_at", "bigint", (c) => c.notNull())
        .execute();
      await quota(
        db.schema
          .createTable("api_keys")
          .addColumn("id", "text", (c) => c.primaryKey())
          .addColumn("prefix", "text", (c) => c.notNull())
          .addColumn("hash", "text", (c) => c.notNull().unique())
          .addColumn("previous_hash", "text")
          .addColumn("previous_until", "bigint")
          .addColumn("name", "text", (c) => c.notNull())
          .addColumn("user_label", "text")
          .addColumn("team_id", "text", (c) => c.references("teams.id"))
          .addColumn("models", "text")
          .addColumn("expires_at", "bigint")
          .addColumn("disabled", "integer", (c) => c.notNull().defaultTo(0))
          .addColumn("revoked_at", "bigint"),
      )
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addColumn("updated_at", "bigint", (c) => c.notNull())
        .execute();
      await db.schema.createIndex("api_keys_previous").on("api_keys").column("previous_hash").execute();
      await db.schema.createIndex("api_keys_team").on("api_keys").column("team_id").execute();
      await db.schema
        .createTable("credentials")
        .addColumn("key_id", "text", (c) => c.notNull().references("api_keys.id"))
        .addColumn("provider", "text", (c) => c.notNull())
        .addColumn("sealed", "text", (c) => c.notNull())
        .addColumn("key_version", "text", (c) => c.notNull())
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addPrimaryKeyConstraint("credentials_pk", ["key_id", "provider"])
        .execute();
      await db.schema
        .createTable("revisions")
        .addColumn("name", "text", (c) => c.primaryKey())
        .addColumn("value", "bigint", (c) => c.notNull())
        .execute();
      await db.insertInto("revisions").values({ name: "identity", value: 0 }).execute();
    },
  },
  {
    id: "003_ledger",
    async up(db) {
      await db.schema
        .createTable("ledger")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("at", "bigint", (c) => c.notNull())
        .addColumn("key_id", "text", (c) => c.notNull())
        .addColumn("team_id", "text")
        .addColumn("user_label", "text")
        .addColumn("alias", "text")
        .addColumn("provider", "text")
        .addColumn("deployment", "text")
        .addColumn("model", "text")
        .addColumn("client", "text")
        .addColumn("status", "integer", (c) => c.notNull())
        .addColumn("outcome", "text", (c) => c.notNull())
        .addColumn("input_tokens", "bigint", (c) => c.notNull())
        .addColumn("output_tokens", "bigint", (c) => c.notNull())
        .addColumn("cache_read_tokens", "bigint", (c) => c.notNull())
        .addColumn("cache_write_tokens", "bigint", (c) => c.notNull())
        .addColumn("reasoning_tokens", "bigint", (c) => c.notNull())
        .addColumn("cost_nanos", "bigint", (c) => c.notNull())
        .addColumn("estimated", "integer", (c) => c.notNull())
        .addColumn("latency_ms", "integer", (c) => c.notNull())
        .addColumn("ttft_ms", "integer")
        .execute();
      await db.schema.createIndex("ledger_at").on("ledger").column("at").execute();
      await db.schema.createIndex("ledger_key_at").on("ledger").columns(["key_id", "at"]).execute();
      await db.schema.createIndex("ledger_team_at").on("ledger").columns(["team_id", "at"]).execute();
    },
  },
  {
    id: "004_request_log",
    async up(db, engine) {
      const real = engine === "postgres" ? "double precision" : "real";
      await db.schema
        .createTable("request_log")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("at", "bigint", (c) => c.notNull())
        .addColumn("key_id", "text")
        .addColumn("key_name", "text")
        .addColumn("team_id", "text")
        .addColumn("user_label", "text")
        .addColumn("method", "text", (c) => c.notNull())
        .addColumn("path", "text", (c) => c.notNull())
        .addColumn("client_dialect", "text")
        .addColumn("client_tool", "text")
        .addColumn("requested_model", "text")
        .addColumn("alias", "text")
        .addColumn("provider", "text")
        .addColumn("deployment", "text")
        .addColumn("model", "text")
        .addColumn("stream", "integer")
        .addColumn("status", "integer", (c) => c.notNull())
        .addColumn("outcome", "text", (c) => c.notNull())
        .addColumn("error_class", "text")
        .addColumn("reason", "text")
        .addColumn("latency_ms", real, (c) => c.notNull())
        .addColumn("ttft_ms", real)
        .addColumn("overhead_ms", real)
        .addColumn("input_tokens", "bigint", (c) => c.notNull())
        .addColumn("output_tokens", "bigint", (c) => c.notNull())
        .addColumn("cache_read_tokens", "bigint", (c) => c.notNull())
        .addColumn("cache_write_tokens", "bigint", (c) => c.notNull())
        .addColumn("reasoning_tokens", "bigint", (c) => c.notNull())
        .addColumn("estimated", "integer", (c) => c.notNull())
        .addColumn("cost_nanos", "bigint", (c) => c.notNull())
        .addColumn("attempts", "integer", (c) => c.notNull())
        .addColumn("route", "text")
        .addColumn("warnings", "text")
        .addColumn("has_bodies", "integer", (c) => c.notNull())
        .execute();
      // The list is read newest first, by time then id (a keyset cursor); per key and per team the same way.
      await db.schema.createIndex("request_log_at").on("request_log").columns(["at", "id"]).execute();
      await db.schema.createIndex("request_log_key_at").on("request_log").columns(["key_id", "at", "id"]).execute();
      await db.schema.createIndex("request_log_team_at").on("request_log").columns(["team_id", "at", "id"]).execute();
      await db.schema
        .createTable("request_bodies")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("at", "bigint", (c) => c.notNull())
        .addColumn("data", engine === "postgres" ? "bytea" : "blob", (c) => c.notNull())
        .execute();
      await db.schema.createIndex("request_bodies_at").on("request_bodies").columns(["at", "id"]).execute();
    },
  },
  {
    id: "005_upstream_owners",
    async up(db) {
      // Who made each response (and output item) an upstream keeps for llmux's account: the first claim wins.
      await db.schema
        .createTable("upstream_owners")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("owner", "text", (c) => c.notNull())
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .execute();
      await db.schema.createIndex("upstream_owners_created").on("upstream_owners").column("created_at").execute();
    },
  },
  {
    id: "006_budget_nanos",
    /**
     * One money unit: budgets in integer nano-dollars (`budget_nanos`), as costs and spend already are,
     * backfilled from `budget_micros` × 1000. Rolling deploys: the release before reads and writes only
     * `budget_micros`, so this release keeps writing `budget_micros` too (the same budget, rounded to the
     * micro-dollar) and, where the two disagree, reads `budget_micros` (the release before changed that budget
     * since): see src/data/quota.ts. Once no instance of the release before is left, a later release can stop
     * writing `budget_micros`, and only then read `budget_nanos` alone.
     */
    async up(db) {
      for (const table of ["api_keys", "teams"]) {
        await db.schema.alterTable(table).addColumn("budget_nanos", "bigint").execute();
        await db
          .updateTable(table)
          .set((eb) => ({ budget_nanos: eb("budget_micros", "*", 1000) }))
          .where("budget_micros", "is not", null)
          .execute();
      }
    },
  },
];
