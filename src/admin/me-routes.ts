import { type Price, PriceTable } from "../billing/prices.js";
import type { Data } from "../data/data.js";
import type { Keys } from "../data/keys.js";
import type { Teams } from "../data/teams.js";
import type { Given } from "./context.js";
import { keyWithState } from "./key-state.js";
import { requestLogAnswers } from "./requests-route.js";
import { RequestDetailSchema, RequestList, RequestsQuery, StatsAnswerSchema, StatsQuery } from "./requests-schemas.js";
import { AdminError, type AdminModule, type AdminRoute, type RouteInput } from "./route.js";
import * as S from "./schemas.js";
import { SessionDetailSchema, SessionList, SessionQuery, SessionsQuery, sessionAnswers } from "./sessions-route.js";
import { SpendAnswer, SpendQuery, spendReport } from "./spend-route.js";

export const Me = S.Key.extend({
  remaining_usd: S.Key.shape.budget_remaining_usd.describe(
    "What is left of the budget in its window (null: no budget).",
  ),
}).meta({ id: "Me" });

/** What the self-service routes read: the keys, the prices of the spend report, the budget time zone. */
export interface SelfDeps {
  keys: Keys;
  /** The teams: the key's team, its budget and allow-list are part of what the key holder sees. */
  teams: Teams;
  prices?: Record<string, Price> | undefined;
  timezone?: string | undefined;
}

/** The key that signed in (the API only calls these routes with one). */
function keyOf(input: RouteInput): string {
  if (!input.self?.keyId)
    throw new AdminError(403, "this self-service route takes a minted key (lx-…), not an admin key or a sign-in");
  return input.self.keyId;
}

/**
 * Self-service (`/admin/v1/me…`): a key holder signed in with their own minted key sees that key, its requests,
 * its stats and its spend, read-only; nothing of any other key (another key's request id is unknown: 404).
 */
export function meRoutes(d: SelfDeps, data: Data): AdminRoute[] {
  const a = requestLogAnswers(data);
  const sessions = sessionAnswers(data);
  const prices = new PriceTable(d.prices);
  return [
    {
      method: "GET",
      path: "/admin/v1/me",
      summary: "The key that signed in: its settings, spend and what is left of its budget",
      auth: "self",
      status: 200,
      answer: Me,
      run: async (input) => {
        const key = await d.keys.get(keyOf(input));
        if (!key) return undefined;
        const view = await keyWithState(data, d.teams, key, d.timezone ?? "UTC");
        return { ...view, remaining_usd: view.budget_remaining_usd };
      },
    },
    {
      method: "GET",
      path: "/admin/v1/me/requests",
      summary: "The signed-in key's requests, newest first",
      auth: "self",
      query: RequestsQuery,
      status: 200,
      answer: RequestList,
      run: (input) => a.list(input.query, { keyId: keyOf(input) }),
    },
    {
      method: "GET",
      path: "/admin/v1/me/requests/{id}",
      summary: "One of the signed-in key's requests (another key's id: 404)",
      auth: "self",
      status: 200,
      answer: RequestDetailSchema,
      byId: true,
      run: (input) => a.one(input.params.id!, { keyId: keyOf(input) }),
    },
    {
      method: "GET",
      path: "/admin/v1/me/stats",
      summary: "The signed-in key's stats by time bucket",
      auth: "self",
      query: StatsQuery,
      status: 200,
      answer: StatsAnswerSchema,
      run: (input) => a.stats(input.query, { keyId: keyOf(input) }),
    },
    {
      method: "GET",
      path: "/admin/v1/me/sessions",
      summary: "The signed-in key's coding sessions",
      auth: "self",
      query: SessionsQuery,
      status: 200,
      answer: SessionList,
      run: (input) => sessions.list(input.query, { keyId: keyOf(input) }),
    },
    {
      method: "GET",
      path: "/admin/v1/me/sessions/{id}",
      summary: "One of the signed-in key's sessions (its requests only)",
      auth: "self",
      query: SessionQuery,
      status: 200,
      answer: SessionDetailSchema,
      byId: true,
      run: (input) => sessions.one(input.params.id!, input.query, { keyId: keyOf(input) }),
    },
    {
      method: "GET",
      path: "/admin/v1/me/spend",
      summary: "The signed-in key's spend from the ledger, grouped by model or day",
      auth: "self",
      query: SpendQuery,
      status: 200,
      answer: SpendAnswer,
      run: (input) => spendReport(data, prices, input.query, { keyId: keyOf(input) }),
    },
  ];
}

/** A minted key's own view (self-service). */
export const admin: AdminModule<Given<"data">> = {
  needs: ["data"],
  routes: (c) =>
    meRoutes({ keys: c.keys, teams: c.teams, prices: c.config.prices, timezone: c.config.billing.timezone }, c.data),
};
