/** The alerts llmux pushed (043_alerts): written as each is claimed, updated as its deliveries end. */
import type { Data } from "./data.js";
import type { AlertsTable } from "./schema.js";

/** How one destination took an alert: `sent` after `attempts` tries, or `failed` (its last status; 0: no answer). */
export interface Delivery {
  destination: string;
  state: "sending" | "sent" | "failed";
  attempts: number;
  status?: number | undefined;
}

/** An alert as the alert log takes and gives it: the stored row (AlertsTable) with its JSON parsed. */
export interface AlertRow extends Omit<AlertsTable, "fields" | "deliveries"> {
  fields: Record<string, unknown> | null;
  deliveries: Delivery[];
}

export async function insertAlert(data: Data, row: AlertRow): Promise<void> {
  const db = await data.db();
  await db
    .insertInto("alerts")
    .values({
      ...row,
      fields: row.fields ? JSON.stringify(row.fields) : null,
      deliveries: JSON.stringify(row.deliveries),
    })
    .execute();
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
