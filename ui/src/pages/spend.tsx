import { useQuery } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { useSearchParams } from "react-router";
import { Chart } from "../components/charts";
import { DataTable } from "../components/data-table";
import { ErrorNotice, Notice } from "../components/notice";
import { PageHead } from "../components/page";
import { type Usage, UsageCells, usageColumns } from "../components/usage-cells";
import { api, query } from "../lib/api";
import { toCsv } from "../lib/csv";
import { usd } from "../lib/format";
import type { Page } from "../lib/pages";
import { useScope } from "../lib/session";
import type { SpendAnswer, SpendGroup, SpendRow } from "../lib/types";

type Fixed = Exclude<SpendGroup, `tag:${string}`>;
const GROUPS: Record<Fixed | "tag", string> = {
  key: "Key",
  team: "Team",
  user: "User",
  model: "Model",
  day: "Day",
  kind: "Kind",
  tag: "Tag",
};
/** A tag key as the API takes it (src/text/tag.ts). */
const TAG_KEY = /^[A-Za-z0-9_.:/-]{1,64}$/;
const DEFAULT_TAG = "project";
/** The words for a grouping: "model", "tag project". */
const groupWords = (by: SpendGroup) =>
  by.startsWith("tag:") ? `tag ${by.slice(4)}` : GROUPS[by as Fixed].toLowerCase();
const COLUMNS = [
  "requests",
  "refused",
  "input_tokens",
  "output_tokens",
  "cache_read_tokens",
  "cache_write_tokens",
  "reasoning_tokens",
  "cost_usd",
] as const;

const SPEND_USAGE = usageColumns(
  ["requests", "refused", "input", "output", "cache_read", "cache_write", "reasoning", "cost"],
  ["cache_read", "cache_write", "reasoning"],
);
/** A spend row's (or the total's) figures under the usage columns' names. */
const spendUsage = (r: Record<(typeof COLUMNS)[number], number>): Usage => ({
  requests: r.requests,
  refused: r.refused,
  input: r.input_tokens,
  output: r.output_tokens,
  cache_read: r.cache_read_tokens,
  cache_write: r.cache_write_tokens,
  reasoning: r.reasoning_tokens,
  cost_usd: r.cost_usd,
});

const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);

/** The rows as CSV (src/lib/csv.ts: quoted where needed, no cell read as a formula). */
function spendCsv(by: SpendGroup, rows: (SpendRow & { name: string })[]): string {
  const models = by === "model";
  return toCsv(
    [by, "name", ...(models ? ["alias", "upstream_model"] : []), ...COLUMNS],
    rows.map((r) => [
      r.group,
      r.name,
      ...(models ? [r.alias ?? null, r.upstream_model ?? null] : []),
      ...COLUMNS.map((c) => r[c] ?? null),
    ]),
  );
}

export function Spend() {
  const scope = useScope();
  const [params, setParams] = useSearchParams();
  const mine = scope.role === "key";
  const groups = (Object.keys(GROUPS) as (Fixed | "tag")[]).filter(
    (g) => !mine || g === "model" || g === "day" || g === "kind" || g === "tag",
  );
  const by = (params.get("group_by") as SpendGroup | null) ?? (mine ? "model" : "key");
  const tagKey = by.startsWith("tag:") ? by.slice(4) : undefined;
  const from = params.get("from") ?? day(-29);
  const to = params.get("to") ?? day(0);
  const toExclusive = new Date(Date.parse(to) + 86_400_000).toISOString();
  const spend = useQuery({
    queryKey: ["spend", scope.base, by, from, to],
    queryFn: () =>
      api<SpendAnswer>(
        `${scope.base}/spend${query({ group_by: by, from: new Date(from).toISOString(), to: toExclusive })}`,
      ),
  });
  // Keys and teams are named by the report itself (a revoked key keeps its name).
  const rows = (spend.data?.rows ?? [])
    .map((r) => ({ ...r, name: r.group === null ? (tagKey ? "(untagged)" : "(none)") : (r.name ?? r.group) }))
    .sort((a, b) => (by === "day" ? (a.group ?? "").localeCompare(b.group ?? "") : b.cost_usd - a.cost_usd));
  const total = rows.reduce(
    (t, r) => {
      for (const c of COLUMNS) t[c] += r[c];
      return t;
    },
    Object.fromEntries(COLUMNS.map((c) => [c, 0])) as Record<(typeof COLUMNS)[number], number>,
  );
  const set = (k: string, v: string) => {
    const next = new URLSearchParams(params);
    next.set(k, v);
    setParams(next);
  };
  function exportCsv() {
    const href = URL.createObjectURL(new Blob([spendCsv(by, rows)], { type: "text/csv;charset=utf-8" }));
    const a = document.createElement("a");
    a.href = href;
    a.download = `llmux-spend-by-${by.replace(/[^A-Za-z0-9_.-]/g, "-")}-${from}-${to}.csv`;
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(href), 10_000);
  }

  return (
    <>
      <PageHead title={mine ? "My spend" : "Spend"}>
        <button type="button" onClick={exportCsv} disabled={rows.length === 0}>
          Export CSV
        </button>
      </PageHead>
      <form className="filters" aria-label="Spend report" onSubmit={(e) => e.preventDefault()}>
        <label>
          Group by
          <select
            value={tagKey === undefined ? by : "tag"}
            onChange={(e) => set("group_by", e.target.value === "tag" ? `tag:${DEFAULT_TAG}` : e.target.value)}
          >
            {groups.map((g) => (
              <option key={g} value={g}>
                {GROUPS[g]}
              </option>
            ))}
          </select>
        </label>
        {tagKey !== undefined && <TagKeyField value={tagKey} onChange={(k) => set("group_by", `tag:${k}`)} />}
        <label>
          From
          <input type="date" value={from} onChange={(e) => e.target.value && set("from", e.target.value)} />
        </label>
        <label>
          To
          <input type="date" value={to} onChange={(e) => e.target.value && set("to", e.target.value)} />
        </label>
      </form>
      {spend.isError && <ErrorNotice error={spend.error} what="spend" />}
      {spend.data?.no_price && spend.data.no_price.length > 0 && (
        <Notice kind="warning" title="Models without a price">
          {spend.data.no_price.map((m) => `${m.model} (${m.requests} requests)`).join(", ")} were counted as $0: add
          them under <code>prices</code>.
        </Notice>
      )}
      {spend.data && (
        <>
          {rows.length > 0 && (
            <Chart
              id="spend-groups"
              title={`Spend by ${groupWords(by)}`}
              kind="bar"
              data={rows.slice(0, 40).map((r) => ({ label: r.name, cost_usd: r.cost_usd }))}
              series={[{ key: "cost_usd", label: "USD" }]}
              format={usd}
              unit={by === "day" ? "days" : "groups"}
            />
          )}
          <DataTable
            label={`Spend by ${groupWords(by)}`}
            columns={[
              {
                label: by === "model" ? "Model asked for" : tagKey ? `Tag ${tagKey}` : GROUPS[by as Fixed],
                key: "group",
              },
              by === "model" && "Alias or pattern",
              by === "model" && "Upstream model",
              ...SPEND_USAGE,
            ]}
            empty={rows.length === 0 && "No spend in this period."}
            foot={
              rows.length > 1 && (
                <tr>
                  <th scope="row" colSpan={by === "model" ? 3 : 1}>
                    Total
                  </th>
                  <UsageCells columns={SPEND_USAGE} usage={spendUsage(total)} />
                </tr>
              )
            }
          >
            {rows.map((r) => (
              <tr key={`${r.group ?? "(none)"} ${r.alias ?? ""} ${r.upstream_model ?? ""}`}>
                <th scope="row">{r.name}</th>
                {by === "model" && <td>{r.alias ?? "—"}</td>}
                {by === "model" && <td>{r.upstream_model ?? "—"}</td>}
                <UsageCells columns={SPEND_USAGE} usage={spendUsage(r)} />
              </tr>
            ))}
          </DataTable>
        </>
      )}
    </>
  );
}

/** The tag key to group by, applied when it is a valid key (as typed: Enter or leaving the field). */
function TagKeyField({ value, onChange }: { value: string; onChange: (key: string) => void }) {
  const [draft, setDraft] = useState(value);
  useEffect(() => setDraft(value), [value]);
  const valid = TAG_KEY.test(draft);
  const apply = () => valid && draft !== value && onChange(draft);
  return (
    <label>
      Tag key
      <input
        value={draft}
        list="spend-tag-keys"
        aria-invalid={!valid}
        title={valid ? undefined : "letters, digits and _ . : / - (at most 64)"}
        onChange={(e) => setDraft(e.target.value.trim())}
        onBlur={apply}
        onKeyDown={(e) => {
          if (e.key === "Enter") apply();
        }}
      />
      <datalist id="spend-tag-keys">
        {["project", "cost-center", "env", "team"].map((k) => (
          <option key={k} value={k} />
        ))}
      </datalist>
    </label>
  );
}

export const page: Page = {
  path: "/spend",
  order: 60,
  title: (v) => (v.own ? "My spend" : "Spend"),
  roles: "everyone",
  component: Spend,
};
