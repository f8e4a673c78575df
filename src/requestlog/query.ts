/**
 * Reading the request log for the admin API: the list (newest first, filtered, paginated by an opaque
 * cursor on (time, id)) and one request in full (its bodies, and the conversation decoded from them). The
 * SQL is the data layer's (src/data/request-log-queries.ts).
 */
import type { Data } from "../data/data.js";
import { BadFilter, type RequestFilter } from "../data/request-filter.js";
import { requestBodies, requestRow, requestRows } from "../data/request-log-queries.js";
import type { RowScope } from "../data/row-scope.js";
import { unpackBodies } from "./bodies.js";
import { answerOf, conversationOf } from "./conversation.js";
import { type RequestDetail, type RequestRow, rowView } from "./view.js";

export { BadFilter, type RequestFilter };

export function cursorOf(at: number, id: string): string {
  return Buffer.from(`${at}.${id}`).toString("base64url");
}

export function parseCursor(cursor: string): { at: number; id: string } {
  const text = Buffer.from(cursor, "base64url").toString("utf8");
  const dot = text.indexOf(".");
  const at = Number(text.slice(0, dot));
  if (dot < 1 || !Number.isSafeInteger(at)) throw new BadFilter("before", "before is not a cursor from next_before");
  return { at, id: text.slice(dot + 1) };
}

/** One page of the list, newest first; `next_before` continues it (null on the last page). */
export async function listRequests(
  data: Data,
  f: RequestFilter,
  limit: number,
  before?: string,
): Promise<{ rows: RequestRow[]; next_before: string | null }> {
  const rows = await requestRows(data, f, limit + 1, before ? parseCursor(before) : undefined);
  const more = rows.length > limit;
  const page = more ? rows.slice(0, limit) : rows;
  const last = page[page.length - 1];
  return { rows: page.map(rowView), next_before: more && last ? cursorOf(Number(last.at), last.id) : null };
}

/**
 * One request in full: the row, its bodies when they were kept, and the conversation and answer decoded
 * from them. With a scope, only that key's (self-service) or team's (a team admin) requests exist: another's id
 * is unknown.
 */
export async function getRequest(data: Data, id: string, scope: RowScope = {}): Promise<RequestDetail | undefined> {
  const row = await requestRow(data, id);
  if (!row || (scope.keyId !== undefined && row.key_id !== scope.keyId)) return undefined;
  if (scope.teamId !== undefined && row.team_id !== scope.teamId) return undefined;
  const view = rowView(row);
  const stored = await requestBodies(data, id);
  if (!stored) return { ...view, has_bodies: false, conversation: null, answer: null, bodies: null, truncated: [] };
  const { truncated, ...bodies } = await unpackBodies(stored);
  return {
    ...view,
    has_bodies: true,
    conversation: conversationOf(view.client_dialect, bodies.client_request),
    answer: answerOf(view.client_dialect, bodies.client_response),
    bodies,
    truncated,
  };
}
