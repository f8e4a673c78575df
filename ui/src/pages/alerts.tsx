import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useSearchParams } from "react-router";
import { DataTable } from "../components/data-table";
import { PickFilter } from "../components/fields";
import { QueryState } from "../components/notice";
import { PageHead } from "../components/page";
import { Pager, useKeysetPages } from "../components/pager";
import { api, query } from "../lib/api";
import { when, whenShort } from "../lib/format";
import { useKeys, useTeams } from "../lib/owners";
import type { Page } from "../lib/pages";
import type { AlertList, AlertRow } from "../lib/types";

/** The rules of `alerts.rules[].on` (docs/config.md#alerts). */
const RULES = [
  "budget_share",
  "budget_blocked",
  "deployment_down",
  "alias_down",
  "error_rate",
  "cache_hit_rate",
  "guardrail_hit",
  "daily_report",
  "weekly_report",
];

const PAGE = 100;
const STATE_KIND = { sent: "ok", sending: "warn", partial: "warn", failed: "bad" } as const;

function Deliveries({ a }: { a: AlertRow }) {
  if (a.deliveries.length === 0) return <span className="muted">none</span>;
  return (
    <ul className="plain">
      {a.deliveries.map((d) => (
        <li key={d.destination}>
          {d.destination}: <span className={`badge status-${STATE_KIND[d.state]}`}>{d.state}</span>{" "}
          <span className="muted small">
            {d.attempts} {d.attempts === 1 ? "attempt" : "attempts"}
            {d.attempts > 1 && ` (${d.attempts - 1} ${d.attempts === 2 ? "retry" : "retries"})`}
            {d.status !== undefined && ` · last answer ${d.status === 0 ? "none" : d.status}`}
          </span>
        </li>
      ))}
    </ul>
  );
}

/** The alerts pushed lately (`GET /admin/v1/alerts`), newest first, and how each destination took them. */
export function Alerts() {
  const [params, setParams] = useSearchParams();
  const pages = useKeysetPages(params, setParams);
  const filter = pages.only("rule");
  const rule = filter.value;
  const { before } = pages;
  const list = useQuery({
    queryKey: ["alerts", rule, before],
    queryFn: () => api<AlertList>(`/admin/v1/alerts${query({ rule, before, limit: PAGE })}`),
    placeholderData: keepPreviousData,
    refetchInterval: before ? false : 15_000,
  });
  const keys = useKeys();
  const teams = useTeams();
  // A key's or team's alert names it by id: shown by its name, the id on hover.
  const names = new Map<string, string>([
    ...(keys.data?.data ?? []).map((k) => [`key ${k.id}`, k.name] as [string, string]),
    ...(teams.data?.data ?? []).map((t) => [`team ${t.id}`, t.name] as [string, string]),
  ]);
  const rows = list.data?.data ?? [];
  return (
    <>
      <PageHead title="Alerts" />
      <p className="muted small">Newest first, from every instance; the page refreshes itself.</p>
      <PickFilter form="Filter alerts" label="Rule" none="any" values={RULES} {...filter} />
      <QueryState query={list} what="alerts (GET /admin/v1/alerts)" />
      {list.data && (
        <>
          <DataTable
            label="Alerts, newest first"
            busy={list.isFetching}
            columns={["Time", "Rule", "Subject", "Message", "State", "Destinations"]}
            empty={
              rows.length === 0 && (
                <>
                  No alerts{rule ? ` for ${rule}` : ""}. Rules and destinations are set under <code>alerts:</code> in
                  the configuration.
                </>
              )
            }
          >
            {rows.map((a) => (
              <tr key={a.id} data-rule={a.rule}>
                <td title={`${when(a.at)} (window ${a.window})`} className="nowrap">
                  {whenShort(a.at)}
                </td>
                <td>
                  <code className="small">{a.rule}</code>
                </td>
                <td title={a.subject}>
                  <span className="muted small">{a.scope}</span> {names.get(`${a.scope} ${a.subject}`) ?? a.subject}
                </td>
                <td>{a.message}</td>
                <td>
                  <span className={`badge status-${STATE_KIND[a.state]}`}>{a.state}</span>
                </td>
                <td>
                  <Deliveries a={a} />
                </td>
              </tr>
            ))}
          </DataTable>
          <Pager label="Pages of alerts" pages={pages} next={rows.length === PAGE ? rows.at(-1)?.at : null} />
        </>
      )}
    </>
  );
}

export const page: Page = {
  path: "/alerts",
  order: 90,
  title: "Alerts",
  roles: "whole",
  component: Alerts,
};
