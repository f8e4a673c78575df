import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { Link, useNavigate, useSearchParams } from "react-router";
import { DataTable, narrow, num } from "../components/data-table";
import { ErrorNotice } from "../components/notice";
import { KeyFilter, TeamFilter } from "../components/owner-filters";
import { PageHead } from "../components/page";
import { Pager, useKeysetPages } from "../components/pager";

import { StatusBadge } from "../components/status";
import { api, query } from "../lib/api";
import { count, ms, usd, when, whenShort } from "../lib/format";
import type { Page } from "../lib/pages";
import { useScope } from "../lib/session";
import type { KeyList, RequestPage, TeamList } from "../lib/types";

/** Routing's error classes and the gateway's own; the filter takes any other word too. */
export const ERROR_CLASSES = [
  "rate_limited",
  "overloaded",
  "server",
  "timeout",
  "connection",
  "context_window",
  "content_filter",
  "auth",
  "bad_request",
  "budget",
  "rate_limit_local",
];

/** The kinds of call the filter offers, stored name → what the log calls it. */
export const KINDS: Record<string, string> = {
  generate: "chat",
  completions: "autocomplete",
  embeddings: "embedding",
  rerank: "rerank",
};

/** A row's kind as the log shows it (model lists, stored responses… by their own name). */
export const kindLabel = (kind: string | null) => (kind === null ? "—" : (KINDS[kind] ?? kind.replace(/_/g, " ")));

const FILTERS = [
  "key_id",
  "team_id",
  "model",
  "kind",
  "calls",
  "path",
  "status",
  "outcome",
  "error_class",
  "mcp_server",
  "from",
  "to",
] as const;
type Filter = (typeof FILTERS)[number];

/** A datetime-local value (the reader's time) as ISO, and back. */
const toIso = (local: string) => (local ? new Date(local).toISOString() : "");
const toLocal = (iso: string | null) => {
  if (!iso) return "";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return "";
  return new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
};

export function Requests() {
  const scope = useScope();
  const navigate = useNavigate();
  const [params, setParams] = useSearchParams();
  const [live, setLive] = useState(false);
  const filters = Object.fromEntries(FILTERS.map((f) => [f, params.get(f) ?? ""])) as Record<Filter, string>;
  const pages = useKeysetPages(params, setParams);
  const { before } = pages;
  const admin = scope.role !== "key";

  const keys = useQuery({ queryKey: ["keys"], queryFn: () => api<KeyList>("/admin/v1/keys"), enabled: admin });
  const teams = useQuery({
    queryKey: ["teams"],
    queryFn: () => api<TeamList>("/admin/v1/teams"),
    enabled: admin,
  });
  const page = useQuery({
    queryKey: ["requests", scope.base, filters, before],
    queryFn: () => api<RequestPage>(`${scope.base}/requests${query({ ...filters, before, limit: 50 })}`),
    placeholderData: keepPreviousData,
    refetchInterval: live && !before ? 5000 : false,
  });
  const keyName = new Map((keys.data?.data ?? []).map((k) => [k.id, k.name]));

  function apply(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const next = new URLSearchParams();
    for (const f of FILTERS) {
      let v = String(form.get(f) ?? "").trim();
      if (f === "from" || f === "to") v = toIso(v);
      if (v) next.set(f, v);
    }
    pages.reset();
    setParams(next);
  }

  return (
    <>
      <PageHead title={admin ? "Requests" : "My requests"}>
        <label className="inline">
          <input type="checkbox" checked={live} onChange={(e) => setLive(e.target.checked)} /> Live
        </label>
      </PageHead>
      <form className="filters" onSubmit={apply} aria-label="Filter requests" key={params.toString()}>
        {admin && <KeyFilter keys={keys.data?.data} value={filters.key_id} />}
        {admin && <TeamFilter teams={teams.data?.data} value={filters.team_id} />}
        <label>
          Model
          <input name="model" defaultValue={filters.model} placeholder="alias or model" />
        </label>
        <label>
          Kind
          <select name="kind" defaultValue={filters.kind}>
            <option value="">any</option>
            {Object.entries(KINDS).map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </label>
        <label>
          Calls
          <select name="calls" defaultValue={filters.calls}>
            <option value="">all</option>
            <option value="model">model calls</option>
            <option value="other">other (model lists, stored responses…)</option>
          </select>
        </label>
        <label>
          Path
          <input name="path" defaultValue={filters.path} placeholder="/v1/models or /v1/*" />
        </label>
        <label>
          Status
          <select name="status" defaultValue={filters.status}>
            <option value="">any</option>
            <option value="2xx">2xx</option>
            <option value="4xx">4xx</option>
            <option value="5xx">5xx</option>
            {["400", "401", "403", "404", "408", "413", "429", "499", "500", "502", "503", "504"].map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <label>
          Outcome
          <select name="outcome" defaultValue={filters.outcome}>
            <option value="">any</option>
            <option value="ok">ok</option>
            <option value="error">error</option>
            <option value="aborted">aborted</option>
            <option value="refused">refused</option>
          </select>
        </label>
        <label>
          Error class
          <input name="error_class" defaultValue={filters.error_class} list="error-classes" placeholder="any" />
          <datalist id="error-classes">
            {ERROR_CLASSES.map((c) => (
              <option key={c} value={c} />
            ))}
          </datalist>
        </label>
        <label>
          From
          <input name="from" type="datetime-local" defaultValue={toLocal(filters.from)} />
        </label>
        <label>
          To
          <input name="to" type="datetime-local" defaultValue={toLocal(filters.to)} />
        </label>
        <div className="filter-actions">
          <button type="submit" className="primary">
            Apply
          </button>
          <button
            type="button"
            onClick={() => {
              pages.reset();
              setParams(new URLSearchParams());
            }}
          >
            Clear
          </button>
        </div>
      </form>
      {page.isError && <ErrorNotice error={page.error} what="the request log (GET /admin/v1/requests)" />}
      {page.isPending && <p className="loading">Loading…</p>}
      {page.data && (
        <>
          <DataTable
            label="Requests, newest first"
            className="requests"
            busy={page.isFetching}
            columns={[
              "Time",
              "Status",
              admin && "Key",
              "Kind",
              narrow("Call"),
              "Model",
              narrow("Client"),
              num("Latency"),
              num("TTFT", true),
              num("Tokens in / out", true),
              num("Cost"),
            ]}
            empty={page.data.rows.length === 0 && "No requests match."}
          >
            {page.data.rows.map((r) => (
              <tr
                key={r.id}
                className="clickable"
                onClick={(e) => {
                  if ((e.target as HTMLElement).closest("a")) return;
                  navigate(`/requests/${encodeURIComponent(r.id)}`);
                }}
              >
                <td>
                  <Link to={`/requests/${encodeURIComponent(r.id)}`} title={when(r.time)}>
                    {whenShort(r.time)}
                  </Link>
                </td>
                <td>
                  <StatusBadge row={r} />
                </td>
                {admin && <td>{r.key_name ?? (r.key_id ? (keyName.get(r.key_id) ?? r.key_id) : "—")}</td>}
                <td className="kind">{kindLabel(r.kind)}</td>
                <td className="hide-narrow">
                  <code className="small">
                    {r.method} {r.path}
                  </code>
                </td>
                <td>
                  <span className="model">{r.alias ?? r.requested_model ?? "—"}</span>
                  {r.model && r.model !== (r.alias ?? r.requested_model) && (
                    <span className="muted small"> → {r.model}</span>
                  )}
                </td>
                <td className="hide-narrow">{r.client_tool ?? r.client_dialect ?? "—"}</td>
                <td className="num">{ms(r.latency_ms)}</td>
                <td className="num hide-narrow">{ms(r.ttft_ms)}</td>
                <td className="num hide-narrow">
                  {count(r.input_tokens)} / {count(r.output_tokens)}
                </td>
                <td className="num">{usd(r.cost_usd)}</td>
              </tr>
            ))}
          </DataTable>
          <Pager label="Pages of requests" pages={pages} next={page.data.next_before} />
        </>
      )}
    </>
  );
}

export const page: Page = {
  path: "/requests",
  order: 20,
  title: (v) => (v.own ? "My requests" : "Requests"),
  roles: "everyone",
  component: Requests,
};
