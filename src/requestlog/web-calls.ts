import { MAX_WEB_CALL_NOTES, type WebCallsLog } from "../ir/web-tools.js";
import type { RequestRecord } from "../request/record.js";

/** The most characters the column holds (40 notes of bounded fields fit well within it). */
const MAX_COLUMN_CHARS = 64 * 1024;

/**
 * A request's web searches and fetches as its request-log row's `web_calls` column (pure): the counts and the
 * calls noted (bounded by the runner: src/pipeline/web-tools-note.ts), never a page's text; null when none.
 */
export function webCallsColumn(web: RequestRecord["web"]): string | null {
  if (!web) return null;
  const calls = (web.calls ?? []).slice(0, MAX_WEB_CALL_NOTES);
  const omitted = (web.omitted ?? 0) + Math.max(0, (web.calls?.length ?? 0) - calls.length);
  const log: WebCallsLog = { searches: web.searches, fetches: web.fetches, calls };
  if (omitted > 0) log.omitted = omitted;
  const text = JSON.stringify(log);
  if (text.length <= MAX_COLUMN_CHARS) return text;
  return JSON.stringify({ searches: web.searches, fetches: web.fetches, calls: [], omitted: calls.length + omitted });
}

/** The column as the admin API answers it (null: no web tool ran, or a row from before 093). */
export function webCallsOfColumn(text: string | null | undefined): WebCallsLog | null {
  if (!text) return null;
  try {
    return JSON.parse(text) as WebCallsLog;
  } catch {
    return null;
  }
}
