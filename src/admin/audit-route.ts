import { z } from "zod";
import { listAudit } from "../data/audit.js";
import type { Data } from "../data/data.js";
import type { Given } from "./context.js";
import { AdminError, type AdminModule, type AdminRoute } from "./route.js";

export const AuditQuery = z
  .object({
    actor: z.string().optional().describe("Only this actor's changes (`admin key abcd…`, an email, `cli:alice`)."),
    action: z
      .string()
      .optional()
      .describe(
        "key.create, key.update, key.revoke, key.rotate, team.…, mcp_server.…, mcp_credential.…, price_list.update, guardrails.…, secrets.rotate, settings.load, settings.change, settings.reload, sign_in.",
      ),
    target_id: z.string().optional().describe("Only changes to this key or team."),
    from: z.string().optional().describe("ISO time or date (inclusive)."),
    to: z.string().optional().describe("ISO time or date (exclusive)."),
    limit: z.coerce.number().int().min(1).max(500).default(50),
    before: z.string().optional().describe("The cursor from the previous page's next_before."),
  })
  .strict();

const AuditRow = z
  .object({
    id: z.string(),
    time: z.string().describe("When (ISO 8601, UTC)."),
    actor: z.string().describe("Who: an admin key (its first characters), an OIDC sign-in's email, the CLI's user."),
    via: z.enum(["admin_key", "oidc", "key", "cli", "signin"]),
    source: z.enum(["api", "ui", "cli"]).describe("Where the change came through."),
    address: z.string().nullable().describe("The client's address (null for the CLI on the store)."),
    action: z.string(),
    target_type: z.string().nullable(),
    target_id: z.string().nullable(),
    target_name: z.string().nullable(),
    team_id: z.string().nullable(),
    outcome: z.enum(["ok", "refused"]),
    before: z.unknown().nullable().describe("The target before the change, as the API showed it (never a secret)."),
    after: z.unknown().nullable().describe("The target after the change (never a secret)."),
    reason: z.string().nullable().describe("Why it was refused (llmux's words, never a secret); null when it was not."),
  })
  .meta({ id: "AuditRow" });

export const AuditList = z
  .object({ rows: z.array(AuditRow), next_before: z.string().nullable() })
  .meta({ id: "AuditList" });

function time(v: string | undefined, field: string): number | undefined {
  if (v === undefined) return undefined;
  const t = Date.parse(v);
  if (Number.isNaN(t)) throw new AdminError(400, `${field} must be an ISO date or time, got '${v}'`, field);
  return t;
}

const parsed = (s: string | null) => (s === null ? null : (JSON.parse(s) as unknown));

/** `GET /admin/v1/audit`: every admin change, newest first (read only: nothing changes an entry). */
export function auditRoutes(data: Data): AdminRoute[] {
  return [
    {
      method: "GET",
      path: "/admin/v1/audit",
      summary: "The audit log: every change made through the admin API, the CLI and the web UI, newest first",
      query: AuditQuery,
      status: 200,
      answer: AuditList,
      // A team admin: their team's entries alone (its keys' and its own changes).
      team: {},
      run: async ({ query, scope }) => {
        const q = query as z.infer<typeof AuditQuery>;
        const page = await listAudit(
          data,
          {
            actor: q.actor,
            action: q.action,
            target_id: q.target_id,
            team_id: scope?.teamId,
            from: time(q.from, "from"),
            to: time(q.to, "to"),
          },
          q.limit,
          q.before,
        );
        return {
          rows: page.rows.map(({ at, before, after, ...r }) => ({
            ...r,
            time: new Date(at).toISOString(),
            before: parsed(before),
            after: parsed(after),
          })),
          next_before: page.next_before,
        };
      },
    },
  ];
}

/** The audit log. */
export const admin: AdminModule<Given<"data">> = {
  needs: ["data"],
  routes: (c) => auditRoutes(c.data),
};
