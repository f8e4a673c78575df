import { keepPreviousData, useQuery } from "@tanstack/react-query";
import type { FormEvent } from "react";
import { Link, useNavigate, useSearchParams } from "react-router";
import { DataTable, narrow, num } from "../components/data-table";
import { FilterActions, SelectField, Suggestions } from "../components/fields";
import { QueryState } from "../components/notice";
import { KeyFilter, TeamFilter } from "../components/owner-filters";
import { PageHead } from "../components/page";
import { UsageCells, usageColumns } from "../components/usage-cells";
import { api, query } from "../lib/api";
import { filtersFrom, filtersOf } from "../lib/filters";
import { count, duration, usd, when, whenShort } from "../lib/format";
import { namesById, useKeys, useTeams } from "../lib/owners";
import type { Page } from "../lib/pages";
import { useScope } from "../lib/session";
import type { SessionList } from "../lib/types";

/** The tools whose sessions llmux recognises (docs/sessions.md); the filter takes any other name too. */
const TOOLS = ["claude-code", "codex", "opencode", "gemini-cli", "copilot", "cursor"];
const FILTERS = ["key_id", "team_id", "user", "tool", "from", "to", "sort"] as const;

/** A date input's value (the reader's day) as the ISO start of that day, and the day after it for `to`. */
const dayStart = (d: string) => (d ? new Date(`${d}T00:00:00`).toISOString() : undefined);
const dayEnd = (d: string) => (d ? new Date(Date.parse(`${d}T00:00:00`) + 86_400_000).toISOString() : undefined);

const SORTS = [
  ["cost", "most expensive first"],
  ["recent", "most recent first"],
] as const;
const LIMIT = 200;
const SESSION_USAGE = usageColumns(["requests", "errors", "cache_hit", "cost"], ["errors", "cache_hit"]);

export const sessionPath = (id: string) => `/sessions/${encodeURIComponent(id)}`;

export function Sessions() {
  const scope = useScope();
  const navigate = useNavigate();
  const [params, setParams] = useSearchParams();
  const admin = scope.role !== "key";
  const f = filtersOf(FILTERS, params);
  const sort = f.sort === "recent" ? "recent" : "cost";
  const keys = useKeys(admin);
  const teams = useTeams(admin);
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
  const teamName = namesById(teams.data);
  const rows = list.data?.rows ?? [];
  const total = rows.reduce((t, r) => t + r.cost_nanos, 0) / 1e9;

  function apply(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    setParams(filtersFrom(e.currentTarget, FILTERS));
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
          <Suggestions id="session-tools" values={TOOLS} />
        </label>
        <label>
          From
          <input name="from" type="date" defaultValue={f.from} />
        </label>
        <label>
          To
          <input name="to" type="date" defaultValue={f.to} />
        </label>
        <SelectField label="Sort" name="sort" defaultValue={sort} values={SORTS} />
        <FilterActions onClear={() => setParams(new URLSearchParams())} />
      </form>
      <p className="muted small">
        {f.from ? "" : "The last 7 days, unless a period is chosen. "}
        {rows.length === LIMIT && `The first ${LIMIT} sessions in this order; narrow the filters for the rest.`}
      </p>
      <QueryState query={list} what="sessions (GET /admin/v1/sessions)" />
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
