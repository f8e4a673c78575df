import { useState } from "react";
import { api } from "../lib/api";
import type { RouteExplained } from "../lib/types";
import { useSave } from "./form-save";
import { Notice } from "./notice";
import { Card } from "./page";

const NOT_SENT = new Set(["content-type", "accept", "authorization", "x-api-key"]);

/** What the explain panel asks: the request the playground would send, and the key it would send it with. */
export interface ExplainRequest {
  path: string;
  headers: Record<string, string>;
  body: unknown;
  key: string;
}

/** `name: value` lines as headers (blank lines skipped); a line without a colon is named in the error. */
export function headerLines(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (!line) continue;
    const at = line.indexOf(":");
    if (at <= 0) throw new Error(`Headers: '${line}' is not 'name: value'`);
    out[line.slice(0, at).trim().toLowerCase()] = line.slice(at + 1).trim();
  }
  return out;
}

/** The decision as label/value rows, in the order `llmux route --explain` prints them. */
function rows(e: RouteExplained): [string, string][] {
  const out: [string, string | undefined][] = [
    ["Requested", e.requested],
    ["Client", e.client],
    ["Agent", e.agent === "sub" ? "sub-agent" : "main loop"],
    ["Tags", e.tags.join(", ")],
    ["Rule", e.rule ? `${e.rule.name}: ${e.rule.why}` : "none held"],
    ["Alias", e.alias],
    ["Deployments", e.deployments.join(", ")],
    ["Upstream model", e.upstreamModel],
    ["llmux-route", e.route],
  ];
  return out.filter((r): r is [string, string] => r[1] !== undefined && r[1] !== "");
}

/**
 * The playground's "explain" panel (admins): for the request the form holds and the key above, the routing
 * decision llmux would take — the rule that held and why, the alias, its deployments, the `llmux-route` header —
 * or why it would be refused, without sending anything (POST /admin/v1/routing/explain).
 */
export function ExplainPanel({ request }: { request: () => ExplainRequest | undefined }) {
  const [headers, setHeaders] = useState("");
  const [told, setTold] = useState<RouteExplained | undefined>();
  const { error, busy, save } = useSave();

  const run = () =>
    save(async () => {
      const r = request();
      if (!r) return;
      try {
        const extra = headerLines(headers);
        const sent: Record<string, string> = {};
        // The key goes apart (never as a header); the others say what a client would.
        for (const [k, v] of Object.entries({ ...r.headers, ...extra })) if (!NOT_SENT.has(k)) sent[k] = v;
        setTold(
          await api<RouteExplained>("/admin/v1/routing/explain", {
            method: "POST",
            body: { path: r.path, headers: sent, body: r.body, ...(r.key ? { key: r.key } : {}) },
          }),
        );
      } catch (err) {
        setTold(undefined);
        throw err;
      }
    });

  return (
    <Card title="Explain the route" className="explain">
      <p className="hint">
        What llmux would do with this request and this key — the routing rule that holds, the alias, its deployments —
        without sending it. A soft budget's downgrade is decided when the request is admitted, so it is not foreseen
        here.
      </p>
      <label>
        Extra headers
        <textarea
          rows={2}
          value={headers}
          onChange={(e) => setHeaders(e.target.value)}
          placeholder={"x-claude-code-agent-id: a1\nllmux-tags: project=checkout"}
        />
      </label>
      <div className="form-actions">
        <button type="button" onClick={() => void run()} disabled={busy}>
          {busy ? "Explaining…" : "Explain"}
        </button>
      </div>
      {error && <Notice kind="error">{error}</Notice>}
      {told && (
        <div data-testid="route-explained">
          {told.refused && (
            <Notice kind="warning" title={`Refused (${told.refused.status})`}>
              {told.refused.message}
            </Notice>
          )}
          <table className="usage-table" aria-label="Routing decision">
            <tbody>
              {rows(told).map(([k, v]) => (
                <tr key={k}>
                  <th scope="row">{k}</th>
                  <td>
                    <code>{v}</code>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Card>
  );
}
