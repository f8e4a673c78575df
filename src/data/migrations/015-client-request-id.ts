import { migration } from "./migration.js";

/**
 * Row ids are llmux's own: the client's `x-request-id` (which a client may repeat, to hide spend behind
 * one row) is kept in a column of its own in the ledger and the request log, indexed in the request log.
 */
export const m015 = migration("015_client_request_id", async (s) => {
  for (const table of ["ledger", "request_log"]) await s.add(table, "client_request_id text");
  await s.index("request_log_client_request_id", "request_log", "client_request_id");
});
