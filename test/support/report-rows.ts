/**
 * Random ledger and request-log rows for the report rollups' tests (test/data/spend-rollup.test.ts,
 * test/data/session-rollup.test.ts), the batches the settled writer writes them in (replays and a racing
 * second writer included), and the reports computed directly from the rows in JavaScript: the oracle the
 * database's answers are held to.
 */
import type { LedgerRow } from "../../src/billing/ledger-row.js";
import type { Data } from "../../src/data/data.js";
import type { SessionFilter, SessionSummary } from "../../src/data/session-queries.js";
import { writeSettled } from "../../src/data/settled-writes.js";
import type { UsageRow } from "../../src/data/spend-queries.js";
import type { UsageTotals } from "../../src/data/usage-totals.js";
import type { RequestLogRow } from "../../src/requestlog/row.js";
import { ledgerRow } from "./ledger-row.js";
import { requestLogRow } from "./request-log-row.js";

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;
/** A day boundary (UTC). */
export const T0 = Date.UTC(2025, 4, 6);
/** The rows' times: four days from T0 (and a few before and after it). */
export const SPAN = 4 * DAY;

/** A small seeded generator (mulberry32), so a failure can be replayed. */
export function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TAGS = [null, ",project=a,", ",env=prod,project=b,", ",env=dev,", ",env=prod,project=a,", ""];

function at(r: () => number): number {
  return T0 - 2 * HOUR + Math.floor(r() * (SPAN + 4 * HOUR));
}

/** The kinds of call a ledger row may be (null and '': rows written before the kind was kept). */
const KINDS = ["generate", "embeddings", null, "completions", "generate", "rerank", ""] as const;

export function ledgerRows(n: number, seed: number, prefix: string): LedgerRow[] {
  const r = random(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  return Array.from({ length: n }, (_, i) => {
    const k = Math.floor(r() * 6);
    const outcome = pick(["ok", "ok", "ok", "error", "refused", "aborted"]);
    const asked = pick([null, "sonnet", "gpt-5", "haiku", ""]);
    return ledgerRow({
      id: `${prefix}${i}`,
      at: at(r),
      key_id: `k${k}`,
      team_id: k < 4 ? `t${k % 2}` : pick([null, ""]),
      user_label: pick([null, "alice", "bob", ""]),
      requested_model: asked,
      alias: pick([null, "sonnet-alias", "gpt-alias"]),
      model: pick([null, "claude-sonnet-4-5", "gpt-5", "gpt-5-mini"]),
      tags: pick(TAGS),
      outcome,
      status: outcome === "ok" ? 200 : outcome === "refused" ? 429 : 502,
      input_tokens: Math.floor(r() * 5000),
      output_tokens: Math.floor(r() * 900),
      cache_read_tokens: Math.floor(r() * 300),
      cache_write_tokens: Math.floor(r() * 30),
      reasoning_tokens: Math.floor(r() * 90),
      cost_nanos: Math.floor(r() * 4_000_000),
      // Not drawn from r(): the rows' other values stay those of the seed.
      kind: KINDS[i % KINDS.length]!,
    });
  });
}

export function sessionRows(n: number, seed: number, prefix: string): RequestLogRow[] {
  const r = random(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  return Array.from({ length: n }, (_, i) => {
    const session = r() < 0.15 ? null : `s${String(Math.floor(r() * 25)).padStart(2, "0")}`;
    const k = Math.floor(r() * 5);
    const keyed = r() < 0.9;
    const outcome = pick(["ok", "ok", "ok", "error", "refused", "aborted"]);
    return requestLogRow({
      id: `${prefix}${i}`,
      at: at(r),
      session_id: session,
      agent_id: pick([null, "a1", "a2"]),
      key_id: keyed ? `k${k}` : null,
      key_name: keyed ? pick([`key ${k}`, `key ${k} renamed`]) : null,
      team_id: keyed ? pick([`t${k % 2}`, null]) : null,
      user_label: pick([null, "alice", "bob"]),
      client_tool: pick([null, "claude-code", "codex"]),
      kind: pick(["generate", "generate", "models", null]),
      outcome,
      status: outcome === "ok" ? 200 : outcome === "refused" ? 429 : 502,
      latency_ms: r() < 0.1 ? 0.25 : Math.round(Math.exp(r() * 10) * 100) / 100,
      input_tokens: Math.floor(r() * 5000),
      output_tokens: Math.floor(r() * 900),
      cache_read_tokens: Math.floor(r() * 300),
      cache_write_tokens: Math.floor(r() * 30),
      reasoning_tokens: Math.floor(r() * 90),
      cost_nanos: Math.floor(r() * 4_000_000),
    });
  });
}

/**
 * Writes the rows in batches as the settled writer does: each batch written by two writers at once (a journal
 * replayed while the first write was on its way), then part of it again with rows not yet written (a spool
 * replayed). Rows come in random time order: late rows land in hours already summed.
 */
export async function writeInBatches(data: Data, ledger: LedgerRow[], log: RequestLogRow[], seed: number) {
  const r = random(seed);
  const n = Math.max(ledger.length, log.length);
  for (let i = 0; i < n; ) {
    const size = 1 + Math.floor(r() * 150);
    const batch = { ledger: ledger.slice(i, i + size), requestLog: log.slice(i, i + size), bodies: [] };
    await Promise.all([writeSettled(data, batch), writeSettled(data, batch)]);
    const keep = () => r() < 0.4;
    await writeSettled(data, {
      ledger: [...batch.ledger.filter(keep), ...ledger.slice(i + size, i + size + 3)],
      requestLog: [...batch.requestLog.filter(keep), ...log.slice(i + size, i + size + 3)],
      bodies: [],
    });
    i += size + 3;
  }
}

/** An empty value is none, as the reports say. */
const none = <T>(v: T | null | undefined | ""): T | null => (v === "" || v === undefined ? null : v);

function zero(): UsageTotals {
  return {
    requests: 0,
    refused: 0,
    input_tokens: 0,
    output_tokens: 0,
    cache_read_tokens: 0,
    cache_write_tokens: 0,
    reasoning_tokens: 0,
    cost_nanos: 0,
  };
}

function addRow(t: UsageTotals, x: LedgerRow | RequestLogRow): void {
  const refused = x.outcome === "refused";
  t.requests += refused ? 0 : 1;
  t.refused += refused ? 1 : 0;
  for (const c of [
    "input_tokens",
    "output_tokens",
    "cache_read_tokens",
    "cache_write_tokens",
    "reasoning_tokens",
  ] as const)
    t[c] += refused ? 0 : Number(x[c]);
  t.cost_nanos += Number(x.cost_nanos);
}

/** The spend report of the rows, computed here: grouped as `usageBy` groups, in no particular order. */
export function usageOracle(
  rows: readonly LedgerRow[],
  by: "key" | "team" | "model" | "user" | "day" | "upstream_model" | "kind" | { tag: string },
  from: number,
  to: number,
  scope: { keyId?: string; teamId?: string } = {},
): UsageRow[] {
  const groups = new Map<string, UsageRow>();
  for (const x of rows) {
    if (x.at < from || x.at >= to) continue;
    if (scope.keyId !== undefined && x.key_id !== scope.keyId) continue;
    if (scope.teamId !== undefined && x.team_id !== scope.teamId) continue;
    const fields: Partial<UsageRow> =
      typeof by === "object"
        ? { group: tagOf(none(x.tags), by.tag) }
        : by === "key"
          ? { group: x.key_id }
          : by === "team"
            ? { group: none(x.team_id) }
            : by === "user"
              ? { group: none(x.user_label) }
              : by === "upstream_model"
                ? { group: none(x.model) }
                : by === "kind"
                  ? { group: none(x.kind ?? null) }
                  : by === "day"
                    ? { group: new Date(x.at).toISOString().slice(0, 10) }
                    : {
                        group: none(x.requested_model) ?? none(x.alias),
                        alias: none(x.alias),
                        upstream_model: none(x.model),
                      };
    const k = JSON.stringify(fields);
    let g = groups.get(k);
    if (!g) {
      g = { ...(fields as { group: string | null }), ...zero() };
      groups.set(k, g);
    }
    addRow(g, x);
  }
  return [...groups.values()];
}

function tagOf(tags: string | null, key: string): string | null {
  if (!tags) return null;
  const hit = tags.split(",").find((t) => t.startsWith(`${key}=`));
  return hit === undefined ? null : hit.slice(key.length + 1);
}

/** The sessions list of the rows, computed here (the same order and limit as `listSessions`). */
export function sessionsOracle(rows: readonly RequestLogRow[], f: SessionFilter): SessionSummary[] {
  const out = new Map<string, SessionSummary>();
  const most = (a: string | null, b: string | null) => (b !== null && (a === null || b > a) ? b : a);
  for (const x of rows) {
    if (x.session_id === null || x.session_id === undefined || x.at < f.fromMs || x.at >= f.toMs) continue;
    if (f.keyId !== undefined && x.key_id !== f.keyId) continue;
    if (f.teamId !== undefined && x.team_id !== f.teamId) continue;
    if (f.user !== undefined && x.user_label !== f.user) continue;
    if (f.tool !== undefined && x.client_tool !== f.tool) continue;
    let s = out.get(x.session_id);
    if (!s) {
      s = {
        session_id: x.session_id,
        ...zero(),
        first_at: x.at,
        last_at: x.at,
        ended_at: x.at + x.latency_ms,
        errors: 0,
        tool: null,
        key_id: null,
        key_name: null,
        team_id: null,
        user_label: null,
      };
      out.set(x.session_id, s);
    }
    addRow(s, x);
    s.first_at = Math.min(s.first_at, x.at);
    s.last_at = Math.max(s.last_at, x.at);
    s.ended_at = Math.max(s.ended_at, x.at + x.latency_ms);
    s.errors += x.outcome === "error" || x.outcome === "refused" ? 1 : 0;
    s.tool = most(s.tool, none(x.client_tool));
    s.key_id = most(s.key_id, none(x.key_id));
    s.key_name = most(s.key_name, none(x.key_name));
    s.team_id = most(s.team_id, none(x.team_id));
    s.user_label = most(s.user_label, none(x.user_label));
  }
  const list = [...out.values()].map((s) => ({ ...s, ended_at: Math.round(s.ended_at) }));
  list.sort((a, b) => {
    const d = f.sort === "cost" ? b.cost_nanos - a.cost_nanos : b.last_at - a.last_at;
    return d !== 0 ? d : a.session_id < b.session_id ? -1 : a.session_id > b.session_id ? 1 : 0;
  });
  return list.slice(0, f.limit);
}

/** Report rows in one order whatever the engine's (how each sorts none differs). */
export function sorted<T extends object>(rows: readonly T[]): T[] {
  const key = (r: T) => JSON.stringify(Object.entries(r).sort(([a], [b]) => (a < b ? -1 : 1)));
  return [...rows].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

/** Random windows over the rows: aligned and not, short and long, empty and open at the start. */
export function windows(seed: number, n: number): [number, number][] {
  const r = random(seed);
  const out: [number, number][] = [
    [T0, T0 + SPAN],
    [T0 - DAY, T0 + 2 * SPAN],
    [T0 + 5 * HOUR, T0 + 9 * HOUR],
    [T0 + DAY + 17, T0 + 3 * DAY - 5],
    [T0 + 2 * HOUR + 1, T0 + 2 * HOUR + 3_000_000],
    [T0 + 7 * HOUR, T0 + 7 * HOUR],
    [0, T0 + 30 * HOUR + 999],
  ];
  for (let i = 0; i < n; i++) {
    const from = T0 - 3 * HOUR + Math.floor(r() * SPAN);
    out.push([from, from + Math.floor(r() * SPAN * (r() < 0.3 ? 0.05 : 0.8)) + 1]);
  }
  return out;
}
