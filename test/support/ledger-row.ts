import type { LedgerRow } from "../../src/billing/ledger-row.js";

/** A ledger row for tests: a plain successful request, with whatever `fields` change. */
export function ledgerRow(fields: Partial<LedgerRow> & Pick<LedgerRow, "id" | "key_id">): LedgerRow {
  return {
    at: Date.now(),
    team_id: null,
    user_label: null,
    alias: "a",
    provider: "p",
    deployment: null,
    model: "gpt-4.1",
    client: "openai-chat",
    status: 200,
    outcome: "ok",
    input_tokens: 1,
    output_tokens: 1,
    cache_read_tokens: 0,
    cache_write_tokens: 0,
    reasoning_tokens: 0,
    cost_nanos: 0,
    estimated: 0,
    latency_ms: 1,
    ttft_ms: null,
    ...fields,
  };
}
