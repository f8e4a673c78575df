/**
 * One measurement through the load generator: the job for a cell, retries while other processes disturbed it,
 * CPU time and wake-ups of the serving processes per request, and the cells, curve points and RSS samples
 * gathered over the run.
 */
import { cpus } from "node:os";
import type { Fleet } from "./fleet.js";
import { type Lane, TOKEN_MARKER } from "./lanes.js";
import type { Settings } from "./options.js";
import { cpuMs, ForeignCpu, processesNamed, rssKb, wakeups } from "./procs.js";
import { fx, log } from "./progress.js";
import type { BenchResults, Cell, CurvePoint, RequestSpec, RunJob, RunResult, TargetName } from "./types.js";

export interface Measured {
  results: RunResult[];
  /** Per target (not direct when paired, its mock also serving the others): main-thread wake-ups per request. */
  wakeups: (number | undefined)[];
  /** Per target (same rule): CPU time of its serving process per request. */
  cpu: (number | undefined)[];
  foreignCpuPct: number;
}

/** The command names of the local Redis and PostgreSQL processes (bench/procs.ts processesNamed). */
const SERVICES = ["redis-server", "postgres"] as const;

export class Measurer {
  readonly cells: Cell[] = [];
  readonly curve: CurvePoint[] = [];
  readonly rss: BenchResults["rss"] = [];
  loadgenCpuPct = 0;
  readonly foreignSeen: number[] = [];
  private readonly foreign: ForeignCpu;
  /** While a server of Fleet.serviceOrigins is measured: the local Redis and PostgreSQL are part of what is measured. */
  private withServices = false;
  private retrySpentMs = 0;
  private budgetNoted = false;

  constructor(
    private readonly S: Settings,
    private readonly fleet: Fleet,
  ) {
    this.foreign = new ForeignCpu(
      () => (this.withServices ? [...fleet.pids(), ...processesNamed(SERVICES)] : fleet.pids()),
      cpus().length,
    );
  }

  runJob(job: RunJob): Promise<RunResult[]> {
    return this.fleet.runJob(job);
  }

  job(specList: RequestSpec[], c: number, lane: Lane | undefined, durationMs: number): RunJob {
    const S = this.S;
    const j: RunJob = {
      kind: "run",
      specs: specList,
      concurrency: c,
      warmupMs: S.warmupMs,
      warmupMin: 1,
      durationMs,
      minRequests: c === 1 ? S.minC1 : c,
      maxRequests: c === 1 ? S.maxC1 : 1_000_000,
      drainTimeoutMs: S.maxDrainMs,
    };
    if (!lane || lane.stream) j.marker = TOKEN_MARKER;
    return j;
  }

  sampleRss(phase: string, run: number): void {
    for (const t of ["llmux", "compare", "portkey", "ccr", "proxy", "direct"] as TargetName[]) {
      const pid = this.fleet.pidOf(t);
      const kb = pid > 0 ? rssKb(pid) : undefined;
      if (kb !== undefined) this.rss.push({ target: t, phase, run, rssKb: kb });
    }
  }

  /**
   * One measurement of one or more targets (several alternate, request by request); again (up to S.retries
   * times) while other processes disturbed it, keeping the calmest attempt.
   */
  async measure(what: string, targets: TargetName[], j: RunJob): Promise<Measured> {
    const S = this.S;
    let best: Measured | undefined;
    this.withServices = j.specs.some((spec) => this.fleet.serviceOrigins.has(spec.origin));
    for (let attempt = 0; attempt <= S.retries; attempt++) {
      // The mock serves every target of a paired run: its CPU and wake-ups are only attributed when alone.
      const pids = targets.map((t, i) =>
        t === "direct" && targets.length > 1 ? -1 : this.fleet.pidFor(t, j.specs[i]?.origin),
      );
      const w0 = pids.map((p) => (p > 0 ? wakeups(p) : undefined));
      const c0 = pids.map((p) => (p > 0 ? cpuMs(p) : undefined));
      this.foreign.start();
      const results = await this.runJob(j);
      const f = this.foreign.stop();
      const perRequest = (before: (number | undefined)[], read: (pid: number) => number | undefined) =>
        pids.map((p, i) => {
          const a = before[i];
          const b = p > 0 ? read(p) : undefined;
          const n = results[i]!.totalRequests;
          return a !== undefined && b !== undefined && n > 0 ? (b - a) / n : undefined;
        });
      const cand: Measured = {
        results,
        wakeups: perRequest(w0, wakeups),
        cpu: perRequest(c0, cpuMs),
        foreignCpuPct: f,
      };
      if (!best || f < best.foreignCpuPct) best = cand;
      if (f <= S.noisyPct || attempt === S.retries) break;
      if (this.retrySpentMs >= S.retryBudgetMs) {
        if (!this.budgetNoted) log(`retry budget (${S.retryBudgetMs / 1000} s) spent: disturbed measurements are kept`);
        this.budgetNoted = true;
        break;
      }
      log(`${what}: other processes used ${f.toFixed(0)} % of the machine; measuring again`);
      this.retrySpentMs += results[0]!.wallMs;
    }
    const r0 = best!.results[0]!;
    this.loadgenCpuPct = Math.max(this.loadgenCpuPct, (100 * r0.loadgenCpuMs) / r0.wallMs);
    this.foreignSeen.push(best!.foreignCpuPct);
    return best!;
  }

  record(cell: Cell, res: RunResult, got: Measured, what: string, index = 0): void {
    cell.result = res;
    const w = got.wakeups[index];
    if (w !== undefined) cell.wakeupsPerRequest = w;
    const cpu = got.cpu[index];
    if (cpu !== undefined) cell.cpuPerRequestMs = cpu;
    cell.foreignCpuPct = got.foreignCpuPct;
    this.cells.push(cell);
    log(
      `${what}: n=${res.requests} p50 ${fx(res.latency.p50)} p99 ${fx(res.latency.p99)} ` +
        `ttfb ${fx(res.ttfb.p50)} ms, ${fx(res.throughput, 0)} req/s, cpu ${fx(cell.cpuPerRequestMs, 3)} ms/req, ` +
        `wake-ups ${fx(cell.wakeupsPerRequest, 1)}/req, ` +
        `others ${got.foreignCpuPct.toFixed(0)} %` +
        (res.errors ? `, ${res.errors} errors (${res.errorSample})` : ""),
    );
  }
}
