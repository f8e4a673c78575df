import { migration } from "./migration.js";

/**
 * The alerts llmux pushed (GET /admin/v1/alerts): one row per alert, written by the instance that claimed it,
 * with how each destination took it. Never a destination's URL or secret. A new table: the release before
 * neither reads nor writes it.
 */
export const m043 = migration("043_alerts", async (s) => {
  await s.table(
    "alerts",
    `id text primary key, at bigint not null, rule text not null, scope text not null, subject text not null,
     window_start text not null, message text not null, fields text, deliveries text not null, state text not null`,
    { indexes: { alerts_at: "at, id" } },
  );
});
