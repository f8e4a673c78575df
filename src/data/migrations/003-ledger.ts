import { migration } from "./migration.js";

export const m003 = migration("003_ledger", async (s) => {
  await s.table(
    "ledger",
    `id text primary key, at bigint not null, key_id text not null, team_id text, user_label text, alias text,
     provider text, deployment text, model text, client text, status integer not null, outcome text not null,
     input_tokens bigint not null, output_tokens bigint not null, cache_read_tokens bigint not null,
     cache_write_tokens bigint not null, reasoning_tokens bigint not null, cost_nanos bigint not null,
     estimated integer not null, latency_ms integer not null, ttft_ms integer`,
    { indexes: { ledger_at: "at", ledger_key_at: "key_id, at", ledger_team_at: "team_id, at" } },
  );
});
