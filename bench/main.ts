/**
 * `npm run bench`: measures llmux against direct calls to the mock upstream and against two peer gateways
 * (Portkey, claude-code-router), in one run, and writes a report: .cache/bench-report/performance.md, or with
 * --write docs/performance.md and docs/performance-latency.svg. `npm run bench -- --help` lists the options
 * (options.ts).
 *
 * Every server runs in its own process: the mock upstream (bench/mock-upstream.ts), llmux
 * (dist/cli/main.js), the peers, and the load generator (bench/loadgen.ts). This process only orchestrates
 * and reads /proc between measurements.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { buildCurveSpecs, measureCurve } from "./body-curve.js";
import { profileMissed } from "./cpu-profiles.js";
import { Fleet } from "./fleet.js";
import { checkLanes } from "./lane-checks.js";
import { buildLanes, llmuxConfig } from "./lanes.js";
import { measureLaneCells, warmUp } from "./latency-cells.js";
import { leakCheck } from "./leak-check.js";
import { Measurer } from "./measure.js";
import { mintBenchKey } from "./minted-key.js";
import { benchPaths, CONCURRENCIES, LARGE_BYTES, PACE, parseOptions, settingsFor, USAGE } from "./options.js";
import { log, sleep, started } from "./progress.js";
import { resultsFile, runMeta, writeReport } from "./results-file.js";
import { measureRoutingCost } from "./routing-cost.js";
import { runSoak } from "./soak.js";
import { measureStreams } from "./streams-memory.js";
import type { BenchResults } from "./types.js";

let opts: ReturnType<typeof parseOptions>;
try {
  opts = parseOptions(process.argv.slice(2));
} catch (err) {
  console.error(`npm run bench: ${(err as Error).message}`);
  process.exit(2);
}
if (opts.help) {
  console.log(USAGE);
  process.exit(0);
}
const S = settingsFor(opts);
const paths = benchPaths(opts);
const { root, cacheDir } = paths;

// ---------------------------------------------------------------------------------------------------------
// processes

const fleet = new Fleet(paths);

process.once("SIGINT", () => {
  fleet.cleanup().finally(() => process.exit(130));
});

// ---------------------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  mkdirSync(paths.runDir, { recursive: true });
  mkdirSync(paths.profDir, { recursive: true });
  log(`${opts.quick ? "quick" : "full"} run: ${S.runs} run(s), concurrencies ${CONCURRENCIES.join("/")}`);

  const mock = await fleet.startMock();
  const mockOrigin = fleet.mockOrigin;
  await mock.rpc.call({ cmd: "reply", deltas: PACE.deltas, chunkChars: PACE.chunkChars });
  await mock.rpc.call({ cmd: "pace", latencyMs: PACE.latencyMs, chunkDelayMs: PACE.chunkDelayMs });
  log(`mock upstream on ${mockOrigin} (also ${mock.hosts.slice(1).join(", ") || "no other addresses"})`);

  await fleet.startLoadgen();
  writeFileSync(fleet.configFile, llmuxConfig(mock.port, mock.hosts));
  await fleet.startTarget("llmux");
  await mintBenchKey(fleet.servers.get("llmux")!.origin);
  await fleet.startProxy();
  log(`llmux on ${fleet.servers.get("llmux")!.origin} (pid ${fleet.servers.get("llmux")!.pid})`);

  const peers = await fleet.startPeers(opts.peers);

  let lanes = buildLanes({ mockOrigin, largeBytes: LARGE_BYTES });
  if (opts.lanes) lanes = lanes.filter((l) => opts.lanes!.includes(l.id));
  const { specs, infos, fidelity } = await checkLanes(fleet, lanes, peers);
  const curveSpecs = await buildCurveSpecs(S, fleet, opts.lanes);

  const ms = new Measurer(S, fleet);
  await sleep(1000);
  ms.sampleRss("after the lane checks", 0);
  log(
    `RSS at start: ${ms.rss
      .filter((s) => s.run === 0)
      .map((s) => `${s.target} ${(s.rssKb / 1024).toFixed(1)} MB`)
      .join(", ")}`,
  );

  await warmUp(S, ms, lanes, specs);

  for (let run = 1; run <= S.runs; run++) {
    await measureLaneCells(S, ms, run, lanes, specs);
    await measureCurve(S, ms, run, curveSpecs);
    await sleep(1000);
    ms.sampleRss(`after run ${run}`, run);
    log(
      `RSS after run ${run}: ${ms.rss
        .filter((s) => s.phase === `after run ${run}`)
        .map((s) => `${s.target} ${(s.rssKb / 1024).toFixed(1)} MB`)
        .join(", ")}`,
    );
  }

  await leakCheck(S, fleet, ms, lanes, specs);
  const streams = await measureStreams(S, fleet, ms);
  const routing = await measureRoutingCost(opts.quick ? 5_000 : 20_000);
  log(
    `routing layer: one deployment p50 ${routing.single.p50.toFixed(3)} µs; two deployments (attempt loop, memory state) p50 ${routing.routed.p50.toFixed(1)} µs, p99 ${routing.routed.p99.toFixed(1)} µs`,
  );

  const results: BenchResults = {
    meta: runMeta(opts, S, paths, ms.loadgenCpuPct, ms.foreignSeen),
    lanes: infos,
    peers,
    fidelity,
    cells: ms.cells,
    curve: ms.curve,
    rss: ms.rss,
    streams,
    profiles: [],
    routing,
  };

  await profileMissed(opts, S, paths, fleet, ms, lanes, specs, results);

  results.meta.wallSeconds = (Date.now() - started) / 1000;
  writeFileSync(resultsFile(opts, cacheDir), JSON.stringify(results));
  writeReport(results, opts, root);
  if (opts.soak === undefined) await soakOnly();
}

async function soakOnly(): Promise<void> {
  mkdirSync(resolve(cacheDir, "bench-report"), { recursive: true });
  const soakFile = resolve(cacheDir, "bench-report", "soak.md");
  const r = await runSoak({ out: soakFile });
  log(`soak figures in ${soakFile}`);
  if (!r.exact) process.exitCode = 1;
}

const entry =
  opts.soak === "only"
    ? soakOnly
    : opts.reportOnly !== undefined
      ? async () => {
          const file = opts.reportOnly ? resolve(root, opts.reportOnly) : resultsFile(opts, cacheDir);
          writeReport(JSON.parse(readFileSync(file, "utf8")) as BenchResults, opts, root);
        }
      : main;

entry()
  .catch((err: unknown) => {
    console.error(err instanceof Error ? err.stack : err);
    process.exitCode = 1;
  })
  .finally(() => fleet.cleanup());
