import { migration } from "./migration.js";

/** The budget and limits columns of keys and teams. */
const QUOTA = "budget_micros bigint, budget_period text, limits text";
const STAMPS = "created_at bigint not null, updated_at bigint not null";

export const m002 = migration("002_identity", async (s) => {
  await s.table("teams", `id text primary key, name text not null unique, models text, ${QUOTA}, ${STAMPS}`);
  await s.table(
    "api_keys",
    `id text primary key, prefix text not null, hash text not null unique, previous_hash text, previous_until bigint,
     name text not null, user_label text, team_id text references teams.id, models text, expires_at bigint,
     disabled integer not null default 0, revoked_at bigint, ${QUOTA}, ${STAMPS}`,
    { indexes: { api_keys_previous: "previous_hash", api_keys_team: "team_id" } },
  );
  await s.table(
    "credentials",
    `key_id text not null references api_keys.id, provider text not null, sealed text not null,
     key_version text not null, created_at bigint not null`,
    { key: ["key_id", "provider"] },
  );
  await s.table("revisions", "name text primary key, value bigint not null");
  await s.db.insertInto("revisions").values({ name: "identity", value: 0 }).execute();
});
