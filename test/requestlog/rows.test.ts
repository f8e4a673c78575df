/**
 * The request-log row and the ledger row are each one object literal (no spreads on the hot path): the
 * columns both keep are still those `requestColumns` and `tokenColumns` say once, and the admission's row of
 * a request cut short (given apart, no copy of the record) is the row of the record as it would be were it cut.
 */
import { describe, expect, it } from "vitest";
import { ledgerRowOf } from "../../src/billing/ledger-row.js";
import { outcomeOf } from "../../src/request/outcome.js";
import { countedUsage, newRecord, type RequestRecord } from "../../src/request/record.js";
import { requestColumns, tokenColumns } from "../../src/request/row-columns.js";
import { logRowOf } from "../../src/requestlog/row.js";

function record(over: Partial<RequestRecord>): RequestRecord {
  return {
    ...newRecord("req_rows", "POST", "/v1/chat/completions"),
    startedAt: 1000,
    kind: "generate",
    requested: "fast",
    alias: "fast",
    provider: "compat",
    model: "m-1",
    key: "alice",
    keyId: "key_1",
    teamId: "team_1",
    user: "alice@example.com",
    client: "openai-chat",
    clientTool: "opencode",
    clientRequestId: "client-7",
    session: { session: "s-1", agent: "a-1", parentAgent: "p-1" } as RequestRecord["session"],
    tags: ["env=prod", "team=core"],
    stream: true,
    firstByteAt: 1004.5,
    requestBytes: 2000,
    outputChars: 40,
    ...over,
  };
}

const CASES: [string, Partial<RequestRecord>][] = [
  ["answered", { status: 200, usage: { inputTokens: 500, outputTokens: 20, cacheReadTokens: 3 } }],
  [
    "answered with a cost and warnings",
    {
      status: 200,
      usage: { inputTokens: 5, outputTokens: 2 },
      cost: { nanos: 1234, estimated: false, priced: true },
      warnings: [{ code: "w", message: "a warning" }] as RequestRecord["warnings"],
    },
  ],
  ["failed", { status: 502, reason: "the upstream broke", errorClass: "overloaded" }],
  ["refused", { status: 429, outcome: "refused", reason: "budget", provider: undefined, model: undefined }],
  [
    "cut by its client",
    { status: 200, outcome: "aborted", usage: { inputTokens: 5, outputTokens: 2 }, usagePartial: true },
  ],
  ["bare", { session: undefined, tags: undefined, clientRequestId: undefined, firstByteAt: undefined }],
];

describe("a settled request's rows", () => {
  it.each(CASES)("%s: both rows keep the shared columns as requestColumns and tokenColumns say them", (_, over) => {
    const rec = record(over);
    const shared = requestColumns(rec, 1010, 5_000_000);
    const u = countedUsage(rec, outcomeOf(rec));
    expect(logRowOf(rec, 1010, 5_000_000)).toMatchObject({ ...shared, ...tokenColumns(u) });
    const ledger = ledgerRowOf(rec, rec.cost, 1010, 5_000_000);
    expect(ledger).toMatchObject(shared);
    expect(ledger).toMatchObject(tokenColumns(rec.model !== undefined ? u : undefined));
    expect(ledger.outcome).toBe(outcomeOf(rec));
  });

  it.each(CASES)("%s: the admission's row, cut short, is the row of the record cut", (_, over) => {
    const rec = record(over);
    const cost = { nanos: 777, estimated: true, priced: true };
    const cut = { outcome: "aborted" as const, reason: "stopped before it settled", cost };
    const copied: RequestRecord = { ...rec, ...cut };
    expect(logRowOf(rec, 1010, 5_000_000, cut)).toEqual({ ...logRowOf(copied, 1010, 5_000_000), estimated: 1 });
    expect(ledgerRowOf(rec, cost, 1010, 5_000_000, "aborted")).toEqual(ledgerRowOf(copied, cost, 1010, 5_000_000));
  });
});
