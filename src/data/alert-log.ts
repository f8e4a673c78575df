/**
 * The alerts llmux pushed (043_alerts): written as each is claimed, updated as its deliveries end. An alert's
 * id names its rule, scope, subject and window (observe/alerts.ts), so its row is also the claim to send it:
 * the instance whose insert adds the row sends it, every other one finds it there.
 */
import type { Data } from "./data.js";

/** How one destination took an alert: `sent` after `attempts` tries, or `failed` (its last status; 0: no answer). */
export interface Delivery {
  destination: string;
  state: "sending" | "sent" | "failed";
  attempts: number;
  status?: number | undefined;
}

export interface AlertRow {
  id: string;
  /** Unix milliseconds. */
  at: number;
  rule: string;
  scope: string;
  subject: string;
  window_start: string;
  message: string;
  fields: Record<string, unknown> | null;
  deliveries: Delivery[];
  /** sending | sent | failed | partial */
  state: string;
}

/**
 * Inserts the rows whose id is not in the log yet, in one statement (one transaction); the ids it added: the
 * alerts this caller claimed, to send. A row already there (another instance's, or this one's replayed) is
 * left as it is.
 */
export async function claimAlerts(data: Data, rows: readonly AlertRow[]): Promise<string[]> {
  if (rows.length === 0) return [];
  const db = await data.db();
  const added = await db
    .insertInto("alerts")
    .values(
      rows.map((row) => ({
        ...row,
        fields: row.fields ? JSON.stringify(row.fields) : null,
        deliveries: JSON.stringify(row.deliveries),
      })),
    )
    .onConflict((oc) => oc.column("id").doNothing())
    .returning("id")
    .execute();
  return added.map((r) => r.id);
}

export async function updateAlert(data: Data, id: string, deliveries: Delivery[], state: string): Promise<void> {
  const db = await data.db();
  await db
    .updateTable("alerts")
    .set({ deliveries: JSON.stringify(deliveries), state })
    .where("id", "=", id)
    .execute();
}

/** The latest alerts, newest first; `rule` keeps one kind; `before` (ms) pages back. */
export async function recentAlerts(
  data: Data,
  q: { limit: number; rule?: string | undefined; before?: number | undefined },
): Promise<AlertRow[]> {
  const db = await data.db();
  const rows = await db
    .selectFrom("alerts")
    .selectAll()
    .$if(q.rule !== undefined, (b) => b.where("rule", "=", q.rule!))
    .$if(q.before !== undefined, (b) => b.where("at", "<", q.before!))
    .orderBy("at", "desc")
    .orderBy("id", "desc")
    .limit(q.limit)
    .execute();
  return rows.map((r) => ({
    ...r,
    at: Number(r.at),
    fields: r.fields ? (JSON.parse(r.fields) as Record<string, unknown>) : null,
    deliveries: JSON.parse(r.deliveries) as Delivery[],
  }));
}
