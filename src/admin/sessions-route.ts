import { z } from "zod";
import type { Data } from "../data/data.js";
import { listSessions, type SessionSummary, sessionDetail } from "../data/session-queries.js";
import type { UsageTotals } from "../data/usage-totals.js";
import type { Given } from "./context.js";
import { AdminError, type AdminModule, type AdminRoute, type Scope } from "./route.js";

export const SessionsQuery = z
  .object({
    key_id: z.string().optional(),
    team_id: z.string().optional(),
    user: z.string().optional(),
    tool: z.string().optional().describe("The coding tool: claude-code, codex, opencode, gemini-cli, cursor…"),
    from: z.string().optional().describe("ISO time or date; default: 7 days ago."),
    to: z.string().optional().describe("ISO time or date; default: now."),
    sort: z.enum(["cost", "recent"]).default("cost"),
    limit: z.coerce.number().int().min(1).max(1000).default(100),
  })
  .strict();

export const SessionQuery = z
  .object({ limit: z.coerce.number().int().min(1).max(5000).default(1000).describe("Requests listed, at most.") })
  .strict();

const Tokens = z
  .object({
    input: z.number().int().describe("All input tokens, cache reads and writes included."),
    output: z.number().int(),
    cache_read: z.number().int(),
    cache_write: z.number().int(),
    reasoning: z.number().int(),
  })
  .meta({ id: "SessionTokens" });

const totals = {
  requests: z.number().int(),
  tokens: Tokens,
  cost_usd: z.number(),
  cost_nanos: z.number().int(),
  cache_hit_rate: z.number().nullable().describe("Cache-read input ÷ all input (null: no input)."),
};

const Session = z
  .object({
    id: z.string(),
    tool: z.string().nullable(),
    key_id: z.string().nullable(),
    key_name: z.string().nullable(),
    team_id: z.string().nullable(),
    user: z.string().nullable(),
    started_at: z.string(),
    last_at: z.string().describe("When its last request arrived."),
    duration_ms: z.number().int().describe("From its first request's start to its last request's end."),
    errors: z.number().int(),
    ...totals,
  })
  .meta({ id: "Session" });

export const SessionList = z.object({ rows: z.array(Session) }).meta({ id: "SessionList" });

const Agent = z
  .object({
    id: z.string().nullable().describe("null: the session's main agent."),
    parent_id: z.string().nullable().describe("The agent it runs under (as the tool named it)."),
    depth: z.number().int().describe("0: a top agent; 1: its sub-agent; and so on."),
    started_at: z.string(),
    errors: z.number().int(),
    ...totals,
  })
  .meta({ id: "SessionAgent" });

const ModelUse = z.object({ model: z.string().nullable(), ...totals }).meta({ id: "SessionModel" });

const SessionRequestRow = z
  .object({
    id: z.string(),
    at: z.string(),
    agent_id: z.string().nullable(),
    model: z.string().nullable(),
    alias: z.string().nullable(),
    status: z.number().int(),
    outcome: z.string(),
    error_class: z.string().nullable(),
    reason: z.string().nullable(),
    latency_ms: z.number(),
    tokens: Tokens,
    cost_usd: z.number(),
  })
  .meta({ id: "SessionRequest" });

export const SessionDetailSchema = Session.extend({
  agents: z
    .array(Agent)
    .describe("The agents as a tree, depth first: the main agent, then each agent's sub-agents right after it."),
  models: z.array(ModelUse),
  timeline: z.array(SessionRequestRow).describe("Its requests in time order (the first `limit`)."),
  failures: z.array(SessionRequestRow).describe("Those of them that failed or were refused."),
}).meta({ id: "SessionDetail" });

type AgentNode = Omit<z.infer<typeof Agent>, "depth"> & { children: AgentNode[] };

/** The tree, depth first, each agent with its depth (an agent in a cycle of parents is listed at the top). */
function flatten(roots: AgentNode[], all: Iterable<AgentNode>): z.infer<typeof Agent>[] {
  const out: z.infer<typeof Agent>[] = [];
  const seen = new Set<AgentNode>();
  const walk = (n: AgentNode, depth: number) => {
    if (seen.has(n)) return;
    seen.add(n);
    const { children, ...rest } = n;
    out.push({ ...rest, depth });
    for (const c of children) walk(c, depth + 1);
  };
  for (const r of roots) walk(r, 0);
  for (const n of all) walk(n, 0);
  return out;
}

const usd = (nanos: number) => nanos / 1e9;
const iso = (ms: number) => new Date(ms).toISOString();

function totalsView(t: UsageTotals) {
  return {
    requests: t.requests,
    tokens: {
      input: t.input_tokens,
      output: t.output_tokens,
      cache_read: t.cache_read_tokens,
      cache_write: t.cache_write_tokens,
      reasoning: t.reasoning_tokens,
    },
    cost_usd: usd(t.cost_nanos),
    cost_nanos: t.cost_nanos,
    cache_hit_rate: t.input_tokens > 0 ? t.cache_read_tokens / t.input_tokens : null,
  };
}

function sessionView(s: SessionSummary) {
  return {
    id: s.session_id,
    tool: s.tool,
    key_id: s.key_id,
    key_name: s.key_name,
    team_id: s.team_id,
    user: s.user_label,
    started_at: iso(s.first_at),
    last_at: iso(s.last_at),
    duration_ms: Math.max(0, s.ended_at - s.first_at),
    errors: s.errors,
    ...totalsView(s),
  };
}

function time(v: string | undefined, field: string, fallback: number): number {
  if (v === undefined) return fallback;
  const t = Date.parse(v);
  if (Number.isNaN(t)) throw new AdminError(400, `${field} must be an ISO date or time, got '${v}'`, field);
  return t;
}

/** The sessions' answers, over every key or one (self-service). */
export const sessionAnswers = (data: Data) => ({
  list: async (query: unknown, scope: Scope = {}) => {
    const q = query as z.infer<typeof SessionsQuery>;
    const now = Date.now();
    const fromMs = time(q.from, "from", now - 7 * 86_400_000);
    const toMs = time(q.to, "to", now + 1);
    if (fromMs >= toMs) throw new AdminError(400, "from must be before to", "from");
    // A team admin asking for another team's sessions: there are none.
    if (scope.teamId !== undefined && q.team_id !== undefined && q.team_id !== scope.teamId) return { rows: [] };
    const rows = await listSessions(data, {
      keyId: scope.keyId ?? q.key_id,
      teamId: scope.teamId ?? q.team_id,
      user: q.user,
      tool: q.tool,
      fromMs,
      toMs,
      sort: q.sort,
      limit: q.limit,
    });
    return { rows: rows.map(sessionView) };
  },
  one: async (id: string, query: unknown, scope: Scope = {}) => {
    const q = SessionQuery.parse(query ?? {});
    const d = await sessionDetail(data, id, q.limit, scope);
    if (!d) return undefined;
    // Agents as a tree: each under its parent when the session has it, else under the main agent (or at the top).
    const nodes = new Map<string | null, AgentNode>();
    for (const a of d.agents)
      nodes.set(a.agent_id, {
        id: a.agent_id,
        parent_id: a.parent_agent_id,
        started_at: iso(a.first_at),
        errors: a.errors,
        ...totalsView(a),
        children: [],
      });
    const roots: AgentNode[] = [];
    for (const n of nodes.values()) {
      const parent = n.id === null ? undefined : (nodes.get(n.parent_id) ?? nodes.get(null));
      if (parent && parent !== n) parent.children.push(n);
      else roots.push(n);
    }
    const timeline = d.requests.map((r) => ({
      id: r.id,
      at: iso(r.at),
      agent_id: r.agent_id,
      model: r.model,
      alias: r.alias,
      status: r.status,
      outcome: r.outcome,
      error_class: r.error_class,
      reason: r.reason,
      latency_ms: r.latency_ms,
      tokens: {
        input: r.input_tokens,
        output: r.output_tokens,
        cache_read: r.cache_read_tokens,
        cache_write: r.cache_write_tokens,
        reasoning: r.reasoning_tokens,
      },
      cost_usd: usd(r.cost_nanos),
    }));
    return {
      ...sessionView(d.summary),
      agents: flatten(roots, nodes.values()),
      models: d.models.map((m) => ({ model: m.model, ...totalsView(m) })),
      timeline,
      failures: timeline.filter((r) => r.outcome === "error" || r.outcome === "refused"),
    };
  },
});

/** `GET /admin/v1/sessions`, `/sessions/{id}`: coding sessions from the request log, for admin keys. */
export function sessionRoutes(data: Data): AdminRoute[] {
  const a = sessionAnswers(data);
  return [
    {
      method: "GET",
      path: "/admin/v1/sessions",
      summary: "Coding sessions (by the tools' session ids), most expensive or most recent first",
      query: SessionsQuery,
      status: 200,
      answer: SessionList,
      team: {},
      run: ({ query, scope }) => a.list(query, scope),
    },
    {
      method: "GET",
      path: "/admin/v1/sessions/{id}",
      summary: "One session: totals, agents as a tree, models, requests, errors",
      query: SessionQuery,
      status: 200,
      answer: SessionDetailSchema,
      byId: true,
      team: {},
      run: ({ params, query, scope }) => a.one(params.id!, query, scope),
    },
  ];
}

/** Coding sessions. */
export const admin: AdminModule<Given<"data">> = {
  needs: ["data"],
  routes: (c) => sessionRoutes(c.data),
};
