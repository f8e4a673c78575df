/**
 * Coding sessions, read from the request log (every request of a session, however it ended; the columns
 * session_id, agent_id and parent_agent_id): the sessions of a window with their totals (from the session
 * rollup, session-source.ts), and one session's totals, agents, models, requests and errors (its rows, by
 * the session's index). Every total is summed in the database (money in integer
 * nano-dollars), so a session's figures are the sum of its rows.
 */

import type { Data } from "./data.js";
import { type RawBuilder, sql } from "./kysely.js";
import { reportRead } from "./report-read.js";
import { sourceSums, USAGE_COLUMNS } from "./rollup-sql.js";
import type { RowScope } from "./row-scope.js";
import type { UsageColumns } from "./schema-rollup.js";
import { sessionSource } from "./session-source.js";
import { tokensOf, totalsOf, type UsageTotals, usageSums } from "./usage-totals.js";

export interface SessionFilter {
  keyId?: string | undefined;
  teamId?: string | undefined;
  user?: string | undefined;
  tool?: string | undefined;
  /** Sessions with a request in [fromMs, toMs). */
  fromMs: number;
  toMs: number;
  sort: "cost" | "recent";
  limit: number;
}

/** A session's totals, and when it ran (first request's start, last request's end), by whom, with what. */
export interface SessionSummary extends UsageTotals {
  session_id: string;
  first_at: number;
  last_at: number;
  /** The end of its last request (its start plus its latency), unix ms. */
  ended_at: number;
  errors: number;
  tool: string | null;
  key_id: string | null;
  key_name: string | null;
  team_id: string | null;
  user_label: string | null;
}

/** The select list of a session's summary (over whatever rows the query keeps). */
function summaryColumns() {
  return [
    ...usageSums(),
    sql<number | string>`min(at)`.as("first_at"),
    sql<number | string>`max(at)`.as("last_at"),
    sql<number | string>`max(at + latency_ms)`.as("ended_at"),
    sql<number | string>`sum(case when outcome in ('error', 'refused') then 1 else 0 end)`.as("errors"),
    sql<string | null>`max(client_tool)`.as("tool"),
    sql<string | null>`max(key_id)`.as("key_id"),
    sql<string | null>`max(key_name)`.as("key_name"),
    sql<string | null>`max(team_id)`.as("team_id"),
    sql<string | null>`max(user_label)`.as("user_label"),
  ] as const;
}

type SummaryRow = { [K in keyof Omit<SessionSummary, "session_id">]?: number | string | null } & {
  session_id?: string | null;
};

function summaryOf(r: SummaryRow, sessionId: string): SessionSummary {
  return {
    session_id: sessionId,
    ...totalsOf(r),
    first_at: Number(r.first_at ?? 0),
    last_at: Number(r.last_at ?? 0),
    ended_at: Math.round(Number(r.ended_at ?? 0)),
    errors: Number(r.errors ?? 0),
    tool: (r.tool as string | null) ?? null,
    key_id: (r.key_id as string | null) ?? null,
    key_name: (r.key_name as string | null) ?? null,
    team_id: (r.team_id as string | null) ?? null,
    user_label: (r.user_label as string | null) ?? null,
  };
}

/**
 * The sessions with a request in the window, most expensive (or most recent) first: read from the session
 * rollup and the rows at the window's part hours (`rollup` false: the rows alone), so a call costs the same at
 * any size of the log. The sessions are ranked on their cost or last start alone, then only the ones listed
 * are summed whole.
 */
export async function listSessions(data: Data, f: SessionFilter, rollup = true): Promise<SessionSummary[]> {
  const where: RawBuilder<boolean>[] = [];
  if (f.keyId !== undefined) where.push(sql<boolean>`key_id = ${f.keyId}`);
  if (f.teamId !== undefined) where.push(sql<boolean>`team_id = ${f.teamId}`);
  if (f.user !== undefined) where.push(sql<boolean>`user_label = ${f.user}`);
  if (f.tool !== undefined) where.push(sql<boolean>`client_tool = ${f.tool}`);
  const ranked = sessionSource(f.fromMs, f.toMs, where, rollup, "rank");
  return reportRead(data, async (db) => {
    const { rows: top } = await sql<{ session_id: string }>`select session_id from (${ranked}) as u
group by session_id
order by ${f.sort === "cost" ? sql`sum(cost_nanos)` : sql`max(last_at)`} desc, session_id
limit ${f.limit}`.execute(db);
    if (top.length === 0) return [];
    const ids = top.map((r) => r.session_id);
    const from = sessionSource(f.fromMs, f.toMs, [...where, sql<boolean>`session_id in (${sql.join(ids)})`], rollup);
    const { rows } = await sql<SummaryRow>`select session_id, ${sourceSums()}, min(first_at) as first_at,
  max(last_at) as last_at, max(ended_at) as ended_at, sum(errors) as errors, max(client_tool) as tool,
  max(key_id) as key_id, max(key_name) as key_name, max(team_id) as team_id, max(user_label) as user_label
from (${from}) as u group by session_id`.execute(db);
    const byId = new Map(rows.map((r) => [r.session_id!, r]));
    return ids.flatMap((id) => {
      const r = byId.get(id);
      return r ? [summaryOf(r, id)] : [];
    });
  });
}

export interface AgentTotals extends UsageTotals {
  /** null: the session's main agent (requests that named no agent). */
  agent_id: string | null;
  parent_agent_id: string | null;
  first_at: number;
  errors: number;
}

export interface ModelTotals extends UsageTotals {
  model: string | null;
}

export interface SessionRequest extends UsageColumns {
  id: string;
  at: number;
  agent_id: string | null;
  model: string | null;
  alias: string | null;
  status: number;
  outcome: string;
  error_class: string | null;
  reason: string | null;
  latency_ms: number;
  cost_nanos: number;
}

export interface SessionDetail {
  summary: SessionSummary;
  agents: AgentTotals[];
  models: ModelTotals[];
  /** Its requests in time order (the first `limit`). */
  requests: SessionRequest[];
}

/**
 * One session (of one key, for the self view): its totals, its agents and models summed, its requests in time
 * order; undefined when it has no request (or none of that key).
 */
export async function sessionDetail(
  data: Data,
  sessionId: string,
  limit: number,
  scope: RowScope = {},
): Promise<SessionDetail | undefined> {
  const db = await data.db();
  const base = db
    .selectFrom("request_log")
    .where("session_id", "=", sessionId)
    .$if(scope.keyId !== undefined, (q) => q.where("key_id", "=", scope.keyId!))
    .$if(scope.teamId !== undefined, (q) => q.where("team_id", "=", scope.teamId!));
  const total = await base.select(summaryColumns()).executeTakeFirst();
  if (!total || Number(total.requests) === 0) return undefined;
  const agents = await base
    .select([
      "agent_id",
      sql<string | null>`max(parent_agent_id)`.as("parent_agent_id"),
      sql<number | string>`min(at)`.as("first_at"),
      sql<number | string>`sum(case when outcome in ('error', 'refused') then 1 else 0 end)`.as("errors"),
      ...usageSums(),
    ])
    .groupBy("agent_id")
    .orderBy(sql`min(at)`)
    .execute();
  const models = await base
    .select(["model", ...usageSums()])
    .groupBy("model")
    .orderBy(sql`sum(cost_nanos)`, "desc")
    .execute();
  const requests = await base
    .select([
      "id",
      "at",
      "agent_id",
      "model",
      "alias",
      "status",
      "outcome",
      "error_class",
      "reason",
      "latency_ms",
      ...USAGE_COLUMNS,
    ])
    .orderBy("at")
    .orderBy("id")
    .limit(limit)
    .execute();
  return {
    summary: summaryOf(total as SummaryRow, sessionId),
    agents: agents.map((a) => ({
      agent_id: a.agent_id ?? null,
      parent_agent_id: a.parent_agent_id ?? null,
      first_at: Number(a.first_at),
      errors: Number(a.errors),
      ...totalsOf(a),
    })),
    models: models.map((m) => ({ model: m.model ?? null, ...totalsOf(m) })),
    requests: requests.map((r) => ({
      ...r,
      at: Number(r.at),
      status: Number(r.status),
      latency_ms: Number(r.latency_ms),
      ...tokensOf(r),
      cost_nanos: Number(r.cost_nanos),
    })),
  };
}
