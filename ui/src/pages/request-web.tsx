import { Card } from "../components/page";
import type { RequestDetail } from "../lib/types";

type WebCalls = NonNullable<RequestDetail["web"]>;

/** The searches and page fetches llmux ran for the request (its emulated web tools): never a page's text. */
export function WebCallsCard({ web }: { web: WebCalls }) {
  const s = (n: number, one: string) => `${n} ${one}${n === 1 ? "" : "es"}`;
  return (
    <Card title="Web search and fetch" className="web-calls">
      <p>
        {s(web.searches, "search")}, {s(web.fetches, "fetch")} run by llmux
        {web.omitted ? <span className="muted"> ({web.omitted} more not listed)</span> : null}
      </p>
      <ol className="web-calls-list">
        {web.calls.map((c, i) =>
          c.tool === "search" ? (
            // biome-ignore lint/suspicious/noArrayIndexKey: calls are positional
            <li key={i} data-web-call="search">
              Search <q>{c.query}</q>: {c.status === "ok" ? `${c.results} results` : <code>{c.status}</code>}
              {c.domains.length > 0 && <span className="muted"> · {c.domains.join(", ")}</span>}
            </li>
          ) : (
            // biome-ignore lint/suspicious/noArrayIndexKey: calls are positional
            <li key={i} data-web-call="fetch">
              Fetch <code>{`${c.domain}${c.path}`}</code>: {c.status === "ok" ? "ok" : <code>{c.status}</code>}
              {c.redirected_to && <span className="muted"> · redirected to {c.redirected_to}</span>}
              {c.content_type && <span className="muted"> · {c.content_type}</span>}
              {c.bytes !== undefined && <span className="muted"> · {c.bytes} bytes</span>}
              {c.truncated && <span className="muted"> · cut</span>}
            </li>
          ),
        )}
      </ol>
    </Card>
  );
}
