import { migration } from "./migration.js";

/**
 * The audit log: every change made through the admin API, the CLI and the web UI (keys, teams, credentials,
 * sign-ins), who made it, from where, and what it changed (before and after, never a secret). Rows are only
 * ever added: nothing in llmux updates or deletes them.
 */
export const m051 = migration("051_audit_log", async (s) => {
  await s.table(
    "audit_log",
    `id text primary key, at bigint not null, actor text not null, via text not null, source text not null,
     address text, action text not null, target_type text, target_id text, target_name text, team_id text,
     outcome text not null, before text, after text`,
    { indexes: { audit_log_at: "at, id", audit_log_target: "target_id, at" } },
  );
});
