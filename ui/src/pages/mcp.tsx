import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Link } from "react-router";
import { ConfirmDialog } from "../components/danger-confirm";
import { DataTable, narrow } from "../components/data-table";
import { DialogFor } from "../components/dialog";
import { ErrorNotice, Notice } from "../components/notice";
import { PageHead } from "../components/page";
import { RowAction } from "../components/row-action";
import { api } from "../lib/api";
import type { Page } from "../lib/pages";
import { useScope } from "../lib/session";
import type { McpServer, McpServerList, McpServerSettings } from "../lib/types";
import { McpCredentials } from "./mcp-credentials";
import { McpServerForm } from "./mcp-form";

const STATUS_CLASS: Record<McpServer["status"], string> = {
  ready: "ok",
  connecting: "warn",
  down: "bad",
  closed: "bad",
  unknown: "warn",
};

type Open =
  | { kind: "add" }
  | { kind: "edit"; server: McpServerSettings }
  | { kind: "credentials"; server: McpServerSettings }
  | { kind: "remove"; name: string }
  | undefined;

const settingsOf = (name: string) => api<McpServerSettings>(`/admin/v1/mcp/servers/${encodeURIComponent(name)}`);

/**
 * The MCP servers llmux serves at /mcp: health as this instance sees it, and the tools each lists. Servers are
 * added here (or in the configuration file, whose servers are changed there only), changed and removed, and
 * keys' own credentials set; secrets are typed in and never shown again.
 */
export function Mcp() {
  const scope = useScope();
  const client = useQueryClient();
  const [open, setOpen] = useState<Open>();
  const [failed, setFailed] = useState<string | undefined>();
  const q = useQuery({
    queryKey: ["mcp-servers"],
    queryFn: () => api<McpServerList>("/admin/v1/mcp/servers"),
    refetchInterval: 5000,
    staleTime: 0,
  });
  const close = () => setOpen(undefined);
  /** After a change: the servers read again, the dialog closed. */
  const done = () => {
    void client.invalidateQueries({ queryKey: ["mcp-servers"] });
    close();
  };
  const withSettings = (kind: "edit" | "credentials", name: string) => {
    setFailed(undefined);
    settingsOf(name).then(
      (server) => setOpen({ kind, server }),
      (err: Error) => setFailed(err.message),
    );
  };
  const remove = useMutation({
    mutationFn: (name: string) => api(`/admin/v1/mcp/servers/${encodeURIComponent(name)}`, { method: "DELETE" }),
    onSuccess: done,
  });
  return (
    <>
      <PageHead
        title="MCP servers"
        action={scope.canEdit && { words: "Add server", onClick: () => setOpen({ kind: "add" }) }}
      >
        <Link to="/requests?mcp_server=*" className="small">
          Tool calls in the request log
        </Link>
      </PageHead>
      {q.isError && <ErrorNotice error={q.error} what="the MCP servers" />}
      {failed && <Notice kind="error">{failed}</Notice>}
      {q.data && q.data.data.length === 0 && (
        <p className="muted">
          No MCP servers yet: add one here, or in the configuration (mcp.servers; see docs/mcp.md).
        </p>
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
            {s.source === "config" ? " · from the configuration file" : " · added here"}
            {s.restarts > 0 && ` · restarted ${s.restarts}×`}
            {s.pid !== null && ` · pid ${s.pid}`}
            {` · ${s.prompts} prompts · ${s.resources} resources`}
          </p>
          {s.last_error && <p className="small">Down: {s.last_error}</p>}
          {scope.canEdit && (
            <div className="row-actions">
              {s.source === "api" && (
                <RowAction what={s.name} onClick={() => withSettings("edit", s.name)}>
                  Edit
                </RowAction>
              )}
              <RowAction what={`for ${s.name}`} onClick={() => withSettings("credentials", s.name)}>
                Own credentials
              </RowAction>
              {s.source === "api" && (
                <RowAction what={s.name} danger onClick={() => setOpen({ kind: "remove", name: s.name })}>
                  Remove
                </RowAction>
              )}
            </div>
          )}
          <DataTable label={`Tools of ${s.name}`} columns={["Tool", "Offered", narrow("Description")]}>
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
          </DataTable>
        </section>
      ))}
      <DialogFor open={open} kind="add" title="Add an MCP server" onClose={close} wide>
        {() => (
          <McpServerForm
            onCancel={close}
            onSubmit={async (body) => {
              await api("/admin/v1/mcp/servers", { method: "POST", body });
              done();
            }}
          />
        )}
      </DialogFor>
      <DialogFor open={open} kind="edit" title={(o) => `Edit ${o.server.name}`} onClose={close} wide>
        {(o) => (
          <McpServerForm
            existing={o.server}
            onCancel={close}
            onSubmit={async (body) => {
              await api(`/admin/v1/mcp/servers/${encodeURIComponent(o.server.name)}`, { method: "PATCH", body });
              done();
            }}
          />
        )}
      </DialogFor>
      <DialogFor
        open={open}
        kind="credentials"
        title={(o) => `Own credentials for ${o.server.name}`}
        onClose={close}
        wide
      >
        {(o) => <McpCredentials server={o.server} />}
      </DialogFor>
      <ConfirmDialog
        open={open}
        kind="remove"
        title={(o) => `Remove ${o.name}?`}
        onClose={close}
        action="Remove server"
        mutation={remove}
        on={(o) => o.name}
      >
        {() =>
          "Its tools are gone for every key on every instance within 2 seconds; keys' own credentials for it are deleted."
        }
      </ConfirmDialog>
    </>
  );
}

export const page: Page = {
  path: "/mcp",
  order: 80,
  title: "MCP",
  roles: "whole",
  component: Mcp,
};
