import { useQuery } from "@tanstack/react-query";
import { createParser } from "eventsource-parser";
import { type FormEvent, useRef, useState } from "react";
import { JsonCode } from "../components/code";
import { ExplainPanel } from "../components/explain-panel";
import { MarkdownText } from "../components/markdown";
import { Notice } from "../components/notice";
import { Card, PageHead } from "../components/page";
import { api, query } from "../lib/api";
import { count, usd } from "../lib/format";
import {
  type Answer,
  apply,
  DIALECTS,
  type Dialect,
  emptyAnswer,
  PLAYGROUND_KEY,
  requestOf,
  usageFigures,
} from "../lib/playground";
import { useScope } from "../lib/session";
import type { DeploymentList, MintedKey } from "../lib/types";

const STORE = PLAYGROUND_KEY;

/** What the request log says this request used and cost (read once it is settled). */
interface Settled {
  input_tokens: number;
  output_tokens: number;
  cache_read_tokens: number;
  reasoning_tokens: number;
  cost_usd: number;
  estimated: boolean;
}

/**
 * The request's row in the request log, asked a few times while it is being written (a list query, which
 * answers even before the row is there); undefined: it never came (the request log is off).
 */
async function settledRow(base: string, id: string, since: string): Promise<Settled | undefined> {
  for (let i = 0; i < 20; i++) {
    try {
      const list = await api<{ rows: (Settled & { id: string })[] }>(
        `${base}/requests${query({ from: since, limit: 50 })}`,
      );
      const row = list.rows.find((r) => r.id === id);
      if (row) return row;
    } catch {
      return undefined;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return undefined;
}

/** Usage as a table: tokens by kind and the cost, from the request log when it has the row. */
function UsageTable({ usage, settled }: { usage: Record<string, unknown> | undefined; settled: Settled | undefined }) {
  const f = usage ? usageFigures(usage) : undefined;
  const rows: [string, string][] = [
    ["Input tokens", count(settled?.input_tokens ?? f?.input)],
    ["Cached input", count(settled?.cache_read_tokens ?? f?.cacheRead)],
    ["Output tokens", count(settled?.output_tokens ?? f?.output)],
    ["Reasoning tokens", count(settled?.reasoning_tokens ?? f?.reasoning)],
    ["Cost", settled ? `${usd(settled.cost_usd)}${settled.estimated ? " (estimated)" : ""}` : "—"],
  ];
  return (
    <table className="usage-table" aria-label="Usage">
      <tbody>
        {rows.map(([k, v]) => (
          <tr key={k}>
            <th scope="row">{k}</th>
            <td className="num">{v}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

interface RawEvent {
  n: number;
  event: string | undefined;
  data: string;
}

/**
 * Sends a prompt to any alias in any of the three dialects, as a client would: to llmux's own endpoints,
 * with a client key (one pasted here, or a short-lived key minted for the playground by an admin), so the
 * request is identified, limited, billed and logged like any other.
 */
export function Playground() {
  const scope = useScope();
  const [key, setKey] = useState(() => sessionStorage.getItem(STORE) ?? "");
  const [dialect, setDialect] = useState<Dialect>("chat");
  const [model, setModel] = useState("");
  const [events, setEvents] = useState<RawEvent[]>([]);
  const [answer, setAnswer] = useState<Answer | undefined>();
  const [status, setStatus] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const [mintError, setMintError] = useState<string | undefined>();
  const [settled, setSettled] = useState<Settled | undefined>();
  // A key holder who signed in with their key: the playground sends with it (kept by the sign-in).
  const ownKey = scope.role === "key" && key.startsWith("lx-");
  const abort = useRef<AbortController | undefined>(undefined);
  const formRef = useRef<HTMLFormElement>(null);

  // The aliases to offer: what /v1/models lists for the key, and (admins) every deployment's aliases.
  const listed = useQuery({
    queryKey: ["v1-models", key],
    queryFn: async () => {
      const res = await fetch("/v1/models", { headers: { authorization: `Bearer ${key}` } });
      if (!res.ok) return [];
      const body = (await res.json()) as { data?: { id: string }[] };
      return (body.data ?? []).map((m) => m.id);
    },
    enabled: key !== "",
    retry: false,
  });
  const deployed = useQuery({
    queryKey: ["deployments"],
    queryFn: () => api<DeploymentList>("/admin/v1/deployments"),
    enabled: scope.wholeGateway,
  });
  const models = [
    ...new Set([...(listed.data ?? []), ...(deployed.data?.data ?? []).flatMap((d) => d.aliases)]),
  ].sort();

  function remember(k: string) {
    setKey(k);
    if (k) sessionStorage.setItem(STORE, k);
    else sessionStorage.removeItem(STORE);
  }

  async function mint() {
    setMintError(undefined);
    try {
      const m = await api<MintedKey>("/admin/v1/keys", {
        method: "POST",
        body: {
          name: `playground · ${scope.session.name ?? "admin"}`,
          expires_at: new Date(Date.now() + 86_400_000).toISOString(),
        },
      });
      remember(m.key);
    } catch (err) {
      setMintError((err as Error).message);
    }
  }

  /** The request the form holds, as it would be sent. */
  function requestNow(form: HTMLFormElement) {
    const values = new FormData(form);
    return requestOf(dialect, {
      key,
      model,
      system: String(values.get("system") ?? ""),
      prompt: String(values.get("prompt") ?? ""),
      maxTokens: Number(values.get("max_tokens") ?? 1024) || 1024,
    });
  }

  async function send(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const req = requestNow(e.currentTarget);
    abort.current?.abort();
    const controller = new AbortController();
    abort.current = controller;
    setEvents([]);
    setAnswer(emptyAnswer());
    setStatus(undefined);
    setSettled(undefined);
    setBusy(true);
    let requestId: string | null = null;
    const since = new Date(Date.now() - 60_000).toISOString();
    let n = 0;
    let current = emptyAnswer();
    try {
      const res = await fetch(req.path, {
        method: "POST",
        headers: req.headers,
        body: JSON.stringify(req.body),
        signal: controller.signal,
      });
      setStatus(`${res.status} ${res.statusText} · ${res.headers.get("content-type") ?? ""}`);
      requestId = res.headers.get("x-request-id");
      if (!res.body) return;
      if (!(res.headers.get("content-type") ?? "").includes("text/event-stream")) {
        const text = await res.text();
        setEvents([{ n: 1, event: undefined, data: text }]);
        current = apply(dialect, current, "error", text);
        setAnswer({ ...current, done: true });
        return;
      }
      const parser = createParser({
        onEvent(ev) {
          n += 1;
          const raw = { n, event: ev.event, data: ev.data };
          setEvents((list) => [...list, raw]);
          current = apply(dialect, current, ev.event, ev.data);
          setAnswer(current);
        },
      });
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        parser.feed(value);
      }
      setAnswer({ ...current, done: true });
    } catch (err) {
      if (!controller.signal.aborted) setAnswer({ ...current, error: (err as Error).message, done: true });
    } finally {
      setBusy(false);
    }
    if (requestId) setSettled(await settledRow(scope.base, requestId, since));
  }

  return (
    <>
      <PageHead title="Playground" />
      <Card title="Key">
        {ownKey ? (
          <p data-testid="own-key">
            Sending with the key you signed in with (<code>{key.slice(0, 11)}…</code>): its allow-list, limits and
            budget apply, and each request shows in your Requests.
          </p>
        ) : (
          <>
            <div className="row-form">
              <label className="grow">
                Client key
                <input
                  type="password"
                  value={key}
                  onChange={(e) => remember(e.target.value.trim())}
                  placeholder="lx-… or a service key (empty when llmux needs none)"
                  autoComplete="off"
                />
              </label>
              {scope.canEditKeys && (
                <button type="button" onClick={() => void mint()}>
                  Mint a playground key
                </button>
              )}
            </div>
            <p className="hint">
              The playground calls llmux's own endpoints like any client, with this key: its allow-list, limits and
              budget apply, and the request shows in Requests. A minted playground key expires after a day. The key
              stays in this browser tab only.
              {scope.role === "key" &&
                " This tab did not sign in with your key (a new tab keeps the sign-in, not the key): paste it once."}
            </p>
          </>
        )}
        {mintError && <Notice kind="error">{mintError}</Notice>}
      </Card>
      <form ref={formRef} className="playground-form card" onSubmit={(e) => void send(e)} aria-label="Send a prompt">
        <div className="row-form">
          <label>
            Dialect
            <select value={dialect} onChange={(e) => setDialect(e.target.value as Dialect)}>
              {(Object.keys(DIALECTS) as Dialect[]).map((d) => (
                <option key={d} value={d}>
                  {DIALECTS[d].label} ({DIALECTS[d].path})
                </option>
              ))}
            </select>
          </label>
          <label className="grow">
            Model
            <input
              value={model}
              onChange={(e) => setModel(e.target.value)}
              list="playground-models"
              required
              placeholder="pick or type an alias"
            />
            <datalist id="playground-models">
              {models.map((m) => (
                <option key={m} value={m} />
              ))}
            </datalist>
          </label>
          <label>
            Max tokens
            <input name="max_tokens" type="number" min="1" defaultValue={1024} />
          </label>
        </div>
        <label>
          System prompt
          <textarea name="system" rows={2} placeholder="optional" />
        </label>
        <label>
          Prompt
          <textarea
            name="prompt"
            rows={4}
            required
            onKeyDown={(e) => {
              if (e.key === "Enter" && (e.metaKey || e.ctrlKey)) e.currentTarget.form?.requestSubmit();
            }}
          />
        </label>
        <div className="form-actions">
          <span className="hint">Ctrl+Enter sends.</span>
          {busy && (
            <button type="button" onClick={() => abort.current?.abort()}>
              Stop
            </button>
          )}
          <button type="submit" className="primary" disabled={busy}>
            {busy ? "Streaming…" : "Send"}
          </button>
        </div>
      </form>
      {scope.canEdit && (
        <ExplainPanel
          request={() => {
            const form = formRef.current;
            if (!form?.reportValidity()) return undefined;
            const r = requestNow(form);
            return { ...r, key };
          }}
        />
      )}
      {answer && (
        <div className="playground-out">
          <Card title="Answer" className="answer">
            {status && <p className="muted small">{status}</p>}
            {answer.error && (
              <Notice kind="error" title="Error">
                {answer.error}
              </Notice>
            )}
            {answer.reasoning && (
              <details className="reasoning">
                <summary>Reasoning</summary>
                <MarkdownText text={answer.reasoning} />
              </details>
            )}
            <div data-testid="playground-answer" aria-live="polite">
              <MarkdownText text={answer.text} />
            </div>
            {answer.calls.map((c) => (
              <div className="tool-call" key={`${c.id}:${c.name}`}>
                <div className="part-head">
                  <span aria-hidden="true">⚙</span> Tool call <code>{c.name}</code>
                </div>
                <JsonCode text={c.arguments} />
              </div>
            ))}
            {(answer.usage || settled) && <UsageTable usage={answer.usage} settled={settled} />}
            {answer.done && !answer.error && <p className="muted small">done</p>}
          </Card>
          <Card title={`Raw events (${events.length})`} className="events">
            <ol className="events-list" data-testid="raw-events">
              {events.map((ev) => (
                <li key={ev.n}>
                  {ev.event && <span className="ev-name">event: {ev.event}</span>}
                  <pre>data: {ev.data}</pre>
                </li>
              ))}
            </ol>
          </Card>
        </div>
      )}
    </>
  );
}
