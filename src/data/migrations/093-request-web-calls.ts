import { migration } from "./migration.js";

/**
 * The web searches and page fetches llmux ran for a request (its emulated web tools, docs/search.md) on its
 * request-log row: a JSON document of the counts and each call's query or page domain and path, result count
 * and status, never a fetched page's text. A new nullable column only.
 */
export const m093 = migration("093_request_web_calls", async (s) => {
  await s.add("request_log", "web_calls text");
});
