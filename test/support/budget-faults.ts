/**
 * What the budget fault tests (test/many/budget-*.test.ts) share: an upstream whose answers stream for a
 * while, keys minted with a budget, streamed requests that keep their ids, and the oracle they check money
 * against — the ledger's own rows and the leases as the database counts them, read directly (not through
 * llmux, not through the proxy the instances use).
 */
import { randomBytes } from "node:crypto";
import { createRequire } from "node:module";
import { expect } from "vitest";
import { type MockServer, startMockServer } from "../../src/mock/server.js";
import type { TestLocation } from "./engines.js";
import { pgQuery, post, type Sent, until } from "./many.js";
import { ADMIN, call } from "./team.js";

const require = createRequire(import.meta.url);

/** Each answer: 1,200 characters (300 output tokens) in 40 pieces 25 ms apart, about a second of stream. */
export const ANSWER_CHARS = 1200;
/** gpt-4.1 at $2 / $8 per million: 10 input tokens and 300 output tokens. */
export const ANSWER_NANOS = 10 * 2000 + (ANSWER_CHARS / 4) * 8000;
/** What a request may cost at worst: its max_tokens. */
export const MAX_TOKENS = 400;
export const WORST_NANOS = 10 * 2000 + MAX_TOKENS * 8000;

export function startSlowMock(chunkDelayMs = 25): Promise<MockServer> {
  return startMockServer({
    fallback: () => ({
      blocks: [{ type: "text", text: "x".repeat(ANSWER_CHARS) }],
      chunkChars: ANSWER_CHARS / 40,
      chunkDelayMs,
    }),
  });
}

/** The providers and models of the gateways under test: `gpt-a`, an OpenAI Chat upstream at the mock. */
export function upstreamAt(mock: MockServer) {
  return {
    providers: { up: { type: "openai", base_url: `${mock.url}/v1`, api_key: "oa-key", api: "chat" } },
    models: { "gpt-a": { provider: "up", model: "gpt-4.1" } },
  };
}

/** A key minted through `base` with a budget (for good: no window edge during the test) and more settings. */
export async function mintBudgeted(base: string, usd: number, more: object = {}): Promise<{ key: string; id: string }> {
  const minted = await call(base, "POST", "/admin/v1/keys", ADMIN, {
    name: `b-${randomBytes(3).toString("hex")}`,
    models: ["gpt-a"],
    budget: { usd, period: "total" },
    ...more,
  });
  expect(minted.status).toBe(201);
  return { key: minted.body.key as string, id: minted.body.id as string };
}

/** A streamed Chat request; `at` is when it was sent, `doneAt` when its answer ended (ms since epoch). */
export interface Streamed extends Sent {
  at: number;
  doneAt: number;
}

export async function streamChat(base: string, key: string): Promise<Streamed> {
  const at = Date.now();
  const r = await post(base, "/v1/chat/completions", key, {
    model: "gpt-a",
    stream: true,
    max_tokens: MAX_TOKENS,
    stream_options: { include_usage: true },
    messages: [{ role: "user", content: "write" }],
  });
  return { ...r, at, doneAt: Date.now() };
}

/** Streamed and finished (a budget may also end a stream inside its answer: still admitted). */
export const admitted = (r: Sent) => r.id !== undefined && (r.status === 200 || r.broken !== undefined);
/** Refused for its budget, in the client's dialect. */
export const refusedForBudget = (r: Sent) => r.status === 429 && r.body.includes('"insufficient_quota"');

/**
 * Requests from `clients` clients (`send`, one after the other each) until `stop()` says so; every
 * request's outcome, in the order they ended.
 */
export async function loadUntil(clients: number, send: () => Promise<Streamed>, stop: () => boolean) {
  const out: Streamed[] = [];
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (!stop()) {
        const r = await send();
        out.push(r);
        // A refusal answers at once: do not spin on it.
        if (r.status !== 200) await new Promise((res) => setTimeout(res, 100));
      }
    }),
  );
  return out;
}

/**
 * A key's budget as the database has it: its ledger rows (cost, how many were served, the dearest) and what
 * its leases count now.
 */
export interface BudgetTruth {
  spent: number;
  /** Rows of requests that went upstream (a refusal is a ledger row too, at no cost). */
  rows: number;
  dearest: number;
  leased: number;
}

const SERVED = "sum(case when outcome <> 'refused' then 1 else 0 end)";

/** What the key's leases count: each whole until its orphan period ends, lapsed or not, never below nothing. */
const LEASED = `select coalesce(sum(case when orphan_until > $1 and nanos > 0 then nanos else 0 end), 0) as n
from budget_leases where scope = 'key' and subject = $2`;

export async function budgetTruth(where: TestLocation, keyId: string): Promise<BudgetTruth> {
  const now = Date.now();
  if (where.engine === "postgres") {
    const [l] = await pgQuery<{ n: string; c: string; m: string }>(
      where,
      `select coalesce(sum(cost_nanos), 0) as n, ${SERVED} as c, coalesce(max(cost_nanos), 0) as m from ledger where key_id = $1`,
      [keyId],
    );
    const [h] = await pgQuery<{ n: string }>(where, LEASED, [now, keyId]);
    return { spent: Number(l!.n), rows: Number(l!.c), dearest: Number(l!.m), leased: Math.max(0, Number(h!.n)) };
  }
  const Database = require("libsql") as new (
    path: string,
    o: object,
  ) => {
    prepare(s: string): { get(...a: unknown[]): Record<string, number> };
    close(): void;
  };
  const db = new Database(where.path, { readonly: true });
  try {
    const l = db
      .prepare(
        `select coalesce(sum(cost_nanos), 0) as n, ${SERVED} as c, coalesce(max(cost_nanos), 0) as m from ledger where key_id = ?`,
      )
      .get(keyId);
    const h = db.prepare(LEASED.replaceAll("$1", "?1").replaceAll("$2", "?2")).get(now, keyId);
    return { spent: Number(l.n), rows: Number(l.c), dearest: Number(l.m), leased: Math.max(0, Number(h.n)) };
  } finally {
    db.close();
  }
}

/**
 * Waits until nothing is in flight for the key anywhere and its leases count nothing (idle slices are given
 * back within a second or two, a dead instance's lease is released once its journal is written): then the
 * budget is its ledger, exactly.
 */
export function settledTruth(where: TestLocation, keyId: string, ms = 60_000): Promise<BudgetTruth> {
  return until(async () => {
    const t = await budgetTruth(where, keyId);
    return t.leased === 0 ? t : undefined;
  }, ms);
}

/** A key's ledger rows of requests that went upstream: each one's id and the lease holder that admitted it. */
export async function servedRows(where: TestLocation, keyId: string): Promise<{ id: string; holder: string | null }[]> {
  const q = `select id, lease_holder as holder from ledger where key_id = $1 and outcome <> 'refused'`;
  if (where.engine === "postgres") return pgQuery<{ id: string; holder: string | null }>(where, q, [keyId]);
  const Database = require("libsql") as new (
    path: string,
    o: object,
  ) => { prepare(s: string): { all(...a: unknown[]): { id: string; holder: string | null }[] }; close(): void };
  const db = new Database(where.path, { readonly: true });
  try {
    return db.prepare(q.replace("$1", "?")).all(keyId);
  } finally {
    db.close();
  }
}

/** The ids of these requests that have no ledger row, or more than one (waiting up to `ms` for the rows). */
export async function ledgerOnce(where: TestLocation, ids: string[], ms = 40_000) {
  const end = Date.now() + ms;
  for (;;) {
    const rows = await ledgerIds(where, ids);
    const count = new Map<string, number>();
    for (const r of rows) count.set(r, (count.get(r) ?? 0) + 1);
    const missing = ids.filter((i) => !count.has(i));
    const twice = [...count].filter(([, n]) => n > 1).map(([i]) => i);
    if ((missing.length === 0 && twice.length === 0) || Date.now() > end) return { missing, twice };
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function ledgerIds(where: TestLocation, ids: string[]): Promise<string[]> {
  if (where.engine === "postgres")
    return (await pgQuery<{ id: string }>(where, "select id from ledger where id = any($1)", [ids])).map((r) => r.id);
  const Database = require("libsql") as new (
    path: string,
    o: object,
  ) => { prepare(s: string): { all(...a: unknown[]): { id: string }[] }; close(): void };
  const db = new Database(where.path, { readonly: true });
  try {
    const out: string[] = [];
    const q = db.prepare("select id from ledger where id = ?");
    for (const id of ids) out.push(...q.all(id).map((r) => r.id));
    return out;
  } finally {
    db.close();
  }
}
