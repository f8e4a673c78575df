import { useQuery } from "@tanstack/react-query";
import { Link } from "react-router";
import { ErrorNotice } from "../components/notice";
import { PageHead } from "../components/page";
import { api } from "../lib/api";
import type { McpServer, McpServerList } from "../lib/types";

const STATUS_CLASS: Record<McpServer["status"], string> = {
  ready: "ok",
  connecting: "warn",
  down: "bad",
  closed: "bad",
};

/** The MCP servers llmux serves at /mcp: health as this instance sees it, and the tools each lists. */
export function Mcp() {
  const q = useQuery({
    queryKey: ["mcp-servers"],
    queryFn: () => api<McpServerList>("/admin/v1/mcp/servers"),
    refetchInterval: 5000,
    staleTime: 0,
  });
  return (
    <>
      <PageHead title="MCP servers">
        <Link to="/requests?mcp_server=*" className="small">
          Tool calls in the request log
        </Link>
      </PageHead>
      {q.isError && <ErrorNotice error={q.error} what="the MCP servers" />}
      {q.data && q.data.data.length === 0 && (
        <p className="muted">No MCP servers are configured (mcp.servers; see docs/mcp.md).</p>
      )}
      {q.data?.data.map((s) => (
        <section key={s.name} className="card" data-mcp-server={s.name} aria-label={`MCP server ${s.name}`}>
          <h2>
            {s.name}{" "}
            <span className={`badge status-${STATUS_CLASS[s.status]}`} data-status={s.status}>
              {s.status}
            </span>
          </h2>
          <p className="muted small">
            {s.transport} · <code>{s.target}</code> · endpoint <code>/mcp/{s.name}</code>
            {s.restarts > 0 && ` · restarted ${s.restarts}×`}
            {s.pid !== null && ` · pid ${s.pid}`}
            {` · ${s.prompts} prompts · ${s.resources} resources`}
          </p>
          {s.last_error && <p className="small">Down: {s.last_error}</p>}
          <div className="table-wrap">
            <table aria-label={`Tools of ${s.name}`}>
              <thead>
                <tr>
                  <th scope="col">Tool</th>
                  <th scope="col">Offered</th>
                  <th scope="col" className="hide-narrow">
                    Description
                  </th>
                </tr>
              </thead>
              <tbody>
                {s.tools.map((t) => (
                  <tr key={t.name} data-tool={t.name}>
                    <td>
                      <code>
                        {s.name}__{t.name}
                      </code>
                    </td>
                    <td>{!t.offered ? "denied" : t.needs_approval ? "needs approval" : "yes"}</td>
                    <td className="hide-narrow muted small">{t.description ?? ""}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      ))}
    </>
  );
}
