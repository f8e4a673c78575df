import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CallgrindProcess, callgrindArgs, callgrindTotal } from "../../bench/callgrind.js";
import { instructionCounts } from "../../bench/instructions.js";
import { curveCpuPerMb, curveCpuPerMbRatio } from "../../bench/report-figures.js";
import {
  type InstrCell,
  type InstrResults,
  perMb,
  perRequest,
  renderInstructions,
} from "../../bench/report-instructions.js";
import { renderBodySize } from "../../bench/report-results.js";
import { evaluateTargets } from "../../bench/report-targets.js";
import { markedSection, SECTION_BEGIN, SECTION_END, spliceSection } from "../../bench/section.js";
import type { BenchResults, CurvePoint, RunResult, TargetName } from "../../bench/types.js";

// The instruction counts' parser, figures and report section, and the CPU per MB of the body-size curve.

const DUMP = `# callgrind format
version: 1
creator: callgrind-3.19.0
pid: 4242
cmd:  node server.js
part: 2

positions: line
events: Ir
summary: 55034542

ob=(10) /usr/bin/node
fn=(1) uv__stream_open
403 100

totals: 55140570
`;

describe("callgrind dumps", () => {
  it("reads the totals line, else the summary line, else nothing", () => {
    expect(callgrindTotal(DUMP)).toBe(55_140_570);
    expect(callgrindTotal(DUMP.replace(/^totals:.*$/m, ""))).toBe(55_034_542);
    expect(callgrindTotal("events: Ir Dr\nsummary: 12 7\n")).toBe(12);
    expect(callgrindTotal("# callgrind format\nevents: Ir\nfn=(1) f\n3 4\n")).toBeUndefined();
  });

  it("starts node under callgrind with instrumentation off", () => {
    const args = callgrindArgs("/tmp/x.cg");
    expect(args).toContain("--tool=callgrind");
    expect(args).toContain("--smc-check=all-non-file");
    expect(args).toContain("--callgrind-out-file=/tmp/x.cg");
    expect(args).toContain("--instr-atstart=no");
  });
});

// The oracle: a real node process under callgrind, a loop of a known number of iterations between two dumps.
// valgrind is a system dependency of the tests (scripts/system-deps.sh): without it this fails, it is not skipped.
describe("callgrind on a real node process", () => {
  it("counts at least one instruction per loop iteration, dump by dump", { timeout: 600_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), "llmux-callgrind-"));
    const script =
      "let x = 0; process.stdin.setEncoding('utf8');" +
      "process.stdin.on('data', (d) => { const n = Number(d.trim()); for (let i = 0; i < n; i++) x = (x + i) | 0; console.log('done', x); });" +
      "console.log('ready');";
    const child = spawn("valgrind", [...callgrindArgs(join(dir, "t.cg")), process.execPath, "-e", script], {
      stdio: ["pipe", "pipe", "ignore"],
    });
    let out = "";
    let wake = () => {};
    child.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      wake();
    });
    const exited = new Promise<never>((_, reject) =>
      child.once("exit", (code) => reject(new Error(`exited ${code}: ${out}`))),
    );
    exited.catch(() => undefined);
    // Until the script has printed `n` lines (ready, then one per loop).
    const waitFor = (n: number) =>
      Promise.race([
        exited,
        new Promise<void>((resolve) => {
          wake = () => {
            if ((out.match(/^(ready|done)/gm) ?? []).length >= n) resolve();
          };
          wake();
        }),
      ]);
    try {
      await waitFor(1);
      const cg = new CallgrindProcess(child.pid!, join(dir, "t.cg"));
      await cg.instrument(true);
      await cg.zero();
      child.stdin!.write("1000\n");
      await waitFor(2);
      const small = await cg.dump();
      child.stdin!.write("10000000\n");
      await waitFor(3);
      const large = await cg.dump();
      expect(small).toBeGreaterThan(0);
      expect(large - small).toBeGreaterThanOrEqual(9_000_000);
      // Not wildly more either: a few instructions per iteration once optimised (the interpreter's first ones more).
      expect(large).toBeLessThan(2_000_000_000);
    } finally {
      child.kill("SIGKILL");
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

function cell(lane: string, target: TargetName, c: number, bytes: number, perReq: number[], n = 200): InstrCell {
  return {
    lane,
    bytes,
    target,
    concurrency: c,
    requests: n,
    instructions: perReq.map((v) => (v * n) / 2),
    errors: 0,
    wallMs: 60_000,
  };
}

function instrResults(): InstrResults {
  const cells: InstrCell[] = [];
  for (const c of [1, 8]) {
    cells.push(cell("chat-small", "proxy", c, 2300, [1e6, 1e6]));
    cells.push(cell("chat-small", "llmux", c, 2300, [4.8e6, 5.2e6]));
    cells.push(cell("chat-small", "compare", c, 2300, [4e6, 4e6]));
  }
  for (const bytes of [64_000, 512_000, 2_000_000]) {
    const mb = bytes / 1e6;
    cells.push(cell("curve-translation", "proxy", 1, bytes, [1e6 + 5e6 * mb, 1e6 + 5e6 * mb], 10));
    cells.push(cell("curve-translation", "llmux", 1, bytes, [1e7 + 5e7 * mb, 1e7 + 5e7 * mb], 10));
    cells.push(cell("curve-translation", "compare", 1, bytes, [1e7 + 1e8 * mb, 1e7 + 1e8 * mb], 10));
  }
  return {
    meta: {
      date: "2026-01-01",
      quick: false,
      node: "v20",
      git: "commit test",
      wallSeconds: 300,
      compare: { label: "llmux@abc1234", rev: "abc1234" },
    },
    lanes: [
      { id: "chat-small", bytes: 2300 },
      { id: "curve-translation", bytes: 64_000 },
    ],
    cells,
    idle: [{ server: "llmux", perSecond: 1000 }],
  };
}

describe("instruction figures", () => {
  it("gives instructions per request with the two halves' range", () => {
    expect(perRequest(cell("l", "llmux", 1, 1, [4.8e6, 5.2e6]))).toEqual({ median: 5e6, min: 4.8e6, max: 5.2e6, n: 2 });
    expect(perRequest(undefined)).toBeUndefined();
  });

  it("gives the slope of instructions against the body size, per MB", () => {
    const r = instrResults();
    expect(perMb(r, "curve-translation", "llmux")!.median).toBeCloseTo(5e7);
    expect(perMb(r, "curve-translation", "proxy")!.median).toBeCloseTo(5e6);
    expect(perMb(r, "chat-small", "llmux")).toBeUndefined();
  });

  it("counts fewer requests for large bodies, never fewer than 10", () => {
    expect(instructionCounts(false, 2300)).toEqual({ requests: 200, warmup: 300 });
    expect(instructionCounts(false, 2_000_000).requests).toBe(10);
    expect(instructionCounts(true, 2300).requests).toBe(60);
  });

  it("renders the section: per request, ratios to the proxy and the compared build, per MB", () => {
    const md = renderInstructions(instrResults());
    expect(md).toMatch(/^## Instructions per request \(callgrind\)/);
    expect(md).toContain("**Method.**");
    const row = md.split("\n").find((l) => l.startsWith("| `chat-small` (2.3 kB) | 1 |"))!;
    expect(row).toContain("5.00 M (4.80–5.20)");
    expect(row).toContain("5.00× (4.80–5.20)");
    expect(row).toContain("1.25×");
    const perMbRow = md.split("\n").find((l) => l.startsWith("| `curve-translation` | llmux |"))!;
    expect(perMbRow).toContain("| 50.0 M | 10.00× |");
    expect(md).toContain("llmux per MB ÷ llmux@abc1234's 0.50×");
  });
});

describe("the instruction section in docs/performance.md", () => {
  const doc = "# Performance\n\n## Method\n\ntext\n\n## Results\n\nfigures\n";

  it("goes before the results the first time, then replaces itself", () => {
    const once = spliceSection(doc, "## Instructions\n\nfirst");
    expect(once.indexOf(SECTION_BEGIN)).toBeLessThan(once.indexOf("## Results"));
    expect(once).toContain("first");
    const twice = spliceSection(once, "## Instructions\n\nsecond $& $1");
    expect(twice).not.toContain("first");
    expect(twice).toContain("second $& $1");
    expect(twice.split(SECTION_BEGIN).length).toBe(2);
  });

  it("survives a regenerated page", () => {
    const kept = markedSection(spliceSection(doc, "## Instructions\n\nkept"))!;
    expect(kept.endsWith(SECTION_END)).toBe(true);
    const regenerated = spliceSection("# Performance\n\n## Results\n\nnew figures\n", kept);
    expect(regenerated).toContain("kept");
    expect(regenerated).toContain("new figures");
    expect(spliceSection("# no results heading", "x")).toMatch(/x\n<!-- \/bench:instructions -->\n$/);
  });
});

function runResult(): RunResult {
  const s = { n: 10, min: 1, p50: 1, p90: 1, p99: 1, max: 1, mean: 1 };
  return {
    requests: 10,
    errors: 0,
    timedOut: 0,
    elapsedMs: 100,
    throughput: 10,
    latency: s,
    ttfb: s,
    loadgenCpuMs: 1,
    wallMs: 100,
    totalRequests: 12,
  };
}

describe("CPU per MB on the body-size curve", () => {
  // ms per request = a + b × MB: the proxy 0.1 + 2 MB⁻¹, llmux 1 + 20 (run 1) or 24 (run 2) MB⁻¹.
  const curve: CurvePoint[] = [1, 2].flatMap((run) =>
    [10_000, 100_000, 1_000_000].flatMap((bytes) =>
      (["direct", "proxy", "llmux"] as const).map((target) => {
        const p: CurvePoint = { lane: "curve-translation", target, bytes, run, result: runResult() };
        const mb = bytes / 1e6;
        if (target === "proxy") p.cpuPerRequestMs = 0.1 + 2 * mb;
        if (target === "llmux") p.cpuPerRequestMs = 1 + (run === 1 ? 20 : 24) * mb;
        return p;
      }),
    ),
  );
  const r = { cells: [], curve, lanes: [], meta: {} } as unknown as BenchResults;

  it("is the slope of CPU per request against the size, llmux ÷ the proxy run by run", () => {
    expect(curveCpuPerMb(r, "curve-translation", "proxy")!.median).toBeCloseTo(2);
    const llmux = curveCpuPerMb(r, "curve-translation", "llmux")!;
    expect(llmux.min).toBeCloseTo(20);
    expect(llmux.max).toBeCloseTo(24);
    const ratio = curveCpuPerMbRatio(r, "curve-translation")!;
    expect(ratio.min).toBeCloseTo(10);
    expect(ratio.max).toBeCloseTo(12);
    expect(curveCpuPerMb(r, "curve-translation", "direct")).toBeUndefined();
  });

  it("is in the body-size section and the targets (goal ≤ 6× translated)", () => {
    const out: string[] = [];
    renderBodySize(r, (s = "") => out.push(s));
    const row = out
      .join("\n")
      .split("\n")
      .find((l) => l.startsWith("| `curve-translation` | 2.00"))!;
    expect(row).toContain("22.0 (20.0–24.0)");
    expect(row).toMatch(/\| 11\.0 \((9\.99|10\.0)\d*–12\.0\)× \|$/);
    const target = evaluateTargets({ ...r, streams: [], rss: [], profiles: [] } as BenchResults).find((t) =>
      t.what.startsWith("curve-translation: CPU per MB"),
    )!;
    expect(target.met).toBe(false);
    expect(target.goal).toBe("≤ 6 ×");
  });
});
