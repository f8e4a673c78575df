/**
 * Reading the request log (src/data/request-log-queries.ts, request-filter.ts, stats-queries.ts) on SQLite
 * and PostgreSQL, by the same tests.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Data } from "../../src/data/data.js";
import { BadFilter, type RequestFilter } from "../../src/data/request-filter.js";
import { requestBodies, requestRow, requestRows } from "../../src/data/request-log-queries.js";
import { binValue, statsBySlot, topOf } from "../../src/data/stats-queries.js";
import { ENGINES, type TestLocation } from "../support/engines.js";
import { requestLogRow } from "../support/request-log-row.js";

const MIN = 60_000;
/** A minute boundary. */
const T0 = Date.UTC(2024, 5, 1, 12, 0);

describe.each(ENGINES)("request log queries on $engine", ({ fresh }) => {
  let where: TestLocation;
  let data: Data;
  beforeAll(async () => {
    where = await fresh();
    data = new Data({ path: where.path, url: where.url });
    const db = await data.db();
    await db
      .insertInto("teams")
      .values({
        id: "team_a",
        name: "Team A",
        models: null,
        budget_micros: null,
        budget_period: null,
        limits: null,
        created_at: 1,
        updated_at: 1,
      })
      .execute();
    const rows = [
      requestLogRow({ id: "r1", at: T0 + 1, key_id: "k1", key_name: "one", team_id: "team_a", cost_nanos: 10 }),
      requestLogRow({ id: "r2", at: T0 + 2, key_id: "k1", key_name: "one", team_id: "team_a", cost_nanos: 20 }),
      requestLogRow({
        id: "r3",
        at: T0 + 2,
        key_id: "k2",
        key_name: "two",
        user_label: "ada",
        status: 429,
        outcome: "refused",
        error_class: "rate_limited",
        latency_ms: 0.4,
        ttft_ms: null,
        alias: null,
        requested_model: "asked",
        model: null,
        provider: null,
      }),
      requestLogRow({
        id: "r4",
        at: T0 + MIN + 5,
        status: 502,
        outcome: "error",
        error_class: null,
        client_tool: "claude-code",
        input_tokens: 100,
        output_tokens: 7,
        cache_read_tokens: 3,
        cache_write_tokens: 2,
        reasoning_tokens: 1,
        cost_nanos: 3_000_000_000,
        latency_ms: 1000,
      }),
    ];
    await data.write([
      { insert: "request_log", rows },
      { insert: "request_bodies", rows: [{ id: "r1", at: T0 + 1, data: Buffer.from("packed") }] },
    ]);
  });
  afterAll(async () => {
    await data.close();
    await where.drop();
  });

  const ids = async (f: RequestFilter, limit = 10, before?: { at: number; id: string }) =>
    (await requestRows(data, f, limit, before)).map((r) => r.id);

  it("lists newest first (time, then id), filtered, and continues from a cursor", async () => {
    expect(await ids({})).toEqual(["r4", "r3", "r2", "r1"]);
    expect(await ids({}, 2)).toEqual(["r4", "r3"]);
    expect(await ids({}, 2, { at: T0 + 2, id: "r3" })).toEqual(["r2", "r1"]);
    expect(await ids({ key_id: "k1" })).toEqual(["r2", "r1"]);
    expect(await ids({ team_id: "team_a", from: T0 + 2 })).toEqual(["r2"]);
    expect(await ids({ user: "ada" })).toEqual(["r3"]);
    expect(await ids({ model: "asked" })).toEqual(["r3"]);
    expect(await ids({ model: "gpt-4.1", to: T0 + MIN })).toEqual(["r2", "r1"]);
    expect(await ids({ status: "4xx" })).toEqual(["r3"]);
    expect(await ids({ status: "502" })).toEqual(["r4"]);
    expect(await ids({ errors: true })).toEqual(["r4", "r3"]);
    expect(await ids({ outcome: "refused", error_class: "rate_limited" })).toEqual(["r3"]);
    expect(await ids({ client_tool: "claude-code", provider: "p", deployment: "p/gpt-4.1" })).toEqual(["r4"]);
    await expect(ids({ status: "teapot" })).rejects.toThrow(BadFilter);
  });

  it("reads one row as stored, and its bodies when they were kept", async () => {
    const r = await requestRow(data, "r4");
    expect(r).toMatchObject({ id: "r4", at: T0 + MIN + 5, status: 502, cost_nanos: 3_000_000_000, latency_ms: 1000 });
    expect((await requestRow(data, "r1"))?.ttft_ms).toBe(3.25);
    expect(await requestRow(data, "nope")).toBeUndefined();
    expect(Buffer.from((await requestBodies(data, "r1"))!).toString()).toBe("packed");
    expect(await requestBodies(data, "r2")).toBeUndefined();
  });

  it("sums by time slot: usage, latency and TTFT histograms, errors by class", async () => {
    const s = await statsBySlot(data, {}, MIN);
    expect([...s.sums.keys()].sort()).toEqual([T0, T0 + MIN]);
    // The refused request is a refusal: not a request served, and none of its tokens.
    expect(s.sums.get(T0)).toMatchObject({ requests: 2, refused: 1, input_tokens: 2, cost_nanos: 30 });
    expect(s.sums.get(T0 + MIN)).toEqual({
      requests: 1,
      refused: 0,
      input_tokens: 100,
      output_tokens: 7,
      cache_read_tokens: 3,
      cache_write_tokens: 2,
      reasoning_tokens: 1,
      cost_nanos: 3_000_000_000,
    });
    // 12.5 ms twice and 0.4 ms once; the bins' values are within 5% of what they hold.
    const bins = s.latency.get(T0)!;
    expect([...bins.values()].sort()).toEqual([1, 2]);
    expect(bins.get(0)).toBe(1);
    const twelve = [...bins.keys()].find((b) => b !== 0)!;
    expect(Math.abs(binValue(twelve) - 12.5) / 12.5).toBeLessThan(0.05);
    // TTFT: the refused request had none.
    expect([...s.ttft.get(T0)!.values()]).toEqual([2]);
    expect(s.errors.get(T0)).toEqual({ rate_limited: 1 });
    expect(s.errors.get(T0 + MIN)).toEqual({ other: 1 });
    // Filtered like the list.
    const one = await statsBySlot(data, { key_id: "k2" }, MIN);
    expect([...one.sums.values()].map((t) => [t.requests, t.refused])).toEqual([[0, 1]]);
  });

  it("tops keys (with their names), teams (with theirs) and models by requests served", async () => {
    const top = await topOf(data, {});
    expect(top.keys).toEqual([
      { id: "k1", name: "one", requests: 2, cost_nanos: 30 },
      { id: "k2", name: "two", requests: 0, cost_nanos: 0 },
    ]);
    expect(top.teams).toEqual([{ id: "team_a", name: "Team A", requests: 2, cost_nanos: 30 }]);
    expect(top.models).toEqual([
      { id: "a", name: null, requests: 3, cost_nanos: 3_000_000_030 },
      { id: "asked", name: null, requests: 0, cost_nanos: 0 },
    ]);
    expect((await topOf(data, { from: T0 + MIN })).keys).toEqual([]);
  });
});
