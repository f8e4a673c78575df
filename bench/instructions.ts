/**
 * `npm run bench -- --instructions-only`: instructions executed per request by llmux, the minimal proxy and the
 * compared build (--compare), counted by valgrind's callgrind — figures that foreign load on the machine does not
 * move. Each server runs under callgrind (instrumentation off while it starts and warms up); the mock upstream and
 * the load generator run natively. Per lane and concurrency: warm-up requests, counters zeroed, the requests counted
 * in two halves (each dumped: their difference shows how repeatable the count is), instructions ÷ requests. The
 * body-size curve (64 kB, 512 kB, 2 MB) gives the instructions per MB. Resumable (bench/journal.ts); the section
 * goes into docs/performance.md with --write (bench/report-instructions.ts).
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { buildCurveSpecs } from "./body-curve.js";
import { CallgrindProcess, callgrindArgs, callgrindAvailable } from "./callgrind.js";
import { comparedBuild } from "./compare-build.js";
import { Fleet } from "./fleet.js";
import { checkLanes } from "./lane-checks.js";
import { buildLanes, llmuxConfig, selectLanes } from "./lanes.js";
import { mintBenchKey } from "./minted-key.js";
import { COMMITTED_REPORT, LARGE_BYTES, type Options, PACE, type Paths, settingsFor } from "./options.js";
import type { Launcher, Server } from "./procs.js";
import { log, sleep, started } from "./progress.js";
import { type InstrCell, type InstrResults, instructionLines, renderInstructions } from "./report-instructions.js";
import { gitDescribe, openJournal } from "./results-file.js";
import { spliceSection } from "./section.js";
import { TEAM_BASE_LANES, TEAM_ENGINES, TeamServers, teamLane } from "./team-servers.js";
import type { RequestSpec, RunJob, TargetName } from "./types.js";

/** The lanes counted without --lanes; "curve" is the body-size curve at CURVE_SIZES. */
export const INSTRUCTION_LANES = [
  "chat-small",
  "msg-cc",
  "chat-small-anthropic",
  "msg-cc-chat",
  "msg-cc-azure",
  "team-sqlite-chat-small",
  "curve",
];
export const CURVE_SIZES = [64_000, 512_000, 2_000_000];
export const INSTRUCTION_CONCURRENCIES = [1, 8];
/**
 * Node flags of the counted servers: no memory reducer, whose major GCs are scheduled by the clock (after seconds of
 * a low allocation rate per millisecond) — under valgrind, where a request lasts 20–50× longer, it would start one
 * every few requests instead of rarely.
 */
export const COUNTED_NODE_FLAGS = ["--no-memory-reducer"];

/** Requests counted per cell and warm-up requests before them; fewer for large bodies (`bytes`). */
export function instructionCounts(quick: boolean, bytes: number): { requests: number; warmup: number } {
  const n = quick ? 60 : 200;
  // About 4 MB of request bodies per cell, at least 10 requests (two halves of 5).
  const requests = Math.max(10, Math.min(n, 2 * Math.round((2_000_000 / Math.max(1, bytes)) * (n / 200))));
  // Warm-up runs with instrumentation off (~5× faster than counting): long enough for most of the JIT compilation.
  return { requests, warmup: Math.max(20, Math.min(quick ? 100 : 300, 2 * requests)) };
}

interface Task {
  lane: string;
  bytes: number;
  target: TargetName;
  concurrencies: number[];
  spec: RequestSpec;
  server: Server;
}

export async function measureInstructions(opts: Options, paths: Paths): Promise<void> {
  const why = await callgrindAvailable();
  if (why) throw new Error(`--instructions-only needs valgrind: ${why}`);
  const laneIds = opts.lanes ?? INSTRUCTION_LANES;
  // A run of some lanes only (--lanes) keeps its journal and results apart: two can run at once.
  const stem = `bench-instructions${opts.lanes ? `-${opts.lanes.join("-").replace(/[^\w-]+/g, "_")}` : ""}`;
  // Its own run folder (configuration, stores, dumps): not the full run's, nor another instruction run's.
  paths = { ...paths, runDir: join(paths.cacheDir, `run-${stem}`) };
  const cgDir = join(paths.runDir, "callgrind");
  mkdirSync(cgDir, { recursive: true });
  const outFiles = new Map<string, string>();
  const launcher: Launcher = (o) => {
    const outFile = join(cgDir, `${o.name.replace(/[^\w.@-]+/g, "_")}.${process.pid}.cg`);
    outFiles.set(o.name, outFile);
    // Under callgrind a server starts 20–50× slower than natively.
    const flags = o.command === process.execPath ? COUNTED_NODE_FLAGS : [];
    return {
      ...o,
      command: "valgrind",
      args: [...callgrindArgs(outFile), o.command, ...flags, ...o.args],
      timeoutMs: 600_000,
    };
  };
  const compared = comparedBuild(paths.root, paths.cacheDir, opts);
  const fleet = new Fleet(paths);
  fleet.launcher = launcher;
  const team = new TeamServers(paths.runDir, paths.llmuxDist, launcher);
  const cleanup = () => Promise.all([fleet.cleanup(), team.stop()]);
  // Interrupted: the servers under valgrind are stopped too (the journal keeps what was counted).
  for (const sig of ["SIGINT", "SIGTERM"] as const)
    process.once(sig, () => {
      void cleanup().finally(() => process.exit(130));
    });
  try {
    const mock = await fleet.startMock();
    await mock.rpc.call({ cmd: "reply", deltas: PACE.deltas, chunkChars: PACE.chunkChars });
    await mock.rpc.call({ cmd: "pace", latencyMs: PACE.latencyMs, chunkDelayMs: PACE.chunkDelayMs });
    await fleet.startLoadgen();
    writeFileSync(fleet.configFile, llmuxConfig(mock.port, mock.hosts));
    log("starting llmux, the minimal proxy and the compared build under callgrind (a minute or more each)");
    const [llmux] = await Promise.all([
      fleet.startTarget("llmux"),
      fleet.startProxy(),
      compared ? fleet.startCompared(compared) : undefined,
    ]);
    await mintBenchKey(llmux.origin);
    const engines = TEAM_ENGINES.filter((e) =>
      laneIds.some((l) => l === "team" || l === `team-${e}` || l.startsWith(`team-${e}-`)),
    );
    if (engines.length > 0) {
      await team.start(mock.port, mock.hosts, compared, engines);
      fleet.extra.push(...team.all);
    }
    const own = buildLanes({ mockOrigin: fleet.mockOrigin, largeBytes: LARGE_BYTES });
    const teamLanes = engines.flatMap((e) => TEAM_BASE_LANES.map((id) => teamLane(own.find((l) => l.id === id)!, e)));
    const lanes = team.route(selectLanes([...own, ...teamLanes], laneIds));
    const { specs, infos } = await checkLanes(fleet, lanes, []);
    const curve = await buildCurveSpecs({ ...settingsFor(opts), curveSizes: CURVE_SIZES }, fleet, laneIds);

    const servers = [...fleet.servers.values(), ...team.all];
    const serving = (spec: RequestSpec) => servers.find((s) => s.origin === spec.origin)!;
    const measured: TargetName[] = ["proxy", "llmux", "compare"];
    const tasks: Task[] = [];
    for (const info of infos) {
      for (const target of measured) {
        const spec = specs.get(info.id)?.get(target);
        if (spec)
          tasks.push({
            lane: info.id,
            bytes: info.bytes,
            target,
            concurrencies: INSTRUCTION_CONCURRENCIES,
            spec,
            server: serving(spec),
          });
      }
    }
    const compareSrv = fleet.servers.get("compare");
    for (const cs of curve) {
      const one = (target: TargetName, spec: RequestSpec) =>
        tasks.push({ lane: cs.lane, bytes: cs.bytes, target, concurrencies: [1], spec, server: serving(spec) });
      one("proxy", cs.proxy);
      one("llmux", cs.llmux);
      if (compareSrv) one("compare", { ...cs.llmux, origin: compareSrv.origin });
    }

    const journal = openJournal({ ...opts, lanes: laneIds }, paths, join(paths.cacheDir, `${stem}.journal.jsonl`));
    if (journal.resumed > 0) log(`resuming: ${journal.resumed} part(s) from ${journal.file}`);
    const cells: InstrCell[] = [];
    const idle: InstrResults["idle"] = [];
    // One chain of measurements per server, the servers in parallel: a count does not depend on the others' load.
    await Promise.all(
      servers.map(async (srv) => {
        const p = new CallgrindProcess(srv.pid, outFiles.get(srv.name)!);
        const perSecond = await journal.once(`idle:${srv.name}`, () => idleRate(p));
        idle.push({ server: srv.name, perSecond });
        for (const t of tasks.filter((x) => x.server === srv))
          for (const c of t.concurrencies) {
            const key = `cell:${t.lane}:${t.bytes}:${t.target}:${c}`;
            const cell = await journal.once(key, () => countCell(fleet, p, t, c, opts.quick));
            cells.push(cell);
            log(
              `${t.lane}${t.lane.startsWith("curve") ? ` ${(t.bytes / 1000).toFixed(0)} kB` : ""} ${srv.name} c=${c}: ` +
                `${(cell.instructions.reduce((a, b) => a + b, 0) / cell.requests / 1e6).toFixed(3)} M instructions/request` +
                (cell.errors > 0 ? `, ${cell.errors} errors (${cell.errorSample ?? "?"})` : ""),
            );
          }
      }),
    );
    const results: InstrResults = {
      meta: {
        date: new Date().toISOString().slice(0, 10),
        quick: opts.quick,
        node: process.version,
        git: gitDescribe(paths.root),
        wallSeconds: (Date.now() - started) / 1000,
        counts: instructionCounts(opts.quick, 0),
        ...(compared ? { compare: { label: compared.label, rev: compared.rev } } : {}),
      },
      lanes: infos.map((i) => ({ id: i.id, bytes: i.bytes })),
      cells,
      idle,
    };
    writeFileSync(join(paths.cacheDir, `${stem}.json`), JSON.stringify(results));
    journal.finish();
    for (const line of instructionLines(results)) log(line);
    writeInstructions(results, opts, paths.root);
  } finally {
    await cleanup();
  }
}

/** Instructions per second of a server doing nothing (its timers), over 5 s. */
async function idleRate(p: CallgrindProcess): Promise<number> {
  await p.instrument(true);
  await p.zero();
  const t0 = performance.now();
  await sleep(5000);
  const n = await p.dump();
  const s = (performance.now() - t0) / 1000;
  await p.instrument(false);
  return n / s;
}

/** Exactly `n` requests at concurrency c (all started, all completed), however long they take. */
function exactJob(spec: RequestSpec, c: number, n: number): RunJob {
  return {
    kind: "run",
    specs: [spec],
    concurrency: c,
    warmupMs: 0,
    warmupMin: 0,
    durationMs: 3_600_000,
    minRequests: n,
    maxRequests: n,
    drainTimeoutMs: 600_000,
  };
}

async function countCell(fleet: Fleet, p: CallgrindProcess, t: Task, c: number, quick: boolean): Promise<InstrCell> {
  const { requests, warmup } = instructionCounts(quick, t.bytes);
  await fleet.runJob(exactJob(t.spec, c, warmup));
  await p.instrument(true);
  await p.zero();
  const instructions: number[] = [];
  let errors = 0;
  let errorSample: string | undefined;
  const t0 = performance.now();
  for (const half of [Math.floor(requests / 2), requests - Math.floor(requests / 2)]) {
    const [r] = await fleet.runJob(exactJob(t.spec, c, half));
    instructions.push(await p.dump());
    errors += r!.errors;
    errorSample ??= r!.errorSample;
  }
  const wallMs = performance.now() - t0;
  await p.instrument(false);
  const cell: InstrCell = {
    lane: t.lane,
    bytes: t.bytes,
    target: t.target,
    concurrency: c,
    requests,
    instructions,
    errors,
    wallMs,
  };
  if (errorSample) cell.errorSample = errorSample;
  return cell;
}

/** The section: into docs/performance.md with --write (replacing the previous one), else .cache/bench-report/instructions.md. */
export function writeInstructions(results: InstrResults, opts: Options, root: string): void {
  const section = renderInstructions(results);
  const out = resolve(root, opts.out);
  if (out === resolve(root, COMMITTED_REPORT)) {
    writeFileSync(out, spliceSection(readFileSync(out, "utf8"), section));
    log(`instruction counts written into ${relative(root, out)}`);
  } else {
    const file = resolve(root, ".cache", "bench-report", "instructions.md");
    mkdirSync(resolve(file, ".."), { recursive: true });
    writeFileSync(file, section);
    log(`instruction counts in ${relative(root, file)}`);
  }
}
