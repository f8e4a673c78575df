import { useQuery } from "@tanstack/react-query";
import { useParams } from "react-router";
import { AgentTree } from "../components/agent-tree";
import { DataTable } from "../components/data-table";
import { Notice } from "../components/notice";
import { Card, DetailPage, Tile } from "../components/page";
import { SessionTimeline } from "../components/session-timeline";
import { UsageCells, usageColumns } from "../components/usage-cells";
import { api } from "../lib/api";
import { count, duration, pct, short, usd, when } from "../lib/format";
import { useTeams } from "../lib/owners";
import type { Page } from "../lib/pages";
import { useScope } from "../lib/session";
import type { SessionDetail } from "../lib/types";

/** One coding session: its totals, its agents as a tree, the models it used and its requests in time order. */
export function SessionPage() {
  const { id = "" } = useParams();
  const scope = useScope();
  const q = useQuery({
    queryKey: ["session-detail", scope.base, id],
    queryFn: () => api<SessionDetail>(`${scope.base}/sessions/${encodeURIComponent(id)}`),
  });
  return (
    <DetailPage title="Session" back={["/sessions", "← All sessions"]} query={q} what={`session ${id}`}>
      {(s) => <Detail s={s} />}
    </DetailPage>
  );
}

const MODEL_USAGE = usageColumns(["requests", "input", "output", "cache_hit", "cost"]);

function Detail({ s }: { s: SessionDetail }) {
  const scope = useScope();
  const teams = useTeams(scope.role !== "key" && s.team_id !== null);
  const teamName = teams.data?.data.find((t) => t.id === s.team_id)?.name ?? s.team_id;
  return (
    <div className="request session">
      <Card className="summary">
        <div className="summary-line">
          <strong className="session-id">{s.id}</strong>
          <span className="badge">{s.tool ?? "unknown tool"}</span>
        </div>
        <dl className="facts">
          <dt>Started</dt>
          <dd>{when(s.started_at)}</dd>
          <dt>Last request</dt>
          <dd>{when(s.last_at)}</dd>
          {scope.role !== "key" && (
            <>
              <dt>Key</dt>
              <dd>{s.key_name ?? s.key_id ?? "—"}</dd>
              <dt>Team</dt>
              <dd>{teamName ?? "—"}</dd>
              <dt>User</dt>
              <dd>{s.user ?? "—"}</dd>
            </>
          )}
        </dl>
      </Card>
      <section className="tiles" aria-label="Totals">
        <Tile label="Cost" value={usd(s.cost_usd)} />
        <Tile label="Requests" value={count(s.requests)} hint={s.errors > 0 ? `${s.errors} failed` : "none failed"} />
        <Tile label="Duration" value={duration(s.duration_ms)} hint="first request to last answer" />
        <Tile
          label="Tokens"
          value={short(s.tokens.input + s.tokens.output)}
          hint={`${count(s.tokens.input)} in · ${count(s.tokens.output)} out`}
        />
        <Tile
          label="Cache hit"
          value={s.cache_hit_rate === null ? "—" : pct(s.cache_hit_rate)}
          hint={`${count(s.tokens.cache_read)} read · ${count(s.tokens.cache_write)} written`}
        />
      </section>
      <section aria-labelledby="agents-h">
        <h2 id="agents-h">Agents</h2>
        <AgentTree agents={s.agents} />
      </section>
      <section aria-labelledby="models-h">
        <h2 id="models-h">Models</h2>
        <DataTable label="Models" columns={["Upstream model", ...MODEL_USAGE]}>
          {s.models.map((m) => (
            <tr key={m.model ?? "(none)"}>
              <th scope="row">{m.model ?? "(no upstream)"}</th>
              <UsageCells columns={MODEL_USAGE} usage={{ ...m, ...m.tokens }} />
            </tr>
          ))}
        </DataTable>
      </section>
      <section aria-labelledby="timeline-h">
        <h2 id="timeline-h">Timeline</h2>
        {s.failures.length > 0 && (
          <Notice kind="warning" title={`${s.failures.length} failed or refused`}>
            Marked in the timeline; open a request for its route and error.
          </Notice>
        )}
        {s.timeline.length < s.requests && (
          <p className="muted small">
            The first {count(s.timeline.length)} of {count(s.requests)} requests.
          </p>
        )}
        <SessionTimeline rows={s.timeline} />
      </section>
    </div>
  );
}

export const page: Page = {
  path: "/sessions/:id",
  order: 31,
  roles: "everyone",
  component: SessionPage,
};
