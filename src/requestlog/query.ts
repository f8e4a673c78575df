/**
 * Reading the request log: the list (newest first, filtered, paginated by a keyset cursor on (time, id), so
 * a page costs the same on the millionth row as on the first) and one request in full (its bodies, and the
 * conversation decoded from them). List and detail are separate queries: the list never touches bodies.
 */
import { type Expression, type ExpressionBuilder, type SqlBool, sql } from "kysely";
import type { Data } from "../data/data.js";
import type { Database } from "../data/schema.js";
import { answerOf, conversationOf } from "./conversation.js";
import { unpackBodies } from "./request-log.js";
import { type RequestDetail, type RequestRow, rowView } from "./view.js";

export interface RequestFilter {
  key_id?: string | undefined;
  team_id?: string | undefined;
  user?: string | undefined;
  /** The alias, the model asked for, or the upstream model. */
  model?: string | undefined;
  provider?: string | undefined;
  deployment?: string | undefined;
  /** `429`, or a class: `2xx`, `4xx`, `5xx`. */
  status?: string | undefined;
  outcome?: string | undefined;
  error_class?: string | undefined;
  client_tool?: string | undefined;
  /** Only failed and refused requests. */
  errors?: boolean | undefined;
  /** Unix milliseconds, from inclusive, to exclusive. */
  from?: number | undefined;
  to?: number | undefined;
}

/** A filter value the query cannot use, with the field at fault. */
export class BadFilter extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

type Eb = ExpressionBuilder<Database, "request_log">;

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

/** The filter as conditions on request_log (shared by the list and the stats). */
export function conditions(eb: Eb, f: RequestFilter): Expression<SqlBool>[] {
  const out: Expression<SqlBool>[] = [];
  if (f.key_id) out.push(eb("key_id", "=", f.key_id));
  if (f.team_id) out.push(eb("team_id", "=", f.team_id));
  if (f.user) out.push(eb("user_label", "=", f.user));
  if (f.model)
    out.push(eb.or([eb("alias", "=", f.model), eb("requested_model", "=", f.model), eb("model", "=", f.model)]));
  if (f.provider) out.push(eb("provider", "=", f.provider));
  if (f.deployment) out.push(eb("deployment", "=", f.deployment));
  if (f.status) {
    const cls = /^([1-5])xx$/i.exec(f.status);
    if (cls) {
      const lo = Number(cls[1]) * 100;
      out.push(eb("status", ">=", lo), eb("status", "<", lo + 100));
    } else if (/^\d{3}$/.test(f.status)) out.push(eb("status", "=", Number(f.status)));
    else throw new BadFilter("status", `status must be a code like 429 or a class like 4xx, got '${f.status}'`);
  }
  if (f.outcome) out.push(eb("outcome", "=", f.outcome));
  if (f.errors) out.push(eb("outcome", "in", ["error", "refused"]));
  if (f.error_class) out.push(eb("error_class", "=", f.error_class));
  if (f.client_tool) out.push(eb("client_tool", "=", f.client_tool));
  if (f.from !== undefined) out.push(eb("at", ">=", f.from));
  if (f.to !== undefined) out.push(eb("at", "<", f.to));
  return out;
}

/** One page of the list, newest first; `next_before` continues it (null on the last page). */
export async function listRequests(
  data: Data,
  f: RequestFilter,
  limit: number,
  before?: string,
): Promise<{ rows: RequestRow[]; next_before: string | null }> {
  const db = await data.db();
  const c = before ? parseCursor(before) : undefined;
  const rows = await db
    .selectFrom("request_log")
    .selectAll()
    .where((eb) => {
      const all = conditions(eb, f);
      if (c) all.push(sql<SqlBool>`(at, id) < (${c.at}, ${c.id})`);
      return eb.and(all);
    })
    .orderBy("at", "desc")
    .orderBy("id", "desc")
    .limit(limit + 1)
    .execute();
  const more = rows.length > limit;
  const page = more ? rows.slice(0, limit) : rows;
  const last = page[page.length - 1];
  return { rows: page.map(rowView), next_before: more && last ? cursorOf(Number(last.at), last.id) : null };
}

/**
 * One request in full: the row, its bodies when they were kept, and the conversation and answer decoded
 * from them. With `keyId`, only that key's requests exist (self-service): another key's id is unknown.
 */
export async function getRequest(data: Data, id: string, keyId?: string): Promise<RequestDetail | undefined> {
  const db = await data.db();
  const row = await db.selectFrom("request_log").selectAll().where("id", "=", id).executeTakeFirst();
  if (!row || (keyId !== undefined && row.key_id !== keyId)) return undefined;
  const view = rowView(row);
  const stored = await db.selectFrom("request_bodies").select("data").where("id", "=", id).executeTakeFirst();
  if (!stored) return { ...view, has_bodies: false, conversation: null, answer: null, bodies: null, truncated: [] };
  const { truncated, ...bodies } = await unpackBodies(stored.data);
  return {
    ...view,
    has_bodies: true,
    conversation: conversationOf(view.client_dialect, bodies.client_request),
    answer: answerOf(view.client_dialect, bodies.client_response),
    bodies,
    truncated,
  };
}
