import { useQuery } from "@tanstack/react-query";
import { Link, useSearchParams } from "react-router";
import { Chart } from "../components/charts";
import { DataTable, num } from "../components/data-table";
import { ErrorNotice } from "../components/notice";
import { Card, PageHead, Tile } from "../components/page";
import { RangePicker } from "../components/range-picker";
import { SpendBar } from "../components/spend-bar";
import { api, query } from "../lib/api";
import { count, ms, pct, short, usd, when } from "../lib/format";
import type { Page } from "../lib/pages";
import { useScope } from "../lib/session";
import { fill, points, RANGES, type Range, totals, windowOf } from "../lib/stats";
import type { MyKey, Stats } from "../lib/types";

const TOKEN_SERIES = [
  { key: "input_tokens", label: "input" },
  { key: "output_tokens", label: "output" },
  { key: "cache_read_tokens", label: "cache read" },
  { key: "cache_write_tokens", label: "cache write" },
  { key: "reasoning_tokens", label: "reasoning" },
];

export function Overview() {
  const scope = useScope();
  const [params, setParams] = useSearchParams();
  const range = (params.get("range") as Range | null) ?? "1h";
  const win = windowOf(RANGES[range] ? range : "1h");
  const stats = useQuery({
    queryKey: ["stats", scope.base, range],
    queryFn: () => api<Stats>(`${scope.base}/stats${query({ from: win.from, to: win.to, bucket: win.bucket })}`),
    refetchInterval: range === "1h" ? 15_000 : 60_000,
  });
  const mine = useQuery({
    queryKey: ["me"],
    queryFn: () => api<MyKey>("/admin/v1/me"),
    enabled: scope.role === "key",
  });

  const buckets = stats.data ? fill(stats.data.buckets, win.from, win.to, win.bucket) : [];
  const data = points(buckets, win.bucket);
  const t = totals(buckets);

  return (
    <>
      <PageHead title={scope.role === "key" ? "My usage" : "Overview"}>
        <RangePicker value={range} onChange={(r) => setParams({ range: r })} />
      </PageHead>
      {scope.role === "key" && mine.data && (
        <Card title={`Key ${mine.data.name}`}>
          <dl className="facts">
            <dt>Prefix</dt>
            <dd>
              <code>{mine.data.prefix}…</code>
            </dd>
            <dt>Budget</dt>
            <dd>
              <SpendBar spent={mine.data.spend_usd} budget={mine.data.budget} />
            </dd>
            {mine.data.team && (
              <>
                <dt>Team</dt>
                <dd>{mine.data.team.name}</dd>
                <dt>Team budget</dt>
                <dd>
                  <SpendBar spent={mine.data.team.spend_usd} budget={mine.data.team.budget} />
                </dd>
              </>
            )}
            <dt>Models</dt>
            <dd>{mine.data.allowed_models ?? mine.data.models?.join(", ") ?? "every model"}</dd>
            {mine.data.blocked && (
              <>
                <dt>Blocked</dt>
                <dd>{mine.data.blocked.message}</dd>
              </>
            )}
            <dt>Expires</dt>
            <dd>{mine.data.expires_at ? when(mine.data.expires_at) : "never"}</dd>
          </dl>
        </Card>
      )}
      {stats.isError && <ErrorNotice error={stats.error} what="the request statistics (GET /admin/v1/stats)" />}
      {stats.isPending && <p className="loading">Loading…</p>}
      {stats.data && (
        <>
          <div className="tiles">
            <Tile label="Requests" value={count(t.requests)} hint={RANGES[range].label.toLowerCase()} />
            <Tile
              label="Errors"
              value={t.requests ? pct(t.errors / t.requests) : "—"}
              hint={`${count(t.errors)} failed`}
            />
            <Tile label="Refused" value={count(t.refused)} hint="by budget, allow-list, limit or key: no tokens" />
            <Tile label="Tokens" value={short(t.tokens)} hint="input + output" />
            <Tile label="Spend" value={usd(t.cost)} />
          </div>
          <div className="charts">
            <Chart
              id="rpm"
              title={`Requests per ${win.bucket}`}
              kind="bar"
              data={data}
              series={[{ key: "requests", label: `requests/${win.bucket}` }]}
              format={count}
              integer
            />
            <Chart
              id="errors"
              title="Error rate (refusals apart)"
              kind="bar"
              data={data}
              series={[{ key: "error_rate", label: "failed / requests" }]}
              format={pct}
            />
            <Chart
              id="refused"
              title={`Refused per ${win.bucket}`}
              kind="bar"
              data={data}
              series={[{ key: "refused", label: `refused/${win.bucket}` }]}
              format={count}
              integer
            />
            <Chart
              id="latency"
              title="Latency and time to first token"
              kind="line"
              data={data}
              series={[
                { key: "p50_latency_ms", label: "p50 latency" },
                { key: "p95_latency_ms", label: "p95 latency" },
                { key: "p50_ttft_ms", label: "p50 TTFT" },
                { key: "p95_ttft_ms", label: "p95 TTFT" },
              ]}
              format={ms}
            />
            <Chart
              id="tokens"
              title="Tokens by kind"
              kind="area"
              data={data}
              series={TOKEN_SERIES}
              format={short}
              integer
            />
            <Chart
              id="spend"
              title="Spend"
              kind="bar"
              data={data}
              series={[{ key: "cost_usd", label: "USD" }]}
              format={usd}
            />
          </div>
          <div className="tops">
            {scope.role !== "key" && (
              <Top
                title="Top keys"
                rows={stats.data.top.keys.map((k) => ({
                  name: k.name ?? k.id,
                  to: `/requests?key_id=${encodeURIComponent(k.id)}`,
                  requests: k.requests,
                  cost: k.cost_usd,
                }))}
              />
            )}
            {scope.role !== "key" && (
              <Top
                title="Top teams"
                rows={stats.data.top.teams.map((k) => ({
                  name: k.name ?? k.id,
                  to: `/requests?team_id=${encodeURIComponent(k.id)}`,
                  requests: k.requests,
                  cost: k.cost_usd,
                }))}
              />
            )}
            <Top
              title="Top models"
              rows={stats.data.top.models.map((m) => ({
                name: m.model,
                to: `/requests?model=${encodeURIComponent(m.model)}`,
                requests: m.requests,
                cost: m.cost_usd,
              }))}
            />
          </div>
        </>
      )}
    </>
  );
}

function Top({ title, rows }: { title: string; rows: { name: string; to: string; requests: number; cost: number }[] }) {
  return (
    <Card title={title}>
      {rows.length === 0 ? (
        <p className="muted">Nothing in this period.</p>
      ) : (
        <DataTable columns={["Name", num("Requests"), num("Spend")]}>
          {rows.map((r) => (
            <tr key={r.to}>
              <td>
                <Link to={r.to}>{r.name}</Link>
              </td>
              <td className="num">{count(r.requests)}</td>
              <td className="num">{usd(r.cost)}</td>
            </tr>
          ))}
        </DataTable>
      )}
    </Card>
  );
}

export const page: Page = {
  path: "/",
  order: 10,
  title: (v) => (v.own ? "My usage" : "Overview"),
  roles: "everyone",
  component: Overview,
};
