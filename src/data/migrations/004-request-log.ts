import { migration } from "./migration.js";

export const m004 = migration("004_request_log", async (s) => {
  await s.table(
    "request_log",
    `id text primary key, at bigint not null, key_id text, key_name text, team_id text, user_label text,
     method text not null, path text not null, client_dialect text, client_tool text, requested_model text,
     alias text, provider text, deployment text, model text, stream integer, status integer not null,
     outcome text not null, error_class text, reason text, latency_ms real not null, ttft_ms real, overhead_ms real,
     input_tokens bigint not null, output_tokens bigint not null, cache_read_tokens bigint not null,
     cache_write_tokens bigint not null, reasoning_tokens bigint not null, estimated integer not null,
     cost_nanos bigint not null, attempts integer not null, route text, warnings text, has_bodies integer not null`,
    // The list is read newest first, by time then id (a keyset cursor); per key and per team the same way.
    {
      indexes: {
        request_log_at: "at, id",
        request_log_key_at: "key_id, at, id",
        request_log_team_at: "team_id, at, id",
      },
    },
  );
  await s.table("request_bodies", "id text primary key, at bigint not null, data blob not null", {
    indexes: { request_bodies_at: "at, id" },
  });
});
