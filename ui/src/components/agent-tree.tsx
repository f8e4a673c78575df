import type { SessionAgent } from "../lib/types";
import { DataTable } from "./data-table";
import { UsageCells, usageColumns } from "./usage-cells";

/** An agent's name: the tool's own id, or "(main)" for the session's main agent. */
export const agentName = (id: string | null) => id ?? "(main)";

const AGENT_USAGE = usageColumns(
  ["requests", "errors", "input", "output", "cache_read", "cache_hit", "cost"],
  ["errors", "cache_read"],
);

/**
 * A session's agents as an indented tree: the API lists them depth first (each agent's sub-agents right after
 * it), so indenting each row by its depth draws the tree.
 */
export function AgentTree({ agents }: { agents: SessionAgent[] }) {
  return (
    <DataTable label="Agents" className="agent-tree" columns={["Agent", ...AGENT_USAGE]}>
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
          <UsageCells columns={AGENT_USAGE} usage={{ ...a, ...a.tokens }} />
        </tr>
      ))}
    </DataTable>
  );
}
