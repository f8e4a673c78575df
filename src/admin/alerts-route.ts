import { z } from "zod";
import { recentAlerts } from "../data/alert-log.js";
import type { Data } from "../data/data.js";
import type { Given } from "./context.js";
import { AdminError, type AdminModule, type AdminRoute } from "./route.js";

export const AlertsQuery = z
  .object({
    rule: z.string().optional().describe("Only this rule's alerts (budget_blocked, error_rate, daily_report, …)."),
    limit: z.coerce.number().int().min(1).max(500).default(50),
    before: z.string().optional().describe("ISO time: alerts raised before it (the previous page's last `at`)."),
  })
  .strict();

const Delivery = z.object({
  destination: z.string().describe("The destination's name in alerts.destinations (never its URL or secret)."),
  state: z.enum(["sending", "sent", "failed"]),
  attempts: z.number().int(),
  status: z.number().int().optional().describe("The last HTTP status it answered (0: no answer)."),
});

const AlertRow = z.object({
  id: z.string(),
  at: z.string().describe("When it was raised (ISO time)."),
  rule: z.string(),
  scope: z.string().describe("key, team, user, tag, deployment, alias or model."),
  subject: z.string().describe("The key, team, tag, deployment, alias or model it is about."),
  window: z.string().describe("The window it was raised for (once per window)."),
  message: z.string(),
  fields: z.record(z.string(), z.unknown()).nullable(),
  deliveries: z.array(Delivery),
  state: z.enum(["sending", "sent", "failed", "partial"]),
});

export const AlertList = z.object({ data: z.array(AlertRow) }).meta({ id: "AlertList" });

/** `GET /admin/v1/alerts`: the alerts pushed lately (from every instance), newest first, and how each was delivered. */
export function alertRoutes(data: Data): AdminRoute[] {
  return [
    {
      method: "GET",
      path: "/admin/v1/alerts",
      summary: "Alerts pushed lately, newest first, with how each destination took them",
      query: AlertsQuery,
      status: 200,
      answer: AlertList,
      run: async ({ query }) => {
        const q = query as z.infer<typeof AlertsQuery>;
        const before = q.before === undefined ? undefined : Date.parse(q.before);
        if (before !== undefined && Number.isNaN(before))
          throw new AdminError(400, `before must be an ISO time, got '${q.before}'`, "before");
        const rows = await recentAlerts(data, { limit: q.limit, rule: q.rule, before });
        return {
          data: rows.map((r) => ({
            id: r.id,
            at: new Date(r.at).toISOString(),
            rule: r.rule,
            scope: r.scope,
            subject: r.subject,
            window: r.window_start,
            message: r.message,
            fields: r.fields,
            deliveries: r.deliveries,
            state: r.state,
          })),
        };
      },
    },
  ];
}

/** The alerts sent. */
export const admin: AdminModule<Given<"data">> = {
  needs: ["data"],
  routes: (c) => alertRoutes(c.data),
};
