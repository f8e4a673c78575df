/**
 * `npm run fuzz -- --minutes N [--seed S] [--only name,name] [--level decoder|http|all] [--heap-snapshots]`: runs every target
 * (round robin, a batch each) until the time is up, then reports inputs tried, findings (5xx among them),
 * exceptions nothing caught (each would have ended llmux), event-loop stalls over 1 s and RSS growth. The
 * decoder targets call the decoders in this process (throughput); the HTTP targets drive a gateway in this
 * process over HTTP and WebSocket (coverage of the whole request path). The report is also written to
 * `.cache/fuzz/report.json`; memory is sampled each minute after a full collection, and `--heap-snapshots`
 * writes a heap snapshot once warm and one at the end (`.cache/fuzz/*.heapsnapshot`, to compare in DevTools).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { writeHeapSnapshot } from "node:v8";
import { startFuzzGateway } from "./gateway.js";
import { Monitor } from "./monitor.js";
import { harnessWork, newTally, runBatch, type Tally } from "./run.js";
import type { Target } from "./target.js";
import { decoderTargets } from "./targets/decoders.js";
import { httpTargets } from "./targets/http.js";

interface Options {
  minutes: number;
  seed: number;
  only: string[] | undefined;
  level: "decoder" | "http" | "all";
  heapSnapshots: boolean;
}

function options(argv: string[]): Options {
  const o: Options = { minutes: 1, seed: 48, only: undefined, level: "all", heapSnapshots: false };
  for (let i = 0; i < argv.length; i++) {
    const [flag, value] = [argv[i], argv[i + 1]];
    if (flag === "--minutes") o.minutes = Number(value);
    else if (flag === "--seed") o.seed = Number(value);
    else if (flag === "--only") o.only = value?.split(",");
    else if (flag === "--level") o.level = value as Options["level"];
    else if (flag === "--heap-snapshots") {
      o.heapSnapshots = true;
      continue;
    } else if (flag === "--help") {
      console.log(
        "npm run fuzz -- --minutes N [--seed S] [--only target,target] [--level decoder|http|all] [--heap-snapshots]",
      );
      process.exit(0);
    } else continue;
    i++;
  }
  if (!(o.minutes > 0) || !Number.isInteger(o.seed))
    throw new Error("--minutes takes a number above 0, --seed an integer");
  return o;
}

/** Inputs per batch, at most: decoder targets run hundreds to thousands a second, HTTP targets tens. */
const batchOf = (t: Target<never>) => (t.level === "decoder" ? 5000 : 200);
/** Each target's share of a round, in time. */
const SLICE_MS = 3000;

const FUZZ_DIR = join(process.cwd(), ".cache", "fuzz");

/**
 * A heap snapshot of this process (after a full collection), named for when it was taken. It holds the event loop
 * for seconds: the fuzzer's own work, left out of stalls.
 */
function snapshot(name: string): void {
  mkdirSync(FUZZ_DIR, { recursive: true });
  const file = harnessWork(() => {
    global.gc?.();
    return writeHeapSnapshot(join(FUZZ_DIR, `${name}.heapsnapshot`));
  });
  console.log(`heap snapshot: ${file}`);
}

async function main(): Promise<void> {
  const o = options(process.argv.slice(2));
  const monitor = new Monitor(1000);
  const gw = o.level === "decoder" ? undefined : await startFuzzGateway();
  const all = [...(o.level === "http" ? [] : decoderTargets), ...(gw ? httpTargets(gw) : [])];
  const targets = all.filter((t) => !o.only || o.only.includes(t.name));
  if (targets.length === 0)
    throw new Error(`no target named ${o.only?.join(", ")}; targets: ${all.map((t) => t.name).join(", ")}`);
  const tallies = new Map<string, Tally>(targets.map((t) => [t.name, newTally(t)]));
  const started = Date.now();
  const end = started + o.minutes * 60_000;
  let batch = 0;
  let lastLine = 0;
  console.log(`fuzzing ${targets.map((t) => t.name).join(", ")} for ${o.minutes} min (seed ${o.seed})`);
  while (Date.now() < end) {
    for (const t of targets) {
      if (Date.now() >= end) break;
      await runBatch(t, o.seed * 1_000_003 + batch, batchOf(t), tallies.get(t.name)!, SLICE_MS);
    }
    if (batch === 0) {
      global.gc?.();
      monitor.warm();
      if (o.heapSnapshots) snapshot("warm");
    }
    batch++;
    if (Date.now() - lastLine > 30_000) {
      lastLine = Date.now();
      const inputs = [...tallies.values()].reduce((n, t) => n + t.inputs, 0);
      const findings = [...tallies.values()].reduce((n, t) => n + t.findings, 0);
      const h = monitor.health;
      console.log(
        `${Math.round((Date.now() - started) / 1000)} s: ${inputs} inputs, ${findings} findings, ${h.stalls} stalls (${h.starved} starved), worst delay ${h.worstDelayMs} ms, ${h.exits} uncaught`,
      );
    }
  }
  if (o.heapSnapshots) snapshot("end");
  const pendingAnswers = gw?.pending() ?? 0;
  const mockRequests = gw?.mockRequests() ?? 0;
  await gw?.close();
  const health = monitor.stop();
  const rows = [...tallies.values()];
  const total = (f: (t: Tally) => number) => rows.reduce((n, t) => n + f(t), 0);
  const report = {
    seed: o.seed,
    minutes: Math.round(((Date.now() - started) / 60_000) * 10) / 10,
    inputs: total((t) => t.inputs),
    decoderInputs: total((t) => (t.level === "decoder" ? t.inputs : 0)),
    httpInputs: total((t) => (t.level === "http" ? t.inputs : 0)),
    findings: total((t) => t.findings),
    fivexx: total((t) => t.fivexx),
    ...health,
    rssGrowthMb: Math.round((health.rssEndMb - health.rssWarmMb) * 10) / 10,
    llmuxErrorLines: gw?.errors.length ?? 0,
    pendingAnswers,
    mockRequests,
    targets: rows.map(({ examples: _e, slowestInput: _s, ...r }) => ({
      ...r,
      slowestMs: Math.round(r.slowestMs),
      busyMs: Math.round(r.busyMs),
    })),
    examples: rows.flatMap((t) => t.examples.map(({ raw: _r, ...e }) => e)).slice(0, 50),
    errorLines: gw?.errors.slice(0, 10) ?? [],
  };
  console.log("\ntarget                   level    inputs  per s  findings  5xx  slowest ms  most CPU ms");
  for (const t of report.targets)
    console.log(
      `${t.target.padEnd(24)} ${t.level.padEnd(8)} ${String(t.inputs).padStart(7)} ${String(Math.round(t.inputs / (t.busyMs / 1000))).padStart(6)} ${String(t.findings).padStart(9)} ${String(t.fivexx).padStart(4)} ${String(t.slowestMs).padStart(11)} ${String(t.heaviestCpuMs).padStart(12)}  ${t.slowest.slice(0, 100)}`,
    );
  console.log(
    `\ninputs ${report.inputs} (decoders ${report.decoderInputs}, HTTP/WebSocket ${report.httpInputs}); findings ${report.findings}; 5xx ${report.fivexx}; uncaught (exits) ${health.exits}; stalls over 1 s ${health.stalls} (and ${health.starved} delays over 1 s while the machine gave this process less CPU; worst event-loop delay ${health.worstDelayMs} ms); RSS ${health.rssStartMb} MB at start, ${health.rssWarmMb} MB warm, ${health.rssPeakMb} MB peak, ${health.rssEndMb} MB at end (growth ${report.rssGrowthMb} MB); llmux error lines ${report.llmuxErrorLines}`,
  );
  for (const d of health.delays)
    console.log(
      `delay ${d.delayMs} ms (${d.stall ? "a stall" : "starved"}: main thread ${d.cpuMs} ms of CPU meanwhile); heaviest input since the sample before: ${d.heaviest ? `[${d.heaviest.target}] ${d.heaviest.cpuMs} ms of CPU, ${d.heaviest.wallMs} ms: ${d.heaviest.input.slice(0, 160)}` : "none"}`,
    );
  for (const s of health.memory)
    console.log(
      `minute ${s.minute}: RSS ${s.rssMb} MB, heap used ${s.heapUsedMb} MB, external ${s.externalMb} MB (after a full collection)`,
    );
  if (gw)
    console.log(`answers registered and never asked for: ${pendingAnswers}; requests the mock holds: ${mockRequests}`);
  const m = process.memoryUsage();
  console.log(
    `heap used ${Math.round(m.heapUsed / 1048576)} MB, external ${Math.round(m.external / 1048576)} MB, array buffers ${Math.round(m.arrayBuffers / 1048576)} MB`,
  );
  for (const e of report.examples.slice(0, 10))
    console.log(`\n[${e.target}] ${e.words}\n  input: ${e.input.slice(0, 600)}`);
  const dir = FUZZ_DIR;
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "report.json"), `${JSON.stringify(report, cut, 2)}\n`);
  writeFileSync(
    join(dir, "findings.json"),
    JSON.stringify(
      rows.flatMap((t) => t.examples),
      cut,
    ),
  );
  for (const t of rows)
    writeFileSync(join(dir, `slowest-${t.target}.json`), JSON.stringify(t.slowestInput ?? null, cut));
  process.exitCode = report.findings + health.exits + health.stalls > 0 ? 1 : 0;
  // Timers of the gateway's parts may linger; the report is written.
  setTimeout(() => process.exit(), 1000).unref();
}

// Not a top-level await: the monitor counts uncaught exceptions (those of the code under test) and goes on, and
// would swallow the run's own failure too; the run's failure ends it, saying why.
main().catch((err: unknown) => {
  console.error(`the fuzz run itself failed: ${(err as Error)?.stack ?? String(err)}`);
  process.exit(2);
});

/** Inputs kept in the reports are cut at 1 MB each (a mutant of hundreds of MB made the report unwritable). */
function cut(_key: string, v: unknown): unknown {
  return typeof v === "string" && v.length > 1_000_000 ? `${v.slice(0, 1_000_000)}… (${v.length} characters)` : v;
}
