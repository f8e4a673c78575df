/**
 * `npm run bench`: measures llmux against direct calls to the mock upstream and against two peer gateways
 * (Portkey, claude-code-router), in one run, and writes a report: .cache/bench-report/performance.md, or with
 * --write docs/performance.md and docs/performance-latency.svg. `npm run bench -- --help` lists the options
 * (options.ts).
 *
 * Every server runs in its own process: the mock upstream (bench/mock-upstream.ts), llmux
 * (dist/bundle/llmux.js, as shipped), the peers, and the load generator (bench/loadgen.ts). This process only orchestrates
 * and reads /proc between measurements.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { startMockServer } from "../src/mock/server.js";
import { RedisState } from "../src/state/redis.js";
import { buildCurveSpecs, measureCurve } from "./body-curve.js";
import { comparedBuild } from "./compare-build.js";
import { countTokensLine, measureCountTokens, writeCountTokensReport } from "./count-tokens.js";
import { profileMissed } from "./cpu-profiles.js";
import { benchRedisUrl } from "./endpoints.js";
import { Fleet } from "./fleet.js";
import { measureInstructions } from "./instructions.js";
import { checkLanes } from "./lane-checks.js";
import { buildLanes, llmuxConfig, selectLanes } from "./lanes.js";
import { measureLaneCells, warmUp } from "./latency-cells.js";
import { leakCheck } from "./leak-check.js";
import { llmuxEntry } from "./llmux-entry.js";
import { Measurer } from "./measure.js";
import { measureMetricsCost } from "./metrics-cost.js";
import { mintBenchKey } from "./minted-key.js";
import { measureNonChat, type NonChatCost, nonChatLines, writeNonChatReport } from "./non-chat.js";
import { benchPaths, CONCURRENCIES, LARGE_BYTES, PACE, parseOptions, settingsFor, USAGE } from "./options.js";
import { freePort, startServer, usePorts } from "./procs.js";
import { log, sleep, started } from "./progress.js";
import { measurePromptCache, promptCacheLine } from "./prompt-cache.js";
import { compareLines } from "./report-compare.js";
import { measureRequestLogCost, requestLogLines } from "./request-log-cost.js";
import { gitDescribe, openJournal, resultsFile, runMeta, writeReport } from "./results-file.js";
import { measureRollupReports } from "./rollup-reports.js";
import { measureRoutingCost, type RoutingCost } from "./routing-cost.js";
import { measureRulesCost, rulesCostLine } from "./rules-cost.js";
import { runSoak } from "./soak.js";
import { measureStreams } from "./streams-memory.js";
import { TEAM_BASE_LANES, TEAM_ENGINES, TeamServers, teamLane, wantsTeam } from "./team-servers.js";
import type { BenchResults } from "./types.js";
import { measureWebsocket, websocketLine, writeWebsocketReport } from "./websocket.js";
import { measureWorkers } from "./workers.js";

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
// PostgreSQL, Redis and the ports of the servers the bench starts (this process and its children).
if (opts.pg) process.env.LLMUX_BENCH_PG = opts.pg;
if (opts.redis) process.env.LLMUX_BENCH_REDIS = opts.redis;
if (opts.ports) usePorts(opts.ports.from, opts.ports.to);
const S = settingsFor(opts);
const paths = benchPaths(opts);
const { root, cacheDir } = paths;

// ---------------------------------------------------------------------------------------------------------
// processes

const fleet = new Fleet(paths);
/** The team lanes' own llmux processes and their PostgreSQL databases (bench/team-servers.ts). */
const team = new TeamServers(paths.runDir, paths.llmuxDist);
const cleanup = () => Promise.all([fleet.cleanup(), team.stop()]);

process.once("SIGINT", () => {
  cleanup().finally(() => process.exit(130));
});

// ---------------------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  mkdirSync(paths.runDir, { recursive: true });
  mkdirSync(paths.profDir, { recursive: true });
  log(`${opts.quick ? "quick" : "full"} run: ${S.runs} run(s), concurrencies ${CONCURRENCIES.join("/")}`);
  // The commit the measured build was made from (`npm run bench` builds just before): read now, not when the
  // report is written, since the checkout may move on while the run lasts.
  const built = gitDescribe(root);
  // Built (or found) before anything is measured: building takes the machine's CPU.
  const compared = comparedBuild(root, cacheDir, opts);

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
  if (compared) await fleet.startCompared(compared);
  if (wantsTeam(opts.lanes)) {
    await team.start(mock.port, mock.hosts, compared);
    fleet.extra.push(...team.all);
    for (const build of ["llmux", "compare"] as const) {
      const srv = team.server("pg", build);
      if (srv) fleet.serviceOrigins.add(srv.origin);
    }
  }

  const peers = await fleet.startPeers(opts.peers);

  const own = buildLanes({ mockOrigin, largeBytes: LARGE_BYTES });
  const teamLanes = TEAM_ENGINES.flatMap((e) =>
    TEAM_BASE_LANES.map((id) => teamLane(own.find((l) => l.id === id)!, e)),
  );
  // Team lanes whose server did not start are left out (the log says why).
  const lanes = team.route(selectLanes([...own, ...teamLanes], opts.lanes));
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

  const journal = openJournal(opts, paths);
  if (journal.resumed > 0) log(`resuming an interrupted run: ${journal.resumed} part(s) from ${journal.file}`);
  /** A later phase: from the journal, or measured and journaled; a failure is logged and the run goes on. */
  const phase = async <T>(key: string, measure: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await journal.once(key, measure);
    } catch (err) {
      log(`${key}: failed (${(err as Error).message.split("\n")[0]}); the report goes without it, a rerun measures it`);
      return undefined;
    }
  };
  /** The same for a phase that records RSS samples: those are journaled with its value. */
  const rssPhase = async <T>(key: string, measure: () => Promise<T>): Promise<T | undefined> => {
    const got = await phase(key, async () => {
      const before = ms.rss.length;
      const value = await measure();
      return { value, rss: ms.rss.splice(before) };
    });
    if (got) ms.rss.push(...got.rss);
    return got?.value;
  };

  await warmUp(S, ms, lanes, specs);

  for (let run = 1; run <= S.runs; run++) {
    await measureLaneCells(S, ms, run, lanes, specs, journal);
    // Read before the body-size curve, which only llmux and the proxy serve: after it, llmux's RSS holds what its
    // 2 MB bodies left, and the compared build's does not (the compare table set them side by side).
    await rssPhase(`rss:after run ${run}`, async () => {
      await sleep(1000);
      ms.sampleRss(`after run ${run}`, run);
    });
    await measureCurve(S, ms, run, curveSpecs, journal);
    log(
      `RSS after run ${run}: ${ms.rss
        .filter((s) => s.phase === `after run ${run}`)
        .map((s) => `${s.target} ${(s.rssKb / 1024).toFixed(1)} MB`)
        .join(", ")}`,
    );
  }

  await rssPhase("leak-check", () => leakCheck(S, fleet, ms, lanes, specs));
  const streams = (await rssPhase("streams", () => measureStreams(S, fleet, ms, team))) ?? [];
  const routing = await phase("routing", () => measureRoutingCost(opts.quick ? 5_000 : 20_000));
  if (routing)
    log(
      `routing layer: one deployment p50 ${routing.single.p50.toFixed(3)} µs; two deployments (attempt loop, memory state) p50 ${routing.routed.p50.toFixed(1)} µs, p99 ${routing.routed.p99.toFixed(1)} µs`,
    );

  log(rulesCostLine(await measureRulesCost(opts.quick ? 5_000 : 20_000)));

  const metrics = await phase("metrics", () =>
    measureMetricsCost(root, cacheDir, fleet.mock.port, opts.quick ? 300 : 2000),
  );
  if (metrics) logMetricsCost(metrics);
  const requestLog = await phase("request-log", () => measureRequestLogCost(opts.quick));
  if (requestLog) for (const line of requestLogLines(requestLog)) log(line);
  const rollup = await phase("rollup", () => measureRollupReports(opts.quick, log));
  const countTokens = await phase("count-tokens", () =>
    measureCountTokens(fleet.servers.get("llmux")!.origin, "bench-compat", opts.quick ? 1 : 3),
  );
  if (countTokens) log(countTokensLine(countTokens));
  const llmux = fleet.servers.get("llmux")!;
  const websocket = await phase("websocket", () =>
    measureWebsocket(llmux.origin, llmux.pid, "bench-compat", opts.quick ? 2 : 5, 8, llmux.inspectorUrl),
  );
  if (websocket) log(websocketLine(websocket));
  const promptCache = await phase("prompt-cache", () => measurePromptCache());
  if (promptCache) log(promptCacheLine(promptCache));
  const nonChat = await phase("non-chat", () => nonChatLanes());

  const results: BenchResults = {
    meta: runMeta(opts, S, paths, ms.loadgenCpuPct, ms.foreignSeen, built),
    lanes: infos,
    peers,
    fidelity,
    cells: ms.cells,
    curve: ms.curve,
    rss: ms.rss,
    streams,
    profiles: [],
  };
  // The later phases that failed are left out (each said so in the log).
  Object.assign(
    results,
    Object.fromEntries(
      Object.entries({ routing, metrics, requestLog, rollup, countTokens, websocket, promptCache, nonChat }).filter(
        ([, v]) => v !== undefined,
      ),
    ),
  );
  if (compared) results.meta.compare = { label: compared.label, rev: compared.rev, dist: compared.dist };
  if (compared?.sha) results.meta.compare!.sha = compared.sha;

  await profileMissed(opts, S, paths, fleet, ms, lanes, specs, results).catch((err: unknown) =>
    log(`CPU profiles: failed (${(err as Error).message.split("\n")[0]}); the report goes without them`),
  );

  results.meta.wallSeconds = (Date.now() - started) / 1000;
  writeFileSync(resultsFile(opts, cacheDir), JSON.stringify(results));
  journal.finish();
  writeReport(results, opts, root);
  for (const line of compareLines(results)) console.log(line);
  if (opts.soak === undefined) await soakOnly();
}

async function soakOnly(): Promise<void> {
  mkdirSync(resolve(cacheDir, "bench-report"), { recursive: true });
  const soakFile = resolve(cacheDir, "bench-report", "soak.md");
  const r = await runSoak({ out: soakFile });
  log(`soak figures in ${soakFile}`);
  if (!r.exact) process.exitCode = 1;
}

function logMetricsCost(m: Awaited<ReturnType<typeof measureMetricsCost>>): void {
  log(
    `metrics: p50 ${m.on.p50.toFixed(3)} ms on, ${m.off.p50.toFixed(3)} ms off (added ${m.addedP50.toFixed(3)} ms); p99 ${m.on.p99.toFixed(2)} / ${m.off.p99.toFixed(2)} ms; ${m.n} requests each`,
  );
}

async function metricsOnly(): Promise<void> {
  mkdirSync(cacheDir, { recursive: true });
  const mock = await startMockServer({ port: 0, latencyMs: PACE.latencyMs, chunkDelayMs: PACE.chunkDelayMs });
  try {
    logMetricsCost(await measureMetricsCost(root, cacheDir, mock.port, opts.quick ? 300 : 2000));
  } finally {
    await mock.close();
  }
}

async function workersOnly(): Promise<void> {
  mkdirSync(resolve(cacheDir, "bench-report"), { recursive: true });
  const mock = await startMockServer({ port: 0 });
  const configFile = resolve(cacheDir, "bench-workers.yaml");
  writeFileSync(configFile, llmuxConfig(mock.port));
  const file = resolve(cacheDir, "bench-report", "workers.md");
  try {
    const r = await measureWorkers(root, configFile, file);
    log(`--workers (${r.pinningNote}):`);
    for (const row of r.rows)
      log(
        `  ${row.workers} worker(s) on CPU ${row.cpus.join(",")}: ${row.rps.toFixed(0)} req/s, ${row.rpsPerCpu.toFixed(0)} req/s per CPU`,
      );
    log(`  2 / 1 workers: ${r.ratio.toFixed(2)}×; ${file}`);
  } finally {
    await mock.close();
  }
}

async function requestLogOnly(): Promise<void> {
  mkdirSync(resolve(cacheDir, "bench-report"), { recursive: true });
  const file = resolve(cacheDir, "bench-report", "request-log.json");
  const r = await measureRequestLogCost(opts.quick);
  for (const line of requestLogLines(r)) log(line);
  writeFileSync(file, JSON.stringify(r, null, 2));
  log(`request log figures in ${file}`);
}

async function rollupOnly(): Promise<void> {
  mkdirSync(resolve(cacheDir, "bench-report"), { recursive: true });
  const file = resolve(cacheDir, "bench-report", "rollup.json");
  const r = await measureRollupReports(opts.quick, log);
  writeFileSync(file, JSON.stringify(r, null, 2));
  log(`rollup lane figures in ${file}`);
}

/** The routing layer alone: on the memory state, then on Redis (--redis, LLMUX_BENCH_REDIS, default local) if it answers. */
async function routingOnly(): Promise<void> {
  const say = (engine: string, r: RoutingCost) =>
    log(
      `routing layer (${engine}): one deployment p50 ${(r.single.p50 / 1000).toFixed(5)} ms; two deployments p50 ${(r.routed.p50 / 1000).toFixed(4)} ms, p99 ${(r.routed.p99 / 1000).toFixed(4)} ms (target ≤ 0.05 ms p50)`,
    );
  say("memory", await measureRoutingCost(opts.quick ? 5_000 : 20_000));
  log(rulesCostLine(await measureRulesCost(opts.quick ? 5_000 : 20_000)));
  const url = benchRedisUrl();
  const redis = () => new RedisState({ url, prefix: `llmux-bench:${process.pid}:` });
  const probe = redis();
  const up = await probe.incr("probe", 1, 1000).then(
    () => true,
    () => false,
  );
  await probe.close();
  if (up) say(`Redis ${url}`, await measureRoutingCost(opts.quick ? 1_000 : 5_000, redis));
  else log(`routing layer on Redis: skipped, nothing answers at ${url}`);
}

/** One part run alone: the mock and llmux on the bench's configuration, then `measure` on them. */
async function alone(
  name: string,
  measure: (origin: string, pid: number, inspectorUrl?: string) => Promise<string>,
): Promise<void> {
  mkdirSync(resolve(cacheDir, "bench-report"), { recursive: true });
  const mock = await startMockServer({ port: 0 });
  const configFile = resolve(cacheDir, `bench-${name}.yaml`);
  writeFileSync(configFile, llmuxConfig(mock.port));
  const port = await freePort();
  // A folder of its own: llmux's default store (.llmux/llmux.db) is relative to its working directory.
  const cwd = resolve(cacheDir, `run-bench-${name}`);
  mkdirSync(cwd, { recursive: true });
  const server = await startServer({
    name: "llmux",
    command: process.execPath,
    cwd,
    // An inspector, through which the measurement may force a full GC before reading RSS.
    args: [
      "--inspect=127.0.0.1:0",
      llmuxEntry(resolve(root, "dist")),
      "start",
      "--config",
      configFile,
      "--port",
      String(port),
    ],
    port,
  });
  try {
    log(await measure(`http://127.0.0.1:${port}`, server.pid, server.inspectorUrl));
  } finally {
    await server.stop(5000);
    await mock.close();
  }
}

const countTokensOnly = () =>
  alone("count-tokens", async (origin) => {
    const file = resolve(cacheDir, "bench-report", "count-tokens.md");
    const r = await measureCountTokens(origin, "bench-compat", opts.quick ? 1 : 3);
    writeCountTokensReport(file, r);
    return `${countTokensLine(r)}; ${file}`;
  });

const websocketOnly = () =>
  alone("websocket", async (origin, pid, inspectorUrl) => {
    const file = resolve(cacheDir, "bench-report", "websocket.md");
    const r = await measureWebsocket(origin, pid, "bench-compat", opts.quick ? 2 : 5, 8, inspectorUrl);
    writeWebsocketReport(file, r);
    return `${websocketLine(r)}; ${file}`;
  });

/** The embeddings and fill-in-the-middle lanes, llmux against the minimal proxy (bench/non-chat.ts). */
async function nonChatLanes(): Promise<NonChatCost> {
  mkdirSync(paths.runDir, { recursive: true });
  const r = await measureNonChat(root, paths.llmuxDist, paths.runDir, {
    rounds: opts.quick ? 2 : 6,
    perRound: opts.quick ? 50 : 150,
    warmup: opts.quick ? 20 : 100,
  });
  for (const line of nonChatLines(r)) log(line);
  return r;
}

async function nonChatOnly(): Promise<void> {
  mkdirSync(resolve(cacheDir, "bench-report"), { recursive: true });
  const file = resolve(cacheDir, "bench-report", "non-chat.md");
  writeNonChatReport(file, await nonChatLanes());
  log(`non-chat lanes in ${file}`);
}

/** What `npm run bench` runs: the whole run, or one part of it (see options.ts). */
function entryOf(): () => Promise<void> {
  if (opts.instructionsOnly) return () => measureInstructions(opts, paths);
  if (opts.countTokensOnly) return countTokensOnly;
  if (opts.websocketOnly) return websocketOnly;
  if (opts.nonChatOnly) return nonChatOnly;
  if (opts.promptCacheOnly) return async () => log(promptCacheLine(await measurePromptCache()));
  if (opts.routingOnly) return routingOnly;
  if (opts.workersOnly) return workersOnly;
  if (opts.metricsOnly) return metricsOnly;
  if (opts.requestLogOnly) return requestLogOnly;
  if (opts.rollupOnly) return rollupOnly;
  if (opts.soak === "only") return soakOnly;
  if (opts.reportOnly !== undefined)
    return async () => {
      const file = opts.reportOnly ? resolve(root, opts.reportOnly) : resultsFile(opts, cacheDir);
      writeReport(JSON.parse(readFileSync(file, "utf8")) as BenchResults, opts, root);
    };
  return main;
}

const entry = entryOf();

entry()
  .catch((err: unknown) => {
    console.error(err instanceof Error ? err.stack : err);
    process.exitCode = 1;
  })
  .finally(() => cleanup());
