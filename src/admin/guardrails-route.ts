import { z } from "zod";
import type { GuardrailsConfig } from "../config/schema-guardrails.js";
import type { Data } from "../data/data.js";
import { GUARDRAIL_ROWS, guardrailHits, type HitCounts } from "../data/guardrail-hits.js";
import type { Given } from "./context.js";
import { guardrailsInForce, PolicyInForce, policyInForce } from "./guardrails-policy-route.js";
import { AdminError, type AdminModule, type AdminRoute } from "./route.js";

const DAY = 86_400_000;
/** The longest window the hits are counted over. */
const MAX_DAYS = 90;

export const GuardrailsQuery = z
  .object({
    since: z
      .string()
      .max(40)
      .optional()
      .describe("ISO time: count the hits since then (default: 7 days ago; at most 90 days back)."),
  })
  .strict();

const Counts = {
  requests: z.number().int().describe("Requests with a finding."),
  block: z.number().int(),
  mask: z.number().int(),
  warn: z.number().int(),
  would_block: z.number().int().describe("Dry runs: requests that would have been blocked."),
  would_mask: z.number().int(),
  would_warn: z.number().int(),
};

export const GuardrailsView = z
  .object({
    enabled: z.boolean(),
    policy: PolicyInForce,
    since: z.string(),
    rows: z.number().int().describe("Request-log rows with findings counted."),
    truncated: z.boolean().describe(`More than ${GUARDRAIL_ROWS} rows had findings: the newest were counted.`),
    by_rule: z.array(z.object({ rule: z.string(), ...Counts })),
    by_key: z.array(z.object({ key_id: z.string().nullable(), key_name: z.string().nullable(), ...Counts })),
    by_team: z.array(z.object({ team_id: z.string().nullable(), ...Counts })),
  })
  .meta({ id: "GuardrailsView" });

const byRequests = <T extends HitCounts>(a: T, b: T) => b.requests - a.requests;

/**
 * `GET /admin/v1/guardrails`: the policy in force (the file's, with what the admin API stored over it) and the
 * hits (by rule, key and team) from the request log.
 */
export function guardrailsRoutes(data: Data, config: GuardrailsConfig | undefined): AdminRoute[] {
  return [
    {
      method: "GET",
      path: "/admin/v1/guardrails",
      summary: "The guardrails' policy and their hits by rule, key and team (dry runs: what would have been done)",
      query: GuardrailsQuery,
      status: 200,
      answer: GuardrailsView,
      run: async ({ query }) => {
        const q = query as z.infer<typeof GuardrailsQuery>;
        const now = Date.now();
        const from = q.since === undefined ? now - 7 * DAY : Date.parse(q.since);
        if (Number.isNaN(from)) throw new AdminError(400, `since must be an ISO time, got '${q.since}'`, "since");
        if (from < now - MAX_DAYS * DAY)
          throw new AdminError(400, `since may be at most ${MAX_DAYS} days back`, "since");
        const [hits, inForce] = await Promise.all([guardrailHits(data, from), guardrailsInForce(data, config)]);
        return {
          enabled: inForce.config.enabled,
          policy: policyInForce(inForce.config, inForce.layer),
          since: new Date(from).toISOString(),
          rows: hits.rows,
          truncated: hits.truncated,
          by_rule: [...hits.byRule].map(([rule, c]) => ({ rule, ...c })).sort(byRequests),
          by_key: [...hits.byKey.values()].sort(byRequests),
          by_team: [...hits.byTeam].map(([team, c]) => ({ team_id: team || null, ...c })).sort(byRequests),
        };
      },
    },
  ];
}

/** The guardrails' policy in force and their hits (the policy is changed by guardrails-policy-route.ts). */
export const admin: AdminModule<Given<"data">> = {
  needs: ["data"],
  routes: (c) => guardrailsRoutes(c.data, c.config.guardrails),
};
