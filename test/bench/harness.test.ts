import { describe, expect, it } from "vitest";
import { buildLanes, llmuxConfig, replyScript, scaledClaudeCodeBody, TOKEN_MARKER } from "../../bench/lanes.js";
import { area, flameGraphSvg, summarizeProfile } from "../../bench/profile.js";
import { renderMarkdown } from "../../bench/report.js";
import { renderChart } from "../../bench/report-chart.js";
import { added, maxThroughput } from "../../bench/report-figures.js";
import { fmt } from "../../bench/report-format.js";
import { evaluateTargets } from "../../bench/report-targets.js";
import { resultsFile } from "../../bench/results-file.js";
import { linearFit, logLogSlope, percentile, spread, summarize } from "../../bench/stats.js";
import type { BenchResults, Cell, RunResult, TargetName } from "../../bench/types.js";

// The benchmark's pure helpers only: no servers, no timing assertions.

describe("bench statistics", () => {
  it("interpolates percentiles between ranks", () => {
    const s = Float64Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(percentile(s, 0)).toBe(1);
    expect(percentile(s, 50)).toBe(5.5);
    expect(percentile(s, 100)).toBe(10);
    expect(percentile(s, 90)).toBeCloseTo(9.1);
    expect(percentile([], 50)).toBeNaN();
    expect(percentile([7], 99)).toBe(7);
  });

  it("summarises unsorted values", () => {
    const sum = summarize([5, 1, 4, 2, 3]);
    expect(sum).toMatchObject({ n: 5, min: 1, p50: 3, max: 5, mean: 3 });
    expect(summarize([]).n).toBe(0);
  });

  it("gives median and range over runs, ignoring missing runs", () => {
    expect(spread([3, undefined, 1, 2])).toEqual({ median: 2, min: 1, max: 3, n: 3 });
    expect(spread([undefined, Number.NaN])).toBeUndefined();
  });

  it("fits slopes", () => {
    expect(logLogSlope([10, 100, 1000].map((x) => ({ x, y: 2 * x })))).toBeCloseTo(1);
    expect(logLogSlope([10, 100, 1000].map((x) => ({ x, y: x * x })))).toBeCloseTo(2);
    expect(linearFit([0, 1, 2].map((x) => ({ x, y: 1 + 3 * x })))).toEqual({ a: 1, b: 3 });
  });
});

describe("bench lanes", () => {
  it("builds every lane from the shared fixtures, with a marker-bearing reply", () => {
    const lanes = buildLanes({ mockOrigin: "http://127.0.0.1:1", largeBytes: 500_000 });
    expect(lanes.map((l) => l.id)).toContain("msg-cc");
    for (const l of lanes) expect(typeof l.body).toBe("object");
    const script = replyScript(6, 8);
    expect(script.blocks[0]).toMatchObject({ type: "text" });
    expect(JSON.stringify(script)).toContain(TOKEN_MARKER);
    expect(llmuxConfig(4010, ["127.0.0.1", "127.0.0.2"])).toContain("anth2:");
  });

  it("scales a Claude Code body to about the size asked for", () => {
    for (const target of [10_000, 100_000, 1_000_000]) {
      const size = Buffer.byteLength(JSON.stringify(scaledClaudeCodeBody(target)));
      expect(Math.abs(size - target) / target).toBeLessThan(0.05);
    }
  });
});

function run(p50: number, thr: number, extra: Partial<RunResult> = {}): RunResult {
  const sum = { n: 100, min: p50, p50, p90: p50, p99: p50 * 1.5, max: p50 * 2, mean: p50 };
  return {
    requests: 100,
    errors: 0,
    timedOut: 0,
    elapsedMs: 1000,
    throughput: thr,
    latency: sum,
    ttfb: { ...sum, p50: p50 / 2 },
    ttft: { ...sum, p50: p50 / 2 + 1 },
    gap: { ...sum, p50: 1, p99: 2 },
    loadgenCpuMs: 100,
    wallMs: 1300,
    totalRequests: 120,
    ...extra,
  };
}

function fakeResults(): BenchResults {
  const cells: Cell[] = [];
  const lat: Record<TargetName, number> = { direct: 6, proxy: 6.1, llmux: 6.2, compare: 6.3, portkey: 10, ccr: 40 };
  for (const runNo of [1, 2, 3]) {
    for (const lane of ["chat-small", "msg-cc"]) {
      for (const t of ["direct", "proxy", "llmux", "portkey", "ccr"] as TargetName[]) {
        for (const c of [1, 16, 64]) {
          cells.push({
            lane,
            target: t,
            concurrency: c,
            run: runNo,
            result: run(lat[t] * (c === 1 ? 1 : c / 8) + runNo * 0.01, (1000 / lat[t]) * c),
            cpuPerRequestMs: t === "direct" ? 0.2 : 0.5,
          });
        }
      }
    }
  }
  return {
    meta: {
      date: "2026-01-01",
      quick: false,
      runs: 3,
      node: "v20",
      cpu: "test CPU",
      cores: 2,
      memMb: 4096,
      kernel: "test",
      llmuxVersion: "0.0.0",
      git: "commit test",
      upstream: { latencyMs: 5, chunkDelayMs: 1, deltas: 6, chunkChars: 8 },
      durations: { c1Ms: 1500, cNMs: 800, warmupMs: 300 },
      concurrencies: [1, 16, 64],
      streamsCount: 1000,
      wallSeconds: 500,
      foreignCpu: { medianPct: 1, maxPct: 30, over: 1, cells: 72, limitPct: 15, retries: 2 },
    },
    lanes: ["chat-small", "msg-cc"].map((id) => ({
      id,
      title: id,
      kind: "passthrough" as const,
      stream: id === "msg-cc",
      bytes: 2000,
      upstreamBytes: 2000,
      source: "fixture.json",
      targets: ["direct", "llmux", "portkey", "ccr"] as TargetName[],
    })),
    peers: [{ target: "portkey", version: "1.15.2", ok: true, note: "cached" }],
    fidelity: [
      {
        lane: "msg-cc",
        target: "portkey",
        clientBytes: 75_000,
        upstreamBytes: 74_900,
        droppedKeys: ["output_config"],
        changedKeys: [],
      },
    ],
    cells,
    curve: [10_000, 100_000, 1_000_000].flatMap((bytes) =>
      (["direct", "llmux"] as const).map((target) => ({
        lane: "curve-passthrough",
        target,
        bytes,
        run: 1,
        result: run(target === "direct" ? 20 : 20 + bytes / 100_000, 50),
      })),
    ),
    rss: [{ target: "llmux", phase: "after run 1", run: 1, rssKb: 50_000 }],
    streams: [
      {
        target: "llmux",
        variant: "passthrough",
        bodyBytes: 2400,
        run: 1,
        count: 1000,
        streaming: 1000,
        opened: 1000,
        errors: 0,
        startKb: 50_000,
        idleKb: 52_000,
        openKb: 70_000,
        afterKb: 53_000,
      },
    ],
    profiles: [],
  };
}

describe("bench report", () => {
  it("computes added figures run by run and the best throughput within the p99 limit", () => {
    const r = fakeResults();
    const a = added(r, "chat-small", "llmux", 1, (x) => x.latency.p50)!;
    expect(a.median).toBeCloseTo(0.2);
    expect(fmt(a)).toBe("0.20");
    expect(maxThroughput(r, "chat-small", "direct").at).toEqual([16, 16, 16]);
  });

  it("evaluates the targets", () => {
    const rows = evaluateTargets(fakeResults());
    const p50 = rows.find((t) => t.what === "chat-small: added p50, c=1")!;
    expect(p50.met).toBe(true);
    const ratio = rows.find((t) => t.what === "msg-cc: llmux / claude-code-router, c=16")!;
    expect(ratio.met).toBe(true);
    const perStream = rows.find((t) => t.what.startsWith("KB per open idle stream"))!;
    expect(perStream.measured).toBe("18.0 KB");
    const slope = rows.find((t) => t.what.startsWith("curve-passthrough"))!;
    expect(slope.met).toBeDefined();
    // Issue 45's passthrough goals: CPU ÷ the proxy's, throughput at the highest concurrency as its share.
    const cpu = rows.find((t) => t.what === "chat-small: CPU per request ÷ the proxy's")!;
    // llmux and the proxy both cost 0.5 ms a request; llmux answers 6.1 / 6.2 of the proxy's requests per second.
    expect(cpu.goal).toBe("≤ 2.5 ×");
    expect(cpu.measured).toMatch(/^1\.00 ×/);
    expect(cpu.met).toBe(true);
    const thr = rows.find((t) => t.what.startsWith("chat-small: throughput at c=64, % of the proxy's"))!;
    expect(thr.goal).toBe("≥ 60 %");
    expect(thr.measured).toMatch(/^98 %/);
    expect(thr.met).toBe(true);
    expect(rows.find((t) => t.what.startsWith("llmux RSS idle"))?.goal).toBe("≤ 70 MB");
  });

  it("renders the markdown report and the chart", () => {
    const r = fakeResults();
    const md = renderMarkdown(r);
    expect(md).toContain("# Performance");
    expect(md).toContain("## Targets");
    expect(md).toContain("| `chat-small` | **llmux** |");
    expect(md).toContain("`output_config`");
    const svg = renderChart(r);
    expect(svg.startsWith("<svg")).toBe(true);
    expect(svg).toContain("chat-small");
    expect(svg.trim().endsWith("</svg>")).toBe(true);
  });
});

describe("bench CPU profiles", () => {
  const profile = {
    startTime: 0,
    endTime: 4000,
    nodes: [
      { id: 1, callFrame: { functionName: "(root)", url: "", lineNumber: -1, columnNumber: -1 }, children: [2, 4] },
      {
        id: 2,
        callFrame: { functionName: "handle", url: "file:///x/dist/gateway/gateway.js", lineNumber: 9, columnNumber: 0 },
        children: [3],
      },
      {
        id: 3,
        callFrame: {
          functionName: "parse",
          url: "file:///x/node_modules/undici/lib/x.js",
          lineNumber: 0,
          columnNumber: 0,
        },
      },
      { id: 4, callFrame: { functionName: "(idle)", url: "", lineNumber: -1, columnNumber: -1 } },
    ],
    samples: [2, 3, 3, 4],
    timeDeltas: [0, 1000, 1000, 1000],
  };

  it("charges self time per function, leaving idle out", () => {
    const sum = summarizeProfile(profile, 5, "/x");
    expect(sum.top[0]).toMatchObject({ fn: "parse" });
    expect(sum.top[0]!.selfPct).toBeCloseTo(66.7, 0);
    expect(sum.byArea.map((a) => a.area)).toEqual(["npm: undici", "llmux: gateway"]);
    expect(area("(garbage collector)", "")).toBe("GC");
    expect(flameGraphSvg(profile, "t")).toContain("handle");
  });
});

describe("bench results file", () => {
  it("keeps a run written elsewhere (--out) apart from the full run's saved results", () => {
    const base = { quick: false, peers: true, profile: "auto" as const };
    expect(resultsFile({ ...base, out: "docs/performance.md" }, "/repo/.cache")).toBe(
      "/repo/.cache/bench-results.json",
    );
    expect(resultsFile({ ...base, out: "/tmp/q1.md" }, "/repo/.cache")).toBe("/repo/.cache/bench-results-q1.json");
  });
});

describe("bench report and the repository", () => {
  it("names no file under the ignored .cache/ as if readers had it, per lane", () => {
    const r = fakeResults();
    r.profiles = [
      {
        lane: "chat-small",
        concurrency: 1,
        requests: 10,
        totalMs: 100,
        top: [],
        byArea: [{ area: "llmux: gateway", selfPct: 50 }],
        flamegraph: ".cache/bench-profiles/chat-small-c1.svg",
      },
    ];
    const md = renderMarkdown(r);
    expect(md).toContain("### `chat-small` (c = 1, 10 requests)\n");
    expect(md).not.toContain("chat-small-c1.svg");
    expect(md).toContain("they are not kept in the repository");
  });
});
