import { count, pct, usd } from "../lib/format";
import type { SessionAgent } from "../lib/types";

/** An agent's name: the tool's own id, or "(main)" for the session's main agent. */
export const agentName = (id: string | null) => id ?? "(main)";

/**
 * A session's agents as an indented tree: the API lists them depth first (each agent's sub-agents right after
 * it), so indenting each row by its depth draws the tree.
 */
export function AgentTree({ agents }: { agents: SessionAgent[] }) {
  return (
    <div className="table-wrap">
      <table className="agent-tree" aria-label="Agents">
        <thead>
          <tr>
            <th scope="col">Agent</th>
            <th scope="col" className="num">
              Requests
            </th>
            <th scope="col" className="num hide-narrow">
              Errors
            </th>
            <th scope="col" className="num">
              Input
            </th>
            <th scope="col" className="num">
              Output
            </th>
            <th scope="col" className="num hide-narrow">
              Cache read
            </th>
            <th scope="col" className="num">
              Cache hit
            </th>
            <th scope="col" className="num">
              Cost
            </th>
          </tr>
        </thead>
        <tbody>
          {agents.map((a) => (
            <tr key={a.id ?? "(main)"} data-agent={agentName(a.id)} data-depth={a.depth}>
              <th scope="row">
                <span
                  className="agent-name"
                  style={{ marginLeft: `${a.depth * 1.4}rem` }}
                  title={a.parent_id ? `sub-agent of ${a.parent_id}` : undefined}
                >
                  {a.depth > 0 && (
                    <span className="tree-mark" aria-hidden="true">
                      └{" "}
                    </span>
                  )}
                  {agentName(a.id)}
                  {a.depth > 0 && <span className="sr-only"> (sub-agent, level {a.depth})</span>}
                </span>
              </th>
              <td className="num">{count(a.requests)}</td>
              <td className="num hide-narrow">{a.errors > 0 ? <span className="bad">{a.errors}</span> : 0}</td>
              <td className="num">{count(a.tokens.input)}</td>
              <td className="num">{count(a.tokens.output)}</td>
              <td className="num hide-narrow">{count(a.tokens.cache_read)}</td>
              <td className="num">{a.cache_hit_rate === null ? "—" : pct(a.cache_hit_rate)}</td>
              <td className="num">{usd(a.cost_usd)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
