/** `npm run bench -- --compare REV`: its options, and the "compared with REV" table, from made-up results. */
import { describe, expect, it } from "vitest";
import { LONG_DELTAS, LONG_LANE, SHORT_LANE } from "../../bench/lanes.js";
import { parseOptions, settingsFor, USAGE } from "../../bench/options.js";
import { sseEvents } from "../../bench/probe.js";
import { renderMarkdown } from "../../bench/report.js";
import { compareLines } from "../../bench/report-compare.js";
import type { BenchResults, Cell, RunResult, TargetName } from "../../bench/types.js";

describe("bench --compare options", () => {
  it("takes a revision or a built directory, not both, and not the next option", () => {
    expect(parseOptions(["--compare", "3c151be", "--quick"])).toMatchObject({ compare: "3c151be", quick: true });
    expect(parseOptions(["--compare", "HEAD~5"]).compare).toBe("HEAD~5");
    expect(parseOptions(["--compare-dist", "../old/dist"]).compareDist).toBe("../old/dist");
    expect(parseOptions([]).compare).toBeUndefined();
    expect(() => parseOptions(["--compare"])).toThrow(/--compare needs a value/);
    expect(() => parseOptions(["--compare", "--quick"])).toThrow(/needs a git revision/);
    expect(() => parseOptions(["--compare", "a", "--compare-dist", "b"])).toThrow(/exclude each other/);
    for (const o of ["--compare REV", "--compare-dist DIR"]) expect(USAGE).toContain(o);
  });
});

describe("bench --windows and --window-ms", () => {
  it("set how many windows each target gets at c > 1 and how long they are, within bounds, and the method says so", () => {
    const o = parseOptions(["--windows", "10", "--window-ms", "3000", "--compare", "HEAD"]);
    expect(o).toMatchObject({ windows: 10, windowMs: 3000 });
    expect(settingsFor(o)).toMatchObject({ windows: 10, cNMs: 3000 });
    expect(settingsFor(parseOptions(["--quick", "--windows", "4"]))).toMatchObject({ windows: 4, cNMs: 300 });
    // Without them: the run's defaults.
    expect(settingsFor(parseOptions([]))).toMatchObject({ windows: 3, cNMs: 500 });
    expect(settingsFor(parseOptions(["--quick"]))).toMatchObject({ windows: 2, cNMs: 300 });
    for (const bad of ["1", "51", "2.5", "x", "-3"])
      expect(() => parseOptions(["--windows", bad])).toThrow(
        `--windows needs a whole number from 2 to 50, not "${bad}"`,
      );
    expect(() => parseOptions(["--window-ms", "99"])).toThrow(/--window-ms needs a whole number from 100 to 60000/);
    expect(() => parseOptions(["--windows"])).toThrow(/--windows needs a value/);
    for (const u of ["--windows N", "--window-ms MS"]) expect(USAGE).toContain(u);
    // The report's method names the count a run used; results saved before it was recorded do not.
    const r = results();
    r.meta.durations = { ...r.meta.durations, windows: 10 };
    expect(renderMarkdown(r)).toContain("each target runs alone in 10 short windows a concurrency (`--windows`");
    const old = results();
    expect(renderMarkdown(old)).toContain("each target runs alone in short windows, interleaved");
  });
});

describe("bench SSE event count", () => {
  it("counts the blocks that carry data", () => {
    expect(sseEvents("event: a\ndata: {}\n\nevent: b\ndata: {}\n\n: keep-alive\n\ndata: [DONE]\n\n")).toBe(3);
    expect(sseEvents('{"id":"x"}')).toBe(0);
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

/** µs of CPU per streamed event, per target, in the made-up long-stream lane below. */
const PER_EVENT: Record<string, number> = { direct: 2, proxy: 5, llmux: 20, compare: 40 };

/**
 * Two runs of one streamed lane, and of the long-stream lane and its short twin; the compared build adds twice
 * llmux's latency and uses twice its CPU (per request and per event).
 */
function results(withCompare = true): BenchResults {
  const targets: TargetName[] = withCompare ? ["direct", "proxy", "llmux", "compare"] : ["direct", "proxy", "llmux"];
  const p50: Record<string, number> = { direct: 6, proxy: 6.1, llmux: 6.3, compare: 6.5 };
  const cpu: Record<string, number> = { direct: 0.1, proxy: 0.05, llmux: 0.2, compare: 0.4 };
  const thr: Record<string, number> = { direct: 4000, proxy: 2000, llmux: 1000, compare: 800 };
  const laneCpu = (lane: string, target: string) =>
    cpu[target]! + (lane === LONG_LANE ? ((LONG_DELTAS - 6) * PER_EVENT[target]!) / 1000 : 0);
  const cells: Cell[] = [];
  for (const lane of ["msg-cc", SHORT_LANE, LONG_LANE])
    for (const run of [1, 2])
      for (const target of targets)
        for (const concurrency of [1, 16, 64])
          cells.push({
            lane,
            target,
            concurrency,
            run,
            result: result(p50[target]!, thr[target]!),
            cpuPerRequestMs: laneCpu(lane, target),
          });
  const streamed = (id: string) => ({
    id,
    title: id,
    kind: "translation" as const,
    stream: true,
    bytes: 2_400,
    source: "fixture.json",
    targets,
  });
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
      concurrencies: [1, 16, 64],
      streamsCount: 200,
      wallSeconds: 60,
      ...(withCompare
        ? { compare: { label: "llmux@3c151be", rev: "3c151be", sha: "3c151be7704b", dist: "/x/dist" } }
        : {}),
    },
    lanes: [
      {
        id: "msg-cc",
        title: "Messages → Anthropic",
        kind: "passthrough",
        stream: true,
        bytes: 75_000,
        source: "fixture.json",
        targets,
        events: withCompare ? { llmux: 10, compare: 10 } : { llmux: 10 },
      },
      streamed(SHORT_LANE),
      streamed(LONG_LANE),
    ],
    peers: [],
    fidelity: [],
    cells,
    curve: [],
    rss: [1, 2].flatMap((run) => [
      { target: "llmux" as const, phase: `after run ${run}`, run, rssKb: 60 * 1024 },
      ...(withCompare ? [{ target: "compare" as const, phase: `after run ${run}`, run, rssKb: 80 * 1024 }] : []),
    ]),
    streams: [],
    profiles: [],
  };
}

describe("bench compared-with table", () => {
  it("prints both builds per lane, their ratios to the proxy, and current / compared", () => {
    const lines = compareLines(results());
    expect(lines[0]).toBe("## Compared with 3c151be");
    const text = lines.join("\n");
    expect(text).toContain("| lane | figure | llmux (current) | llmux@3c151be | current / compared |");
    const row = (figure: string) =>
      text
        .split("\n")
        .find((l) => l.startsWith("| ") && l.includes(figure))!
        .split(" | ");
    // added over the proxy: 0.2 against 0.4
    expect(row("added p50 over the minimal proxy")).toEqual([
      "| `msg-cc`",
      "added p50 over the minimal proxy, c=1 (ms)",
      "0.20",
      "0.40",
      "0.50× |",
    ]);
    expect(row("CPU per request").slice(2)).toEqual(["0.200 (4.00×)", "0.400 (8.00×)", "0.50× |"]);
    expect(row("req/s c=64").slice(2)).toEqual(["1,000 (0.50×)", "800 (0.40×)", "1.25× |"]);
    // Per streamed event: on the long-stream lane alone, over its short twin, per delta added (not CPU ÷ events).
    const perEvent = text.split("\n").filter((l) => l.includes("CPU per streamed event"));
    expect(perEvent).toHaveLength(1);
    expect(perEvent[0]!.split(" | ").slice(0, 2)).toEqual([
      `| \`${LONG_LANE}\``,
      expect.stringContaining("per delta added"),
    ]);
    expect(perEvent[0]!.split(" | ").slice(2)).toEqual(["20.0", "40.0", "0.50× |"]);
    expect(row("RSS after each run").slice(0, 2)).toEqual(["| all lanes", "RSS after each run (MB)"]);
    expect(row("RSS after each run").slice(2)).toEqual(["60.0", "80.0", "0.75× |"]);
  });

  it("takes CPU per request and req/s at c > 1 window by window where the run kept its windows", () => {
    // The machine drifts over each window of a round alike: the run's means put the current build at half the
    // compared one's CPU, but window i of both, measured seconds apart, reads 0.8, 1 and 1.25 times it.
    const r = results();
    const cpuWindows: Record<string, number[]> = { llmux: [0.2, 0.3, 0.5], compare: [0.25, 0.3, 0.4] };
    const thrWindows: Record<string, number[]> = { llmux: [1000, 900, 1100], compare: [800, 900, 1000] };
    for (const c of r.cells) {
      if (c.lane !== "msg-cc" || c.concurrency === 1 || !(c.target in cpuWindows)) continue;
      c.cpuWindows = cpuWindows[c.target];
      c.windows = thrWindows[c.target];
    }
    const text = compareLines(r).join("\n");
    const row = (figure: string) =>
      text
        .split("\n")
        .find((l) => l.startsWith("| `msg-cc`") && l.includes(figure))!
        .split(" | ");
    // The builds' own figures stay the runs' (weighted over all windows); only current / compared is paired.
    expect(row("CPU per request").slice(2)).toEqual([
      "0.200 (4.00×)",
      "0.400 (8.00×)",
      "1.00 (0.80–1.25)× (windows) |",
    ]);
    expect(row("req/s c=64").slice(2)).toEqual(["1,000 (0.50×)", "800 (0.40×)", "1.10 (1.00–1.25)× (windows) |"]);
    expect(text).toContain("except where it says *(windows)*");
    // A window the run could not read the CPU of is left out of the pairs, not counted as 0.
    for (const c of r.cells)
      if (c.lane === "msg-cc" && c.target === "llmux" && c.cpuWindows) c.cpuWindows = [null, 0.3, 0.5];
    const again = compareLines(r)
      .join("\n")
      .split("\n")
      .find((l) => l.startsWith("| `msg-cc`") && l.includes("CPU per request"))!;
    expect(again.split(" | ")[4]).toBe("1.13 (1.00–1.25)× (windows) |");
    // Other lanes, without windows, keep the run-by-run ratio.
    const short = text.split("\n").find((l) => l.startsWith(`| \`${SHORT_LANE}\``) && l.includes("CPU per request"))!;
    expect(short.split(" | ")[4]).toBe("0.50× |");
  });

  it("gives the CPU per streamed event of every target in the report, and its ratio to the proxy's", () => {
    const md = renderMarkdown(results(false));
    const section = md.slice(md.indexOf("### CPU per streamed event"));
    const line = (label: string) => section.split("\n").find((l) => l.startsWith(`| ${label} |`));
    expect(line("mock (direct)")).toBe("| mock (direct) | 2.0 | 0.40 |");
    expect(line("minimal proxy")).toBe("| minimal proxy | 5.0 | 1 |");
    expect(line("llmux")).toBe("| llmux | 20.0 | 4.00 |");
    // Without the long lane there is no such figure (CPU ÷ events is not given in its place).
    const short = results(false);
    short.lanes = short.lanes.filter((l) => l.id !== LONG_LANE);
    expect(renderMarkdown(short)).not.toContain("CPU per streamed event");
  });

  it("is in the report with a compared build, and absent without one", () => {
    expect(renderMarkdown(results())).toContain("## Compared with 3c151be\n");
    expect(renderMarkdown(results()).indexOf("## Compared with")).toBeLessThan(
      renderMarkdown(results()).indexOf("## Results"),
    );
    expect(compareLines(results(false))).toEqual([]);
    expect(renderMarkdown(results(false))).not.toContain("## Compared with");
  });
});
