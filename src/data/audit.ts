/**
 * The audit log's rows: added one per change (awaited: a change is rare and its record must not be lost), read
 * newest first with filters and a keyset cursor. Nothing here updates or deletes a row.
 */
import { newId } from "../ir/ids.js";
import type { Data } from "./data.js";
import type { AuditLogTable } from "./schema.js";

export type AuditEntry = Omit<AuditLogTable, "id" | "at" | "reason"> & { at?: number; reason?: string | null };

export interface AuditFilter {
  actor?: string | undefined;
  action?: string | undefined;
  target_id?: string | undefined;
  team_id?: string | undefined;
  from?: number | undefined;
  to?: number | undefined;
}

/** Adds one entry; returns its id. `here`: see Data.write. */
export async function appendAudit(data: Data, e: AuditEntry, opts?: { here?: boolean }): Promise<string> {
  const id = newId("aud_", 16);
  const row = { ...e, reason: e.reason ?? null, id, at: e.at ?? Date.now() };
  await data.write([{ insert: "audit_log", rows: [row] }], opts);
  return id;
}

/** Entries newest first; `before` is the previous page's cursor (`at:id`). */
export async function listAudit(
  data: Data,
  f: AuditFilter,
  limit: number,
  before?: string,
): Promise<{ rows: AuditLogTable[]; next_before: string | null }> {
  const db = await data.db();
  let q = db.selectFrom("audit_log").selectAll();
  if (f.actor) q = q.where("actor", "=", f.actor);
  if (f.action) q = q.where("action", "=", f.action);
  if (f.target_id) q = q.where("target_id", "=", f.target_id);
  if (f.team_id) q = q.where("team_id", "=", f.team_id);
  if (f.from !== undefined) q = q.where("at", ">=", f.from);
  if (f.to !== undefined) q = q.where("at", "<", f.to);
  if (before) {
    const [at, id] = [Number(before.slice(0, before.indexOf(":"))), before.slice(before.indexOf(":") + 1)];
    q = q.where((eb) => eb.or([eb("at", "<", at), eb.and([eb("at", "=", at), eb("id", "<", id)])]));
  }
  const rows = await q
    .orderBy("at", "desc")
    .orderBy("id", "desc")
    .limit(limit + 1)
    .execute();
  const more = rows.length > limit;
  const page = rows.slice(0, limit).map((r) => ({ ...r, at: Number(r.at) }));
  const last = page.at(-1);
  return { rows: page, next_before: more && last ? `${last.at}:${last.id}` : null };
}
