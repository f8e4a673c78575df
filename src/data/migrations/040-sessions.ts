import { migration } from "./migration.js";

/**
 * The coding session and agent of every request (src/clients/session.ts) on the request log and the ledger,
 * and the ledger's tool (the request log already keeps it as `client_tool`). Nullable: rows written before,
 * and by the release before during a rolling deploy, name none. Sessions are read by id, newest first.
 */
export const m040 = migration("040_sessions", async (s) => {
  for (const table of ["request_log", "ledger"])
    await s.add(table, "session_id text, agent_id text, parent_agent_id text");
  await s.add("ledger", "tool text");
  await s.index("request_log_session_at", "request_log", "session_id, at");
  await s.index("ledger_session_at", "ledger", "session_id, at");
  await s.index("ledger_tool_at", "ledger", "tool, at");
});
