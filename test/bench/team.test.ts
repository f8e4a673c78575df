/**
 * The bench's team lanes (bench/team-servers.ts, bench/report-team.ts), the memory-per-stream figures in the
 * targets and the comparison, and the CPU split of --workers-only (bench/cpu-pinning.ts), from made-up results.
 */

import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { llmuxConfig } from "../../bench/bench-config.js";
import { parseCpuList, planPinning } from "../../bench/cpu-pinning.js";
import { buildLanes, selectLanes } from "../../bench/lanes.js";
import { parseOptions, USAGE } from "../../bench/options.js";
import { renderMarkdown } from "../../bench/report.js";
import { compareLines } from "../../bench/report-compare.js";
import { evaluateTargets } from "../../bench/report-targets.js";
import { engineDifference } from "../../bench/report-team.js";
import { TEAM_STREAMS_VARIANT } from "../../bench/streams-memory.js";
import { TEAM_BASE_LANES, TEAM_ENGINES, teamConfig, teamLane, wantsTeam } from "../../bench/team-servers.js";
import type { BenchResults, Cell, LaneInfo, RunResult, StreamsSample, TargetName } from "../../bench/types.js";
import { PriceTable } from "../../src/billing/prices.js";
import { parseConfig } from "../../src/config/load.js";

function lanes() {
  const own = buildLanes({ mockOrigin: "http://127.0.0.1:9", largeBytes: 20_000 });
  const team = TEAM_ENGINES.flatMap((e) => TEAM_BASE_LANES.map((id) => teamLane(own.find((l) => l.id === id)!, e)));
  return [...own, ...team];
}

describe("bench team lanes", () => {
  it("are chat-small and msg-cc with a minted key, once per engine, chosen by --lanes team or team-ENGINE", () => {
    const all = lanes();
    const ids = (names: string[] | undefined) => selectLanes(all, names).map((l) => l.id);
    expect(ids(["team"])).toEqual([
      "team-sqlite-chat-small",
      "team-sqlite-msg-cc",
      "team-pg-chat-small",
      "team-pg-msg-cc",
    ]);
    expect(ids(["team-pg"])).toEqual(["team-pg-chat-small", "team-pg-msg-cc"]);
    expect(ids(["chat-small"])).toEqual(["chat-small"]);
    expect(ids(undefined)).toHaveLength(all.length);
    const pg = all.find((l) => l.id === "team-pg-msg-cc")!;
    const base = all.find((l) => l.id === "msg-cc")!;
    expect(pg).toMatchObject({ minted: true, team: "pg", kind: "passthrough", peers: {} });
    expect(pg.body).toEqual(base.body);
    expect(wantsTeam(undefined)).toBe(true);
    expect(wantsTeam(["team-sqlite"])).toBe(true);
    expect(wantsTeam(["chat-small", "curve"])).toBe(false);
    expect(USAGE).toContain('"team-sqlite" / "team-pg"');
    expect(parseOptions(["--lanes", "team"]).lanes).toEqual(["team"]);
  });

  it("configure llmux with the request log on, and PostgreSQL + Redis or SQLite + memory state", () => {
    const base = llmuxConfig(4000);
    const pgText = teamConfig(
      base,
      { url: "postgres://postgres@127.0.0.1:5432/llmux_bench_1" },
      {
        url: "redis://127.0.0.1:6379",
        prefix: "llmux_bench_1:",
      },
    );
    const pg = parseConfig(parse(pgText), {});
    expect(pg.logging.requests).toBe(true);
    expect(pg.store.url).toBe("postgres://postgres@127.0.0.1:5432/llmux_bench_1");
    expect(pg.state).toMatchObject({ url: "redis://127.0.0.1:6379", prefix: "llmux_bench_1:" });
    expect(Object.keys(pg.models)).toContain("bench-compat");
    // Every team lane's upstream model has a price, so its budget settles like production's.
    const table = new PriceTable(pg.prices);
    for (const id of TEAM_BASE_LANES) {
      const lane = lanes().find((l) => l.id === id)!;
      const alias = pg.models[lane.llmuxModel];
      const upstream = alias
        ? String((alias as { model?: string }).model)
        : lane.llmuxModel.split("/").slice(1).join("/");
      expect(table.find(upstream), `${id} → ${upstream}`).toBeDefined();
    }
    expect(new PriceTable(parseConfig(parse(base), {}).prices).find("bench-model")).toBeUndefined();
    const sqlite = parseConfig(parse(teamConfig(base, {})), {});
    expect(sqlite.store.url).toBeUndefined();
    expect(sqlite.state.url).toBeUndefined();
    expect(sqlite.logging.requests).toBe(true);
  });
});

function result(p50: number, throughput: number): RunResult {
  const sum = { n: 10, min: p50, p50, p90: p50, p99: p50, max: p50, mean: p50 };
  return {
    requests: 100,
    errors: 0,
    timedOut: 0,
    elapsedMs: 1000,
    throughput,
    latency: sum,
    ttfb: sum,
    loadgenCpuMs: 10,
    wallMs: 1000,
    totalRequests: 100,
  };
}

function stream(target: TargetName, variant: string, heapOpenKb: number): StreamsSample {
  return {
    target,
    variant,
    bodyBytes: 75_000,
    run: 1,
    count: 100,
    streaming: 100,
    opened: 100,
    errors: 0,
    startKb: 50_000,
    idleKb: 60_000,
    openKb: 61_000,
    afterKb: 60_000,
    gc: { idle: { rssKb: 55_000, heapUsedKb: 30_000 }, open: { rssKb: 56_000, heapUsedKb: heapOpenKb } },
  };
}

/** The team lanes over two runs: PostgreSQL + Redis adds 0.2 ms on chat-small and 0.5 ms on msg-cc. */
function results(): BenchResults {
  const p50: Record<string, Record<string, number>> = {
    "team-sqlite-chat-small": { direct: 6, proxy: 6.1, llmux: 6.4, compare: 6.6 },
    "team-pg-chat-small": { direct: 6, proxy: 6.1, llmux: 6.6, compare: 7 },
    "team-sqlite-msg-cc": { direct: 6, proxy: 6.1, llmux: 6.4, compare: 6.6 },
    "team-pg-msg-cc": { direct: 6, proxy: 6.1, llmux: 6.9, compare: 7 },
  };
  const cpu: Record<string, number> = { direct: 0.1, proxy: 0.1, llmux: 0.15, compare: 0.3 };
  const thr: Record<string, number> = { direct: 4000, proxy: 2000, llmux: 1000, compare: 800 };
  const targets: TargetName[] = ["direct", "proxy", "llmux", "compare"];
  const cells: Cell[] = [];
  const infos: LaneInfo[] = [];
  for (const [lane, byTarget] of Object.entries(p50)) {
    infos.push({ id: lane, title: lane, kind: "passthrough", stream: false, bytes: 2000, source: "x", targets });
    for (const run of [1, 2])
      for (const target of targets)
        for (const concurrency of [1, 16])
          cells.push({
            lane,
            target,
            concurrency,
            run,
            result: result(byTarget[target]!, thr[target]!),
            cpuPerRequestMs: cpu[target]!,
          });
  }
  return {
    meta: {
      date: "2026-01-01",
      quick: true,
      runs: 2,
      node: "v20",
      cpu: "test CPU",
      cores: 2,
      memMb: 4096,
      kernel: "test",
      llmuxVersion: "0.0.0",
      git: "commit abc1234",
      upstream: { latencyMs: 5, chunkDelayMs: 1, deltas: 6, chunkChars: 8 },
      durations: { c1Ms: 400, cNMs: 300, warmupMs: 100 },
      concurrencies: [1, 16],
      streamsCount: 100,
      wallSeconds: 60,
      compare: { label: "llmux@3c151be", rev: "3c151be", dist: "/x/dist" },
    },
    lanes: infos,
    peers: [],
    fidelity: [],
    cells,
    curve: [],
    rss: [],
    streams: [
      stream("llmux", "Messages passthrough, Claude Code body (75 kB)", 32_000),
      stream("compare", "Messages passthrough, Claude Code body (75 kB)", 34_000),
    ],
    profiles: [],
    websocket: {
      model: "bench-compat",
      turns: 8,
      sessions: 2,
      httpMs: [1],
      wsMs: [1],
      idle: { sockets: 1000, rssBeforeKb: 50_000, rssAfterKb: 75_000, perSocketKb: 25 },
    },
  } as BenchResults;
}

describe("bench team report", () => {
  it("gives llmux − proxy, CPU ÷ proxy and the engines' difference, each against its goal", () => {
    const r = results();
    expect(engineDifference(r, "chat-small")?.median).toBeCloseTo(0.2, 6);
    expect(engineDifference(r, "msg-cc")?.median).toBeCloseTo(0.5, 6);
    const rows = evaluateTargets(r).filter((t) => t.group === "team");
    const row = (what: string) => rows.find((t) => t.what.startsWith(what))!;
    expect(row("team-sqlite-chat-small (SQLite + in-process state): llmux − proxy")).toMatchObject({
      measured: "0.30 ms",
      goal: "≤ 0.4 ms",
      met: true,
    });
    expect(row("team-pg-msg-cc (PostgreSQL + Redis): llmux − proxy").met).toBe(false);
    expect(row("team-pg-msg-cc (PostgreSQL + Redis): CPU").measured).toBe("1.50 ×");
    expect(row("chat-small: PostgreSQL + Redis − SQLite").met).toBe(true);
    expect(row("msg-cc: PostgreSQL + Redis − SQLite")).toMatchObject({ measured: "0.50 ms", met: false });
    const md = renderMarkdown(r);
    expect(md).toContain("## Team features (both engines)");
    expect(md).toMatch(/\| chat-small \| 0\.30 \| 1\.50 × \| 50 % \| 0\.50 \| 1\.50 × \| 50 % \| 0\.20 \|/);
    expect(row("team-pg-chat-small (PostgreSQL + Redis): throughput at c=16")).toMatchObject({
      measured: "50 %",
      goal: "≥ 60 %",
      met: false,
    });
  });

  it("holds the memory per open stream and per idle WebSocket to their goals", () => {
    const memory = evaluateTargets(results()).filter((t) => t.group === "memory");
    expect(
      memory.find((t) => t.what.startsWith("heap per open stream (Messages passthrough, Claude Code body")),
    ).toMatchObject({ measured: "20.0 KB", goal: "≤ 30 KB", met: true });
    expect(memory.find((t) => t.what === "llmux RSS idle, after a few requests and a full GC")).toMatchObject({
      measured: "53.7 MB",
      met: true,
    });
    expect(memory.find((t) => t.what.startsWith("KB per idle Responses WebSocket"))).toMatchObject({
      measured: "25.0 KB",
      goal: "≤ 20 KB",
      met: false,
    });
  });

  it("holds the heap per open stream with team features on to the same goal, apart from the idle figures", () => {
    const r = results();
    // The team variant's own server first: its idle RSS (another configuration) is not the gateway's idle figure.
    const team: StreamsSample = {
      ...stream("llmux", TEAM_STREAMS_VARIANT, 33_100),
      team: true,
      bodyBytes: 2_000,
      gc: { idle: { rssKb: 99_000, heapUsedKb: 30_000 }, open: { rssKb: 103_000, heapUsedKb: 33_100 } },
    };
    r.streams.unshift(team);
    const memory = evaluateTargets(r).filter((t) => t.group === "memory");
    expect(
      memory.find((t) => t.what === `heap per open stream (${TEAM_STREAMS_VARIANT}; after a full GC)`),
    ).toMatchObject({ measured: "31.0 KB", goal: "≤ 30 KB", met: false });
    expect(
      memory.find((t) => t.what === `KB per open idle stream (${TEAM_STREAMS_VARIANT}; RSS after a full GC)`),
    ).toMatchObject({ measured: "40.0 KB", met: false });
    expect(memory.find((t) => t.what === "llmux RSS idle, after a few requests and a full GC")).toMatchObject({
      measured: "53.7 MB",
    });
  });

  it("compares the team lanes and the heap per open stream with the compared build", () => {
    const text = compareLines(results()).join("\n");
    expect(text).toContain("| `team-pg-msg-cc` | added p50 over the minimal proxy, c=1 (ms) | 0.80 | 0.90 |");
    expect(text).toContain(
      "| open streams | heap per open stream, Messages passthrough, Claude Code body (75 kB) (KB, after a full GC) | 20.0 | 40.0 | 0.50× |",
    );
  });
});

describe("bench --workers-only CPU split", () => {
  it("gives llmux the first half of the CPUs and the load the rest", () => {
    expect(parseCpuList("0-2,5")).toEqual([0, 1, 2, 5]);
    expect(parseCpuList("3")).toEqual([3]);
    expect(planPinning([0])).toBeUndefined();
    expect(planPinning([0, 1])).toEqual({ llmux: [0], load: [1] });
    expect(planPinning([0, 1, 2, 3])).toEqual({ llmux: [0, 1], load: [2, 3] });
    expect(planPinning([2, 3, 4])).toEqual({ llmux: [2], load: [3, 4] });
    expect(USAGE).toContain("taskset");
  });
});
