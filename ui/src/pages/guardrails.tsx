import { useQuery } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { useSearchParams } from "react-router";
import { DataTable, num } from "../components/data-table";
import { PickFilter } from "../components/fields";
import { QueryState } from "../components/notice";
import { PageHead } from "../components/page";
import { api, query } from "../lib/api";
import { count, when } from "../lib/format";
import { namesById, useKeys, useTeams } from "../lib/owners";
import type { Page } from "../lib/pages";
import type { GuardrailsView } from "../lib/types";

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

/**
 * The hits by one thing (`by`: its column, and the row's attribute, data-rule…, holding its `id`): a row each, its
 * first cell (`first`), then the figures.
 */
function Hits<R extends Omit<Counts, "rule">>({
  by,
  rows,
  id,
  first,
  empty = "No findings.",
}: {
  by: "rule" | "key" | "team";
  rows: R[];
  id: (r: R) => string;
  first: (r: R) => ReactNode;
  empty?: string;
}) {
  const heading = by[0]!.toUpperCase() + by.slice(1);
  return (
    <DataTable label={`Hits by ${by}`} columns={[heading, ...COLUMNS]} empty={rows.length === 0 && empty}>
      {rows.map((r) => (
        <tr key={id(r) || "none"} {...{ [`data-${by}`]: id(r) }}>
          {first(r)}
          <Figures c={r} />
        </tr>
      ))}
    </DataTable>
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
  const teamName = namesById(useTeams().data);
  const keyName = namesById(useKeys().data);
  const v = view.data;
  return (
    <>
      <PageHead title="Guardrails" />
      <PickFilter
        form="Window"
        label="Since"
        values={Object.keys(RANGES)}
        value={range}
        onPick={(v) => setParams({ range: v })}
      />
      <QueryState query={view} what="the guardrails (GET /admin/v1/guardrails)" />
      {v && (
        <>
          <Policy v={v} />
          <p className="muted small">
            {count(v.rows)} requests with findings since {when(v.since)}
            {v.truncated && " (the newest counted only)"}. Never a value: rules and places only.
          </p>
          <h2>By rule</h2>
          <Hits
            by="rule"
            rows={v.by_rule}
            id={(r) => r.rule}
            first={(r) => (
              <td>
                <code className="small">{r.rule}</code>
              </td>
            )}
            empty="No findings in this window."
          />
          <h2>By key</h2>
          <Hits
            by="key"
            rows={v.by_key}
            id={(k) => k.key_id ?? k.key_name ?? ""}
            first={(k) => (
              <td title={k.key_id ?? undefined}>
                {(k.key_id && keyName.get(k.key_id)) ?? k.key_name ?? k.key_id ?? "no key"}
              </td>
            )}
          />
          <h2>By team</h2>
          <Hits
            by="team"
            rows={v.by_team}
            id={(t) => t.team_id ?? ""}
            first={(t) => (
              <td title={t.team_id ?? undefined}>{t.team_id ? (teamName.get(t.team_id) ?? t.team_id) : "no team"}</td>
            )}
          />
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
