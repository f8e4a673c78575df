import { useQuery } from "@tanstack/react-query";
import { Link, useParams } from "react-router";
import { Clipped } from "../components/code";
import { ConversationView, MessageView } from "../components/conversation";
import { Notice } from "../components/notice";
import { Card, DetailPage } from "../components/page";
import { StatusBadge } from "../components/status";
import { api } from "../lib/api";
import { count, ms, usd, when } from "../lib/format";
import { useTeams } from "../lib/owners";
import { useScope } from "../lib/session";
import type { RequestDetail } from "../lib/types";
import { WebCallsCard } from "./request-web";

export function RequestPage() {
  const { id = "" } = useParams();
  const scope = useScope();
  const q = useQuery({
    queryKey: ["request", scope.base, id],
    queryFn: () => api<RequestDetail>(`${scope.base}/requests/${encodeURIComponent(id)}`),
  });
  return (
    <DetailPage title="Request" back={["/requests", "← All requests"]} query={q} what={`request ${id}`}>
      {(r) => <Detail r={r} />}
    </DetailPage>
  );
}

function Detail({ r }: { r: RequestDetail }) {
  const scope = useScope();
  const teams = useTeams(scope.role !== "key" && r.team_id !== null);
  const teamName = teams.data?.data.find((t) => t.id === r.team_id)?.name ?? r.team_id;
  const hops = (r.route ?? "")
    .split(";")
    .map((s) => s.trim())
    .filter(Boolean);
  return (
    <div className="request">
      <Card className="summary">
        <div className="summary-line">
          <StatusBadge row={r} />
          <strong className="model">{r.alias ?? r.requested_model ?? "—"}</strong>
          {r.model && <span className="muted">→ {r.model}</span>}
          <span className="muted">{when(r.time)}</span>
        </div>
        {r.reason && <p className="reason">{r.reason}</p>}
        <dl className="facts">
          <dt>Id</dt>
          <dd>
            <code>{r.id}</code>
          </dd>
          <dt>Call</dt>
          <dd>
            <code>
              {r.method} {r.path}
            </code>{" "}
            {r.stream ? "streamed" : "not streamed"}
          </dd>
          <dt>Client</dt>
          <dd>
            {r.client_tool ?? "unknown tool"} · {r.client_dialect ?? "—"}
          </dd>
          {r.session_id && (
            <>
              <dt>Session</dt>
              <dd>
                <Link to={`/sessions/${encodeURIComponent(r.session_id)}`}>{r.session_id}</Link>
                {r.agent_id && <span className="muted"> · agent {r.agent_id}</span>}
              </dd>
            </>
          )}
          <dt>Key</dt>
          <dd>
            {r.key_name ?? r.key_id ?? "—"}
            {r.user && <span className="muted"> · user {r.user}</span>}
            {r.team_id && <span className="muted"> · team {teamName}</span>}
          </dd>
          {r.mcp_server ? (
            <>
              <dt>MCP tool call</dt>
              <dd data-mcp-tool={`${r.mcp_server}__${r.mcp_tool ?? ""}`}>
                <code>{r.mcp_tool}</code> on server <strong>{r.mcp_server}</strong>
                {r.mcp_session && <span className="muted"> · session {r.mcp_session}</span>}
              </dd>
            </>
          ) : (
            <>
              <dt>Provider</dt>
              <dd>
                {r.provider ?? "—"}
                {r.deployment && <span className="muted"> · deployment {r.deployment}</span>}
              </dd>
            </>
          )}
        </dl>
      </Card>
      <div className="grid-3">
        <Card title="Route">
          <p>
            {r.attempts} attempt{r.attempts === 1 ? "" : "s"}
          </p>
          {hops.length > 0 ? (
            <ol className="route">
              {hops.map((h, i) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: hops are positional
                <li key={i}>{h}</li>
              ))}
            </ol>
          ) : r.provider && r.attempts > 0 ? (
            <p>{r.deployment ?? `${r.provider}/${r.model ?? r.alias ?? ""}`}</p>
          ) : (
            <p className="muted">No upstream was called.</p>
          )}
        </Card>
        <Card title="Timings">
          <dl className="facts">
            <dt>Latency</dt>
            <dd>{ms(r.latency_ms)}</dd>
            <dt>First token</dt>
            <dd>{ms(r.ttft_ms)}</dd>
            <dt>llmux's own</dt>
            <dd>{ms(r.overhead_ms)}</dd>
          </dl>
        </Card>
        <Card title="Usage and cost">
          <dl className="facts">
            <dt>Input</dt>
            <dd>{count(r.input_tokens)}</dd>
            <dt>Output</dt>
            <dd>{count(r.output_tokens)}</dd>
            <dt>Cache read / write</dt>
            <dd>
              {count(r.cache_read_tokens)} / {count(r.cache_write_tokens)}
            </dd>
            <dt>Reasoning</dt>
            <dd>{count(r.reasoning_tokens)}</dd>
            <dt>Cost</dt>
            <dd>
              {usd(r.cost_usd)}
              {r.estimated && <span className="muted"> (tokens estimated)</span>}
            </dd>
          </dl>
        </Card>
      </div>
      {r.warnings.length > 0 && (
        <Notice kind="warning" title="Warnings">
          <ul>
            {r.warnings.map((w) => (
              <li key={`${w.code}:${w.message}`}>
                <code>{w.code}</code> {w.message}
              </li>
            ))}
          </ul>
        </Notice>
      )}
      {r.web && <WebCallsCard web={r.web} />}
      <section aria-labelledby="conv-title">
        <h2 id="conv-title">Conversation</h2>
        {r.conversation ? (
          <ConversationView conversation={r.conversation} />
        ) : (
          <p className="muted">
            Bodies were not kept for this request, so its conversation cannot be shown (see <code>logging.bodies</code>
            ).
          </p>
        )}
      </section>
      {r.answer && (
        <section aria-labelledby="answer-title">
          <h2 id="answer-title">Answer</h2>
          <MessageView message={r.answer} title="Answer" />
        </section>
      )}
      {r.bodies && (
        <section aria-labelledby="bodies-title">
          <h2 id="bodies-title">Raw bodies</h2>
          <div className="bodies">
            <Body title="Client request" text={r.bodies.client_request} />
            <Body title="Upstream request" text={r.bodies.upstream_request} none={noUpstream(r)} />
            <Body title="Upstream response" text={r.bodies.upstream_response} none={noUpstream(r)} />
            <Body title="Client response" text={r.bodies.client_response} />
          </div>
        </section>
      )}
    </div>
  );
}

/**
 * Why there is no upstream body when no upstream call was made: refused before it (a budget, an allow-list, a
 * limit, a key), or failed or abandoned before one; undefined when a call was made (its body was then not kept).
 */
export function noUpstream(r: { attempts: number; outcome: string; reason: string | null }): string | undefined {
  if (r.attempts > 0) return undefined;
  const why = r.reason ? `: ${r.reason}` : "";
  if (r.outcome === "refused") return `No upstream request was made: llmux refused this request first${why}`;
  if (r.outcome === "aborted") return "No upstream request was made: the client left before one was sent.";
  if (r.outcome === "error") return `No upstream request was made: the request failed before one was sent${why}`;
  return "No upstream request was made: llmux answered this request itself.";
}

function Body({ title, text, none }: { title: string; text: string | null; none?: string | undefined }) {
  return (
    <Card title={title} className="body">
      {text === null || text === "" ? (
        <p className="muted">{none ?? "Not recorded."}</p>
      ) : (
        <Clipped text={text} limit={20_000} json={/^\s*[[{]/.test(text)} />
      )}
    </Card>
  );
}
