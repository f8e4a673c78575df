import { keepPreviousData, useQuery } from "@tanstack/react-query";
import type { FormEvent } from "react";
import { Link, useNavigate, useSearchParams } from "react-router";
import { DataTable, narrow, num } from "../components/data-table";
import { ErrorNotice } from "../components/notice";
import { KeyFilter, TeamFilter } from "../components/owner-filters";
import { PageHead } from "../components/page";
import { UsageCells, usageColumns } from "../components/usage-cells";
import { api, query } from "../lib/api";
import { count, duration, usd, when, whenShort } from "../lib/format";
import type { Page } from "../lib/pages";
import { useScope } from "../lib/session";
import type { KeyList, SessionList, TeamList } from "../lib/types";

/** The tools whose sessions llmux recognises (docs/sessions.md); the filter takes any other name too. */
const TOOLS = ["claude-code", "codex", "opencode", "gemini-cli", "copilot", "cursor"];
const FILTERS = ["key_id", "team_id", "user", "tool", "from", "to", "sort"] as const;
type Filter = (typeof FILTERS)[number];

/** A date input's value (the reader's day) as the ISO start of that day, and the day after it for `to`. */
const dayStart = (d: string) => (d ? new Date(`${d}T00:00:00`).toISOString() : undefined);
const dayEnd = (d: string) => (d ? new Date(Date.parse(`${d}T00:00:00`) + 86_400_000).toISOString() : undefined);

const LIMIT = 200;
const SESSION_USAGE = usageColumns(["requests", "errors", "cache_hit", "cost"], ["errors", "cache_hit"]);

export const sessionPath = (id: string) => `/sessions/${encodeURIComponent(id)}`;

export function Sessions() {
  const scope = useScope();
  const navigate = useNavigate();
  const [params, setParams] = useSearchParams();
  const admin = scope.role !== "key";
  const f = Object.fromEntries(FILTERS.map((k) => [k, params.get(k) ?? ""])) as Record<Filter, string>;
  const sort = f.sort === "recent" ? "recent" : "cost";
  const keys = useQuery({ queryKey: ["keys"], queryFn: () => api<KeyList>("/admin/v1/keys"), enabled: admin });
  const teams = useQuery({ queryKey: ["teams"], queryFn: () => api<TeamList>("/admin/v1/teams"), enabled: admin });
  const list = useQuery({
    queryKey: ["sessions", scope.base, f],
    queryFn: () =>
      api<SessionList>(
        `${scope.base}/sessions${query({
          key_id: admin ? f.key_id : undefined,
          team_id: admin ? f.team_id : undefined,
          user: admin ? f.user : undefined,
          tool: f.tool,
          from: dayStart(f.from),
          to: dayEnd(f.to),
          sort,
          limit: LIMIT,
        })}`,
      ),
    placeholderData: keepPreviousData,
  });
  const teamName = new Map((teams.data?.data ?? []).map((t) => [t.id, t.name]));
  const rows = list.data?.rows ?? [];
  const total = rows.reduce((t, r) => t + r.cost_nanos, 0) / 1e9;

  function apply(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const next = new URLSearchParams();
    for (const k of FILTERS) {
      const v = String(form.get(k) ?? "").trim();
      if (v) next.set(k, v);
    }
    setParams(next);
  }

  return (
    <>
      <PageHead title={admin ? "Sessions" : "My sessions"} />
      <form className="filters" onSubmit={apply} aria-label="Filter sessions" key={params.toString()}>
        {admin && <KeyFilter keys={keys.data?.data} value={f.key_id} />}
        {admin && <TeamFilter teams={teams.data?.data} value={f.team_id} />}
        {admin && (
          <label>
            User
            <input name="user" defaultValue={f.user} placeholder="any" />
          </label>
        )}
        <label>
          Tool
          <input name="tool" defaultValue={f.tool} list="session-tools" placeholder="any" />
          <datalist id="session-tools">
            {TOOLS.map((t) => (
              <option key={t} value={t} />
            ))}
          </datalist>
        </label>
        <label>
          From
          <input name="from" type="date" defaultValue={f.from} />
        </label>
        <label>
          To
          <input name="to" type="date" defaultValue={f.to} />
        </label>
        <label>
          Sort
          <select name="sort" defaultValue={sort}>
            <option value="cost">most expensive first</option>
            <option value="recent">most recent first</option>
          </select>
        </label>
        <div className="filter-actions">
          <button type="submit" className="primary">
            Apply
          </button>
          <button type="button" onClick={() => setParams(new URLSearchParams())}>
            Clear
          </button>
        </div>
      </form>
      <p className="muted small">
        {f.from ? "" : "The last 7 days, unless a period is chosen. "}
        {rows.length === LIMIT && `The first ${LIMIT} sessions in this order; narrow the filters for the rest.`}
      </p>
      {list.isError && <ErrorNotice error={list.error} what="sessions (GET /admin/v1/sessions)" />}
      {list.isPending && <p className="loading">Loading…</p>}
      {list.data && (
        <DataTable
          label="Sessions"
          busy={list.isFetching}
          columns={[
            "Session",
            "Tool",
            admin && "Key",
            admin && narrow("Team / user"),
            "Started",
            num("Duration", true),
            ...SESSION_USAGE,
          ]}
          empty={
            rows.length === 0 && (
              <>
                No sessions in this period. Requests name their session through the tools' own headers or
                <code> llmux-session</code>.
              </>
            )
          }
          foot={
            rows.length > 1 && (
              <tr>
                <th scope="row" colSpan={admin ? 9 : 7}>
                  {count(rows.length)} sessions
                </th>
                <td className="num">{usd(total)}</td>
              </tr>
            )
          }
        >
          {rows.map((s) => (
            <tr
              key={s.id}
              className="clickable"
              onClick={(e) => {
                if (!(e.target as HTMLElement).closest("a")) navigate(sessionPath(s.id));
              }}
            >
              <th scope="row">
                <Link to={sessionPath(s.id)} className="session-id" title={s.id}>
                  {s.id}
                </Link>
              </th>
              <td>{s.tool ?? "—"}</td>
              {admin && <td>{s.key_name ?? s.key_id ?? "—"}</td>}
              {admin && (
                <td className="hide-narrow">
                  {[s.team_id ? (teamName.get(s.team_id) ?? s.team_id) : null, s.user].filter(Boolean).join(" · ") ||
                    "—"}
                </td>
              )}
              <td title={when(s.started_at)}>{whenShort(s.started_at)}</td>
              <td className="num hide-narrow">{duration(s.duration_ms)}</td>
              <UsageCells columns={SESSION_USAGE} usage={s} />
            </tr>
          ))}
        </DataTable>
      )}
    </>
  );
}

export const page: Page = {
  path: "/sessions",
  order: 30,
  title: (v) => (v.own ? "My sessions" : "Sessions"),
  roles: "everyone",
  component: Sessions,
};
