import { Link } from "react-router";
import { count, ms, usd, when, whenShort } from "../lib/format";
import type { SessionRequest } from "../lib/types";
import { agentName } from "./agent-tree";
import { DataTable, num } from "./data-table";
import { StatusBadge } from "./status";

const failed = (r: SessionRequest) => r.outcome === "error" || r.outcome === "refused";

/** A session's requests in time order, each linking to its request page; failed and refused ones marked. */
export function SessionTimeline({ rows }: { rows: SessionRequest[] }) {
  return (
    <DataTable
      label="Timeline"
      className="timeline"
      columns={["Time", "Agent", "Model", "Status", num("Latency", true), num("Tokens in / out"), num("Cost")]}
    >
      {rows.map((r) => (
        <tr key={r.id} className={failed(r) ? "failed" : undefined} data-outcome={r.outcome}>
          <td>
            <Link to={`/requests/${encodeURIComponent(r.id)}`} title={when(r.at)}>
              {whenShort(r.at)}
            </Link>
          </td>
          <td>{agentName(r.agent_id)}</td>
          <td>
            <span className="model">{r.alias ?? r.model ?? "—"}</span>
            {r.model && r.alias && r.model !== r.alias && <span className="muted small"> → {r.model}</span>}
          </td>
          <td>
            <StatusBadge row={r} />
            {failed(r) && r.reason && (
              <div className="muted small why" title={r.reason}>
                {r.reason}
              </div>
            )}
          </td>
          <td className="num hide-narrow">{ms(r.latency_ms)}</td>
          <td className="num">
            {count(r.tokens.input)} / {count(r.tokens.output)}
          </td>
          <td className="num">{usd(r.cost_usd)}</td>
        </tr>
      ))}
    </DataTable>
  );
}
