import type { z } from "zod";
import type { Data } from "../data/data.js";
import { BadFilter, getRequest, listRequests, type RequestFilter } from "../requestlog/query.js";
import { type Bucket, defaultBucket, requestStats } from "../requestlog/stats.js";
import type { Given } from "./context.js";
import { RequestDetailSchema, RequestList, RequestsQuery, StatsAnswerSchema, StatsQuery } from "./requests-schemas.js";
import { AdminError, type AdminModule, type AdminRoute, type Scope } from "./route.js";

function time(v: string | undefined, field: string): number | undefined {
  if (v === undefined) return undefined;
  const t = Date.parse(v);
  if (Number.isNaN(t)) throw new AdminError(400, `${field} must be an ISO date or time, got '${v}'`, field);
  return t;
}

/**
 * The query's filters; with a scope (self-service's key, a team admin's team) the key or team is fixed,
 * whatever the query says.
 */
function filterOf(q: z.infer<typeof StatsQuery>, scope: Scope): RequestFilter {
  const { from, to, errors, bucket: _, ...rest } = q;
  return {
    ...rest,
    ...(scope.keyId !== undefined ? { key_id: scope.keyId } : {}),
    ...(scope.teamId !== undefined ? { team_id: scope.teamId } : {}),
    errors: errors === "true",
    from: time(from, "from"),
    to: time(to, "to"),
  };
}

async function mapped<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof BadFilter) throw new AdminError(400, err.message, err.field);
    throw err;
  }
}

/** The request log's answers, over every request, one key's (self-service) or one team's (a team admin). */
export const requestLogAnswers = (data: Data) => ({
  list: (query: unknown, scope: Scope = {}) =>
    mapped(() => {
      const q = query as z.infer<typeof RequestsQuery>;
      const { limit, before, ...rest } = q;
      return listRequests(data, filterOf(rest, scope), limit, before);
    }),
  one: (id: string, scope: Scope = {}) => getRequest(data, id, scope),
  stats: (query: unknown, scope: Scope = {}) =>
    mapped(() => {
      const q = query as z.infer<typeof StatsQuery>;
      const f = filterOf(q, scope);
      const to = f.to ?? Date.now() + 1;
      const from = f.from ?? to - 3_600_000;
      if (from >= to) throw new AdminError(400, "from must be before to", "from");
      const bucket: Bucket = q.bucket ?? defaultBucket(from, to);
      return requestStats(data, { ...f, from, to }, bucket);
    }),
});

/** `GET /admin/v1/requests`, `/requests/{id}`, `/stats`: the request log, for admin keys. */
export function requestRoutes(data: Data): AdminRoute[] {
  const a = requestLogAnswers(data);
  return [
    {
      method: "GET",
      path: "/admin/v1/requests",
      summary: "The request log, newest first (filtered; paginated with before/next_before)",
      query: RequestsQuery,
      status: 200,
      answer: RequestList,
      team: {},
      run: ({ query, scope }) => a.list(query, scope),
    },
    {
      method: "GET",
      path: "/admin/v1/requests/{id}",
      summary: "One request: its row, and its bodies and conversation when body logging kept them",
      status: 200,
      answer: RequestDetailSchema,
      byId: true,
      team: {},
      run: ({ params, scope }) => a.one(params.id!, scope),
    },
    {
      method: "GET",
      path: "/admin/v1/stats",
      summary:
        "Requests, errors, latency and TTFT percentiles, tokens and cost by time bucket; top keys, teams, models",
      query: StatsQuery,
      status: 200,
      answer: StatsAnswerSchema,
      team: {},
      run: ({ query, scope }) => a.stats(query, scope),
    },
  ];
}

/** The request log. */
export const admin: AdminModule<Given<"data">> = {
  needs: ["data"],
  routes: (c) => requestRoutes(c.data),
};
