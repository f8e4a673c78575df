import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useSearchParams } from "react-router";
import { DataTable, narrow } from "../components/data-table";
import { PickFilter } from "../components/fields";
import { QueryState } from "../components/notice";
import { PageHead } from "../components/page";
import { Pager, useKeysetPages } from "../components/pager";
import { api, query } from "../lib/api";
import { when, whenShort } from "../lib/format";
import type { Page } from "../lib/pages";
import type { AuditPage, AuditRow } from "../lib/types";

/** Fields that change on their own (spend) or with every change: not what a change changed. */
const NOISE = new Set(["updated_at", "spend_usd", "budget_remaining_usd", "budget_alert", "budget_resets_at"]);

/** What a change changed, field by field. */
export function changes(r: AuditRow): { field: string; before: string; after: string }[] {
  const b = (r.before ?? {}) as Record<string, unknown>;
  const a = (r.after ?? {}) as Record<string, unknown>;
  if (!r.before || !r.after) return [];
  const out: { field: string; before: string; after: string }[] = [];
  for (const k of new Set([...Object.keys(b), ...Object.keys(a)])) {
    if (NOISE.has(k)) continue;
    const x = JSON.stringify(b[k] ?? null);
    const y = JSON.stringify(a[k] ?? null);
    if (x !== y) out.push({ field: k, before: x, after: y });
  }
  return out;
}

const ACTIONS = [
  "key.create",
  "key.update",
  "key.rotate",
  "key.revoke",
  "team.create",
  "team.update",
  "team.delete",
  "mcp_server.create",
  "mcp_server.update",
  "mcp_server.delete",
  "mcp_credential.set",
  "mcp_credential.delete",
  "price_list.update",
  "secrets.rotate",
  "settings.load",
  "settings.change",
  "settings.reload",
  "sign_in",
];

export function Audit() {
  const [params, setParams] = useSearchParams();
  const pages = useKeysetPages(params, setParams);
  const filter = pages.only("action");
  const action = filter.value;
  const { before } = pages;
  const page = useQuery({
    queryKey: ["audit", action, before],
    queryFn: () => api<AuditPage>(`/admin/v1/audit${query({ action: action || undefined, before, limit: 50 })}`),
    placeholderData: keepPreviousData,
  });
  return (
    <>
      <PageHead title="Audit log" />
      <PickFilter form="Filter the audit log" label="Action" none="any" values={ACTIONS} {...filter} />
      <QueryState query={page} what="the audit log (GET /admin/v1/audit)" />
      {page.data && (
        <>
          <DataTable
            label="Audit log, newest first"
            columns={["Time", "Who", narrow("From"), "Action", "Target", "What changed"]}
            empty={page.data.rows.length === 0 && "No changes recorded."}
          >
            {page.data.rows.map((r) => (
              <tr key={r.id}>
                <td title={when(r.time)}>{whenShort(r.time)}</td>
                <td>{r.actor}</td>
                <td className="hide-narrow">
                  {r.source}
                  {r.address && <span className="muted small"> {r.address}</span>}
                </td>
                <td>
                  <code className="small">{r.action}</code>
                  {r.outcome !== "ok" && <span className="muted small"> ({r.outcome})</span>}
                </td>
                <td>{r.target_name ?? r.target_id ?? "—"}</td>
                <td className="small">
                  {changes(r).map((c) => (
                    <div key={c.field}>
                      <strong>{c.field}</strong>: {c.before} → {c.after}
                    </div>
                  ))}
                </td>
              </tr>
            ))}
          </DataTable>
          <Pager label="Pages of the audit log" pages={pages} next={page.data.next_before} />
        </>
      )}
    </>
  );
}

export const page: Page = {
  path: "/audit",
  order: 100,
  title: "Audit",
  roles: "admins",
  component: Audit,
};
