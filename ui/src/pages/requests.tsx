import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { Link, useNavigate, useSearchParams } from "react-router";
import { DataTable, narrow, num } from "../components/data-table";
import { FilterActions, SelectField, Suggestions } from "../components/fields";
import { QueryState } from "../components/notice";
import { KeyFilter, TeamFilter } from "../components/owner-filters";
import { PageHead } from "../components/page";
import { Pager, useKeysetPages } from "../components/pager";
import { StatusBadge } from "../components/status";
import { api, query } from "../lib/api";
import { filtersFrom, filtersOf, isoOfLocal, localOfIso } from "../lib/filters";
import { count, ms, usd, when, whenShort } from "../lib/format";
import { namesById, useKeys, useTeams } from "../lib/owners";
import type { Page } from "../lib/pages";
import { useScope } from "../lib/session";
import type { RequestPage } from "../lib/types";

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

/** Which calls: those to a model, or the others. */
const CALLS = [
  ["model", "model calls"],
  ["other", "other (model lists, stored responses…)"],
] as const;
const OUTCOMES = ["ok", "error", "aborted", "refused"];
/** The status filter's choices: a class, or one status. */
const STATUSES = [
  "2xx",
  "4xx",
  "5xx",
  "400",
  "401",
  "403",
  "404",
  "408",
  "413",
  "429",
  "499",
  "500",
  "502",
  "503",
  "504",
];

export function Requests() {
  const scope = useScope();
  const navigate = useNavigate();
  const [params, setParams] = useSearchParams();
  const [live, setLive] = useState(false);
  const filters = filtersOf(FILTERS, params);
  const pages = useKeysetPages(params, setParams);
  const { before } = pages;
  const admin = scope.role !== "key";

  const keys = useKeys(admin);
  const teams = useTeams(admin);
  const page = useQuery({
    queryKey: ["requests", scope.base, filters, before],
    queryFn: () => api<RequestPage>(`${scope.base}/requests${query({ ...filters, before, limit: 50 })}`),
    placeholderData: keepPreviousData,
    refetchInterval: live && !before ? 5000 : false,
  });
  const keyName = namesById(keys.data);

  function apply(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    pages.refilter(filtersFrom(e.currentTarget, FILTERS, (f, v) => (f === "from" || f === "to" ? isoOfLocal(v) : v)));
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
        <SelectField label="Kind" name="kind" defaultValue={filters.kind} none="any" values={Object.entries(KINDS)} />
        <SelectField label="Calls" name="calls" defaultValue={filters.calls} none="all" values={CALLS} />
        <label>
          Path
          <input name="path" defaultValue={filters.path} placeholder="/v1/models or /v1/*" />
        </label>
        <SelectField label="Status" name="status" defaultValue={filters.status} none="any" values={STATUSES} />
        <SelectField label="Outcome" name="outcome" defaultValue={filters.outcome} none="any" values={OUTCOMES} />
        <label>
          Error class
          <input name="error_class" defaultValue={filters.error_class} list="error-classes" placeholder="any" />
          <Suggestions id="error-classes" values={ERROR_CLASSES} />
        </label>
        <label>
          From
          <input name="from" type="datetime-local" defaultValue={localOfIso(filters.from)} />
        </label>
        <label>
          To
          <input name="to" type="datetime-local" defaultValue={localOfIso(filters.to)} />
        </label>
        <FilterActions onClear={() => pages.refilter({})} />
      </form>
      <QueryState query={page} what="the request log (GET /admin/v1/requests)" />
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
