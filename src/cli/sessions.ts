import { ADMIN_OPTIONS, output, withClient } from "./admin-client.js";
import type { Command } from "./command.js";
import { stringOption, UsageError } from "./command.js";
import { optString } from "./values.js";

type Row = Record<string, unknown> & { tokens?: Record<string, number>; cache_hit_rate?: number | null };

/** A session's (or an agent's, a model's) row as the table shows it: tokens flattened, rates in per cent. */
function flat(r: Row): Record<string, unknown> {
  const t = r.tokens ?? {};
  const rate = r.cache_hit_rate;
  return {
    ...r,
    input: t.input,
    output: t.output,
    cache_read: t.cache_read,
    cost_usd: typeof r.cost_usd === "number" ? r.cost_usd.toFixed(4) : r.cost_usd,
    cache_hit: rate === null || rate === undefined ? "-" : `${(rate * 100).toFixed(1)}%`,
    duration_s: typeof r.duration_ms === "number" ? Math.round(r.duration_ms / 1000) : undefined,
  };
}

const LIST = ["id", "tool", "key_name", "user", "started_at", "duration_s", "requests", "errors", "input", "output"];
const AGENTS = ["agent", "requests", "errors", "input", "output", "cache_read", "cache_hit", "cost_usd"];
const MODELS = ["model", "requests", "input", "output", "cache_read", "cache_hit", "cost_usd"];

export const sessionsCommand: Command = {
  name: "sessions",
  summary: "Coding sessions: cost, tokens, agents and models per session.",
  description: [
    "Lists coding sessions (by the session ids the tools send: Claude Code, Codex, OpenCode, Cursor, or the",
    "llmux-session header the launchers set), most expensive first; with a session id, that session's totals,",
    "its agents as a tree (sub-agents indented under the agent that started them), and the models it used.",
    "Reads the request log from the configured store, or from a running llmux with --url.",
  ].join("\n"),
  arguments: [{ name: "SESSION", description: "A session id: show that session.", optional: true }],
  options: {
    ...ADMIN_OPTIONS,
    key: stringOption("KEY_ID", "Only this key's sessions."),
    team: stringOption("TEAM_ID", "Only this team's sessions."),
    user: stringOption("USER", "Only this user's sessions."),
    tool: stringOption("TOOL", "Only this tool's: claude-code, codex, opencode…"),
    from: stringOption("TIME", "ISO date or time (default: 7 days ago)."),
    to: stringOption("TIME", "ISO date or time (default: now)."),
    sort: stringOption("ORDER", "cost (default) or recent."),
    limit: stringOption("N", "How many sessions (default 100)."),
  },
  examples: ["llmux sessions", "llmux sessions --tool codex --sort recent", "llmux sessions 0199a2c4-…"],
  run: (input) => {
    const id = input.args[0];
    const query: Record<string, string> = {};
    for (const [opt, param] of [
      ["key", "key_id"],
      ["team", "team_id"],
      ["user", "user"],
      ["tool", "tool"],
      ["from", "from"],
      ["to", "to"],
      ["sort", "sort"],
      ["limit", "limit"],
    ] as const) {
      const v = optString(input, opt);
      if (v !== undefined) query[param] = v;
    }
    if (query.sort !== undefined && !["cost", "recent"].includes(query.sort))
      throw new UsageError(`--sort must be cost or recent, got '${query.sort}'`, "sessions");
    return withClient(input, async (c) => {
      if (id === undefined) {
        const out = (await c.call("GET", "/admin/v1/sessions", undefined, query)) as { rows: Row[] };
        output(input, input.values.json ? out : out.rows.map(flat), [...LIST, "cache_hit", "cost_usd"]);
        return;
      }
      const d = (await c.call("GET", `/admin/v1/sessions/${encodeURIComponent(id)}`)) as Row & {
        agents: (Row & { depth: number; id: string | null })[];
        models: Row[];
      };
      if (input.values.json) return output(input, d, []);
      output(input, [flat(d)], [...LIST, "cache_hit", "cost_usd"]);
      process.stdout.write("\nAgents\n");
      const agents = d.agents.map((a) => ({ ...flat(a), agent: `${"  ".repeat(a.depth)}${a.id ?? "(main)"}` }));
      output(input, agents, AGENTS);
      process.stdout.write("\nModels\n");
      output(input, d.models.map(flat), MODELS);
    });
  },
};
