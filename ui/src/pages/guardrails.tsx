import { useQuery } from "@tanstack/react-query";
import { useSearchParams } from "react-router";
import { DataTable, num } from "../components/data-table";
import { ErrorNotice } from "../components/notice";
import { PageHead } from "../components/page";
import { api, query } from "../lib/api";
import { count, when } from "../lib/format";
import type { Page } from "../lib/pages";
import type { GuardrailsView, KeyList, TeamList } from "../lib/types";

const DAY = 86_400_000;
/** The windows the hits are counted over (the API takes at most 90 days). */
const RANGES = { "24h": 1, "7d": 7, "30d": 30, "90d": 89 } as const;
type Range = keyof typeof RANGES;

type Counts = GuardrailsView["by_rule"][number];

const COLUMNS = [
  num("Requests"),
  num("Blocked"),
  num("Masked"),
  num("Warned"),
  num("Dry run: would block"),
  num("would mask"),
  num("would warn"),
];

function Figures({ c }: { c: Omit<Counts, "rule"> }) {
  return (
    <>
      <td className="num">{count(c.requests)}</td>
      <td className="num">{count(c.block)}</td>
      <td className="num">{count(c.mask)}</td>
      <td className="num">{count(c.warn)}</td>
      <td className="num">{count(c.would_block)}</td>
      <td className="num">{count(c.would_mask)}</td>
      <td className="num">{count(c.would_warn)}</td>
    </>
  );
}

function Policy({ v }: { v: GuardrailsView }) {
  const p = v.policy;
  const overrides = [
    ...Object.entries(p.teams).map(([id, o]) => [`team ${id}`, o] as const),
    ...Object.entries(p.keys).map(([id, o]) => [`key ${id}`, o] as const),
  ];
  return (
    <section aria-label="Policy">
      <p>
        {v.enabled ? "On" : "Off (guardrails.enabled)"}
        {p.dry_run && " · dry run: findings are recorded, nothing is blocked or masked"}
        {" · "}
        {Object.entries(p.actions).map(([g, a], i) => (
          <span key={g}>
            {i > 0 && ", "}
            <code className="small">{g}</code>: <span data-group={g}>{a}</span>
            {((g === "pii" && !p.pii) || (g === "entropy" && !p.entropy)) && (
              <span className="muted small"> (detectors off)</span>
            )}
          </span>
        ))}
        {p.custom_rules.length > 0 && ` · custom rules: ${p.custom_rules.join(", ")}`}
      </p>
      {overrides.length > 0 && (
        <ul className="plain small">
          {overrides.map(([who, o]) => (
            <li key={who}>
              {who}:{" "}
              {Object.entries(o.actions ?? {})
                .map(([g, a]) => `${g} ${a}`)
                .join(", ")}
              {o.dry_run !== undefined && ` dry run ${o.dry_run ? "on" : "off"}`}
            </li>
          ))}
        </ul>
      )}
      <p className="muted small">
        The policy is the configuration file's (<code>guardrails:</code>); the counts are the request log's.
      </p>
    </section>
  );
}

/** The guardrails' policy and their hits by rule, key and team, with dry runs' results (`GET /admin/v1/guardrails`). */
export function Guardrails() {
  const [params, setParams] = useSearchParams();
  const range = (params.get("range") ?? "7d") as Range;
  const days = RANGES[range] ?? 7;
  const since = new Date(Math.floor((Date.now() - days * DAY) / 60_000) * 60_000).toISOString();
  const view = useQuery({
    queryKey: ["guardrails", range],
    queryFn: () => api<GuardrailsView>(`/admin/v1/guardrails${query({ since })}`),
    refetchInterval: 30_000,
  });
  const keys = useQuery({ queryKey: ["keys"], queryFn: () => api<KeyList>("/admin/v1/keys") });
  const teams = useQuery({ queryKey: ["teams"], queryFn: () => api<TeamList>("/admin/v1/teams") });
  const teamName = new Map((teams.data?.data ?? []).map((t) => [t.id, t.name]));
  const keyName = new Map((keys.data?.data ?? []).map((k) => [k.id, k.name]));
  const v = view.data;
  return (
    <>
      <PageHead title="Guardrails" />
      <form className="filters" aria-label="Window" onSubmit={(e) => e.preventDefault()}>
        <label>
          Since
          <select value={range} onChange={(e) => setParams({ range: e.target.value })}>
            {Object.keys(RANGES).map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </select>
        </label>
      </form>
      {view.isError && <ErrorNotice error={view.error} what="the guardrails (GET /admin/v1/guardrails)" />}
      {view.isPending && <p className="loading">Loading…</p>}
      {v && (
        <>
          <Policy v={v} />
          <p className="muted small">
            {count(v.rows)} requests with findings since {when(v.since)}
            {v.truncated && " (the newest counted only)"}. Never a value: rules and places only.
          </p>
          <h2>By rule</h2>
          <DataTable
            label="Hits by rule"
            columns={["Rule", ...COLUMNS]}
            empty={v.by_rule.length === 0 && "No findings in this window."}
          >
            {v.by_rule.map((r) => (
              <tr key={r.rule} data-rule={r.rule}>
                <td>
                  <code className="small">{r.rule}</code>
                </td>
                <Figures c={r} />
              </tr>
            ))}
          </DataTable>
          <h2>By key</h2>
          <DataTable label="Hits by key" columns={["Key", ...COLUMNS]} empty={v.by_key.length === 0 && "No findings."}>
            {v.by_key.map((k) => (
              <tr key={k.key_id ?? k.key_name ?? "none"} data-key={k.key_id ?? k.key_name ?? ""}>
                <td title={k.key_id ?? undefined}>
                  {(k.key_id && keyName.get(k.key_id)) ?? k.key_name ?? k.key_id ?? "no key"}
                </td>
                <Figures c={k} />
              </tr>
            ))}
          </DataTable>
          <h2>By team</h2>
          <DataTable
            label="Hits by team"
            columns={["Team", ...COLUMNS]}
            empty={v.by_team.length === 0 && "No findings."}
          >
            {v.by_team.map((t) => (
              <tr key={t.team_id ?? "none"} data-team={t.team_id ?? ""}>
                <td title={t.team_id ?? undefined}>{t.team_id ? (teamName.get(t.team_id) ?? t.team_id) : "no team"}</td>
                <Figures c={t} />
              </tr>
            ))}
          </DataTable>
        </>
      )}
    </>
  );
}

export const page: Page = {
  path: "/guardrails",
  order: 95,
  title: "Guardrails",
  roles: "whole",
  component: Guardrails,
};
