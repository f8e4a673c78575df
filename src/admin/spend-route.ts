import { z } from "zod";
import { PriceTable } from "../billing/prices.js";
import { type GroupBy, modelsUsed, spendBy } from "../billing/spend.js";
import type { Data } from "../data/data.js";
import type { KeyView } from "../data/keys.js";
import { TAG_KEY } from "../text/tag.js";
import type { Given } from "./context.js";
import { AdminError, type AdminModule, type AdminRoute, type Scope } from "./route.js";
import { TokenCounts } from "./schemas.js";
import { withSpendAll } from "./spend-views.js";

export const SpendQuery = z
  .object({
    group_by: z
      .union([
        z.enum(["key", "team", "model", "user", "day", "kind"]),
        z
          .string()
          .regex(/^tag:/)
          .refine((v) => TAG_KEY.test(v.slice(4)), "tag:KEY names a tag key (letters, digits, _ . : / -)"),
      ])
      .default("key")
      .describe(
        "key, team, model, user, day, kind (chat `generate`, `embeddings`, `completions`, `rerank`), or tag:KEY (the value of one tag, e.g. tag:project).",
      ),
    from: z.string().optional().describe("ISO time or date; default: 30 days ago."),
    to: z.string().optional().describe("ISO time or date; default: now."),
  })
  .strict();

const SpendRow = z
  .object({
    group: z
      .string()
      .nullable()
      .describe(
        "The key or team id, the model asked for, the user label, the UTC day, the kind of call, or the tag's value (null: requests without the tag, or rows written before the kind was kept).",
      ),
    name: z.string().nullable().optional().describe("By key or team: its name (a revoked key keeps its name)."),
    alias: z.string().nullable().optional().describe("By model: the alias or pattern that matched (`claude-*`)."),
    upstream_model: z.string().nullable().optional().describe("By model: the upstream model that answered."),
    requests: z.number().int().describe("Requests let through (refusals are counted apart)."),
    refused: z.number().int().describe("Requests llmux refused (budget, allow-list, limit): no tokens, no cost."),
    ...TokenCounts,
    cost_usd: z.number().describe("Summed exactly (integer nano-dollars), reported in USD."),
    cost_nanos: z.number().int().describe("The same, in nano-dollars (1e-9 USD)."),
  })
  .meta({ id: "SpendRow" });

export const SpendAnswer = z
  .object({
    group_by: z.string(),
    from: z.string(),
    to: z.string(),
    rows: z.array(SpendRow),
    no_price: z
      .array(z.object({ model: z.string(), requests: z.number().int() }))
      .describe("Upstream models in the range that have no price (their requests were counted as $0)."),
  })
  .meta({ id: "Spend" });

function time(v: string | undefined, field: string, fallback: number): number {
  if (v === undefined) return fallback;
  const t = Date.parse(v);
  if (Number.isNaN(t)) throw new AdminError(400, `${field} must be an ISO date or time, got '${v}'`, field);
  return t;
}

/** The spend report of a query, over every key, one key's (self-service) or one team's (a team admin). */
export async function spendReport(data: Data, prices: PriceTable, query: unknown, scope: Scope = {}) {
  const q = query as z.infer<typeof SpendQuery>;
  const now = Date.now();
  const from = time(q.from, "from", now - 30 * 86_400_000);
  const to = time(q.to, "to", now + 1);
  return {
    group_by: q.group_by,
    from: new Date(from).toISOString(),
    to: new Date(to).toISOString(),
    rows: await spendBy(data, q.group_by as GroupBy, from, to, scope),
    no_price: (await modelsUsed(data, from, to, scope)).filter((m) => prices.find(m.model) === undefined),
  };
}

/** `GET /admin/v1/spend`: the ledger grouped and summed in the database. */
export function spendRoutes(data: Data, prices: PriceTable): AdminRoute[] {
  return [
    {
      method: "GET",
      path: "/admin/v1/spend",
      summary: "Spend from the ledger, grouped by key, team, model, user, day, kind or a tag (tag:project)",
      query: SpendQuery,
      status: 200,
      answer: SpendAnswer,
      team: {},
      run: ({ query, scope }) => spendReport(data, prices, query, scope),
    },
  ];
}

/**
 * A key as the admin API shows it, with its spend in its budget's current window (or in all) and what is
 * left, when the window resets, and whether the spend has passed `billing.alert_at` of the budget (the soft
 * budget alert: logged once per window when it happens, and shown here for anything that polls).
 */
export async function withSpend(data: Data, view: KeyView | undefined, timezone: string, alertAt = 0.8) {
  if (!view) return undefined;
  return (await withSpendAll(data, "key", [view], timezone, alertAt))[0];
}

/** The spend report. */
export const admin: AdminModule<Given<"data">> = {
  needs: ["data"],
  routes: (c) => spendRoutes(c.data, new PriceTable(c.config.prices)),
};
