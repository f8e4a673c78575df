/**
 * Reading the request log: a page of rows, newest first, by a keyset cursor on (time, id) (a page costs the
 * same on the millionth row as on the first), one row, and one row's stored bodies. The list never touches
 * the bodies.
 */

import type { Data } from "./data.js";
import { type Selectable, type SqlBool, sql } from "./kysely.js";
import { conditions, type RequestFilter } from "./request-filter.js";
import type { RequestLogTable } from "./schema.js";

export type StoredRequestRow = Selectable<RequestLogTable>;

/** Up to `limit` rows matching the filter, newest first, older than `before` (time, then id) when given. */
export async function requestRows(
  data: Data,
  f: RequestFilter,
  limit: number,
  before?: { at: number; id: string },
): Promise<StoredRequestRow[]> {
  const db = await data.db();
  return db
    .selectFrom("request_log")
    .selectAll()
    .where((eb) => {
      const all = conditions(eb, f);
      if (before) all.push(sql<SqlBool>`(at, id) < (${before.at}, ${before.id})`);
      return eb.and(all);
    })
    .orderBy("at", "desc")
    .orderBy("id", "desc")
    .limit(limit)
    .execute();
}

export async function requestRow(data: Data, id: string): Promise<StoredRequestRow | undefined> {
  return (await data.db()).selectFrom("request_log").selectAll().where("id", "=", id).executeTakeFirst();
}

/** A request's bodies as stored (compressed: see requestlog/request-log.ts), when they were kept. */
export async function requestBodies(data: Data, id: string): Promise<Uint8Array | undefined> {
  const row = await (await data.db())
    .selectFrom("request_bodies")
    .select("data")
    .where("id", "=", id)
    .executeTakeFirst();
  return row?.data;
}
