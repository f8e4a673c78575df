/**
 * Sessions from the request log (src/data/session-queries.ts) on SQLite and PostgreSQL: each session's
 * totals, agents and models equal the sums of its rows (computed here from the rows themselves), filters by
 * key, team, user, tool and time, the order by cost, and the self view's scoping to one key.
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Data } from "../../src/data/data.js";
import { listSessions, sessionDetail } from "../../src/data/session-queries.js";
import type { RequestLogRow } from "../../src/requestlog/row.js";
import { ENGINES, type TestLocation } from "../support/engines.js";
import { requestLogRow } from "../support/request-log-row.js";

const T0 = Date.UTC(2025, 5, 1);

/** A seeded pseudo-random generator (the rows differ from run to run only by the tag). */
function rng(seed: number) {
  let s = seed;
  return (n: number) => {
    s = (s * 1_103_515_245 + 12_345) % 2 ** 31;
    return s % n;
  };
}

describe.each(ENGINES)("sessions on $engine", ({ fresh }) => {
  let where: TestLocation;
  let data: Data;
  const tag = randomBytes(3).toString("hex");
  const rows: RequestLogRow[] = [];
  const sid = (n: number) => `ses_${tag}_${n}`;
  beforeAll(async () => {
    where = await fresh();
    data = new Data({ path: where.path, url: where.url });
    const r = rng(7);
    const tools = ["claude-code", "codex", "opencode"];
    for (let s = 0; s < 5; s++) {
      for (let i = 0; i < 20 + s * 3; i++) {
        const agent = s === 0 ? [null, "agent_a", "agent_b"][i % 3]! : null;
        rows.push(
          requestLogRow({
            id: `req_${tag}_${s}_${i}`,
            at: T0 + s * 1000 + i * 10,
            key_id: `key_${tag}_${s % 2}`,
            key_name: `k${s % 2}`,
            team_id: s < 3 ? "team_a" : "team_b",
            user_label: s === 4 ? "ada" : null,
            client_tool: tools[s % 3]!,
            session_id: sid(s),
            agent_id: agent,
            parent_agent_id: agent === "agent_b" ? "agent_a" : null,
            model: ["claude-sonnet-4-5", "gpt-5"][r(2)]!,
            outcome: r(10) === 0 ? "error" : "ok",
            latency_ms: 100 + r(900),
            input_tokens: 1000 + r(50_000),
            output_tokens: r(4000),
            cache_read_tokens: r(40_000),
            cache_write_tokens: r(2000),
            reasoning_tokens: r(500),
            // Past 2^31 summed.
            cost_nanos: 50_000_000 + r(900_000_000),
          }),
        );
      }
    }
    // A request with no session is in no session.
    rows.push(requestLogRow({ id: `req_${tag}_none`, at: T0, key_id: `key_${tag}_0`, cost_nanos: 5 }));
    await data.write([{ insert: "request_log", rows }]);
  });
  afterAll(async () => {
    await data.close();
    await where.drop();
  });

  const sum = (of: RequestLogRow[], k: string) =>
    of.reduce((a, r) => a + Number((r as Record<string, unknown>)[k] ?? 0), 0);
  const all = { fromMs: T0 - 1, toMs: T0 + 86_400_000, sort: "cost" as const, limit: 100 };

  it("each session's totals are the sums of its rows; sorted by cost", async () => {
    const list = (await listSessions(data, all)).filter((s) => s.session_id.includes(tag));
    expect(list).toHaveLength(5);
    for (const s of list) {
      const mine = rows.filter((r) => r.session_id === s.session_id);
      expect(s).toMatchObject({
        requests: mine.length,
        input_tokens: sum(mine, "input_tokens"),
        output_tokens: sum(mine, "output_tokens"),
        cache_read_tokens: sum(mine, "cache_read_tokens"),
        cache_write_tokens: sum(mine, "cache_write_tokens"),
        reasoning_tokens: sum(mine, "reasoning_tokens"),
        cost_nanos: sum(mine, "cost_nanos"),
        errors: mine.filter((r) => r.outcome === "error").length,
        first_at: Math.min(...mine.map((r) => r.at)),
        last_at: Math.max(...mine.map((r) => r.at)),
        ended_at: Math.round(Math.max(...mine.map((r) => r.at + r.latency_ms))),
        tool: mine[0]!.client_tool,
        key_id: mine[0]!.key_id,
      });
    }
    expect(list.reduce((a, s) => a + s.cost_nanos, 0)).toBeGreaterThan(2 ** 31);
    const costs = list.map((s) => s.cost_nanos);
    expect(costs).toEqual([...costs].sort((a, b) => b - a));
    const recent = (await listSessions(data, { ...all, sort: "recent" })).filter((s) => s.session_id.includes(tag));
    expect(recent.map((s) => s.session_id)).toEqual([sid(4), sid(3), sid(2), sid(1), sid(0)]);
  });

  it("filters by key, team, user, tool and time", async () => {
    const ids = async (f: Partial<typeof all> & Record<string, unknown>) =>
      (await listSessions(data, { ...all, ...f }))
        .map((s) => s.session_id)
        .filter((id) => id.includes(tag))
        .sort();
    expect(await ids({ keyId: `key_${tag}_1` })).toEqual([sid(1), sid(3)]);
    expect(await ids({ teamId: "team_b" })).toEqual([sid(3), sid(4)]);
    expect(await ids({ user: "ada" })).toEqual([sid(4)]);
    expect(await ids({ tool: "codex" })).toEqual([sid(1), sid(4)]);
    expect(await ids({ fromMs: T0 + 2000, toMs: T0 + 3000 })).toEqual([sid(2)]);
    expect(await ids({ limit: 2 })).toHaveLength(2);
  });

  it("one session: its agents and models summed, its requests in order; another key sees nothing of it", async () => {
    const d = (await sessionDetail(data, sid(0), 1000))!;
    const mine = rows.filter((r) => r.session_id === sid(0));
    expect(d.summary.cost_nanos).toBe(sum(mine, "cost_nanos"));
    expect(d.requests.map((r) => r.id)).toEqual(mine.map((r) => r.id));
    expect(d.agents.map((a) => a.agent_id)).toEqual([null, "agent_a", "agent_b"]);
    for (const a of d.agents) {
      const of = mine.filter((r) => r.agent_id === a.agent_id);
      expect(a.requests).toBe(of.length);
      expect(a.cost_nanos).toBe(sum(of, "cost_nanos"));
      expect(a.input_tokens).toBe(sum(of, "input_tokens"));
    }
    expect(d.agents.find((a) => a.agent_id === "agent_b")!.parent_agent_id).toBe("agent_a");
    expect(d.agents.reduce((a, x) => a + x.cost_nanos, 0)).toBe(d.summary.cost_nanos);
    expect(d.models.reduce((a, x) => a + x.cost_nanos, 0)).toBe(d.summary.cost_nanos);
    for (const m of d.models)
      expect(m.cache_read_tokens).toBe(
        sum(
          mine.filter((r) => r.model === m.model),
          "cache_read_tokens",
        ),
      );
    expect((await sessionDetail(data, sid(0), 5))!.requests).toHaveLength(5);
    expect(await sessionDetail(data, sid(0), 10, { keyId: `key_${tag}_1` })).toBeUndefined();
    expect((await sessionDetail(data, sid(0), 10, { keyId: `key_${tag}_0` }))!.summary.requests).toBe(mine.length);
    expect(await sessionDetail(data, `nope_${tag}`, 10)).toBeUndefined();
  });
});
