/** The report's "Method" section: machine, processes, upstream, how each figure is measured, other load. */
import type { Emit } from "./report-format.js";
import type { BenchResults } from "./types.js";

export function renderMethod(r: BenchResults, p: Emit): void {
  const m = r.meta;
  const cs = m.concurrencies;

  // --- method
  p("## Method");
  p();
  p(
    `- **Machine**: ${m.cpu}, ${m.cores} cores, ${(m.memMb / 1024).toFixed(0)} GB RAM, Linux ${m.kernel}; Node ${m.node}; ` +
      `llmux ${m.llmuxVersion} (${m.git}).`,
  );
  p(
    "- **Processes**: the mock upstream, llmux, each peer gateway and the load generator each run in their own " +
      "process (no shared event loop), all on this machine, all measured in the same run so that ratios compare " +
      "like with like. The load generator keeps one undici `Pool` of keep-alive connections per measurement " +
      `(connections = concurrency)${m.loadgenCpuPct !== undefined ? `; it used at most ${m.loadgenCpuPct.toFixed(0)} % of one core` : ""}.`,
  );
  p(
    `- **Upstream**: llmux's own scripted mock (\`src/mock/server.ts\`, as \`llmux mock --latency ${m.upstream.latencyMs} ` +
      `--chunk-delay ${m.upstream.chunkDelayMs}\`): ${m.upstream.latencyMs} ms before the response headers, then one ` +
      `event every ${m.upstream.chunkDelayMs} ms; the reply is ${m.upstream.deltas} text deltas of ${m.upstream.chunkChars} ` +
      "characters (Anthropic: 12 events; Responses: 14; Chat: 9 chunks), in the dialect of the path called. " +
      "It forgets the requests it records every 250 ms, so its memory stays flat.",
  );
  p(
    "- **Direct** is the floor: the load generator sends the upstream request itself to the mock — the exact body " +
      "and headers llmux sends upstream for that lane, read back from the mock — so direct and llmux differ only by " +
      "the gateway. **Added** = gateway − direct for the same lane, concurrency and run (then median and range over runs), " +
      "except **added p99 at c = 1**: the p99 of the paired differences (the gateway's request i − direct's request i, " +
      "sent one after the other in the same job), every run's pairs pooled, with a 95 % percentile-bootstrap interval " +
      "(1,000 resamples, fixed seed) in parentheses instead of a range — not p99(gateway) − p99(direct), which a stall " +
      "landing on one side makes meaningless (often negative).",
  );
  p(
    `- **Closed loop**: at concurrency c, c workers each send their next request as soon as the previous one ends. ` +
      `Per cell: ${m.durations.warmupMs} ms warm-up (not recorded), then ${m.durations.c1Ms} ms per target at c = 1 and ` +
      `${m.durations.cNMs} ms at c > 1 (at least a few requests), after a warm-up pass over every lane. At c = 1, direct, ` +
      "the minimal proxy and llmux (and a compared build) are measured together, their requests alternating one by " +
      "one, so that they see the same conditions " +
      "(and c = 1 throughput is 1 ÷ mean latency); each peer alternates with direct in the same way, in a job of its " +
      `own. At c > 1 each target runs alone in ${windowsWord(m.durations.windows)}, interleaved round by round, in the same order in every round ` +
      "of a run (direct, proxy, llmux…; the other way round in the next run), so that each target waits as long " +
      "between its windows; a throughput ratio (*llmux / direct*) is the median of the " +
      "window-by-window ratios of the same round, every run pooled, with their range; a cell's latency figures " +
      "come from its window of median throughput and its CPU per request from all its windows. " +
      "A peer whose c = 1 latency × c would exceed the drain budget is not run at that concurrency (marked *skipped*).",
  );
  p(
    "- **Figures**: latency = request sent → last response byte; TTFB = → first body byte; TTFT = → first chunk " +
      "carrying the first text token; inter-chunk gap = time between successive response chunks (streams); " +
      "throughput = successful responses per second in the measured window; *max throughput at p99 ≤ 50 ms* = the " +
      `highest throughput among c ∈ {${cs.join(", ")}} whose p99 stayed ≤ 50 ms; CPU time per request = the time on ` +
      "a CPU of every thread of the serving process (/proc/<pid>/task/*/schedstat, in nanoseconds) over a cell ÷ requests in it (c > 1 cells; for direct, the mock's); " +
      "CPU per MB = the least-squares slope of CPU time per request against the body size on the body-size curve " +
      "(c = 1, the proxy's and llmux's CPU over each size's job ÷ the requests each served, after " +
      `${m.durations.curveWarm ?? "no"} unmeasured requests of that size to each target), run by run; ` +
      "RSS = VmRSS (/proc/<pid>/status). Instruction counts, which foreign load does not move: " +
      "`npm run bench -- --instructions-only` (its own section).",
  );
  p(
    "- **Minimal proxy** (reference): `bench/null-proxy.ts`, a node:http forwarder with keep-alive that passes the " +
      "direct request's bytes to the mock and pipes the answer back — no parsing, no logging. It shows what one more " +
      "process and two more loopback hops cost on this machine, before a gateway does any work.",
  );
  p(
    "- **llmux** runs as shipped: `node dist/bundle/llmux.js start --config FILE` (its modules bundled, as `npm run build` ships it), logging one JSON line per request " +
      "(`logging: { level: info, pretty: false }`) to /dev/null; the peers' logs also go to /dev/null.",
  );
  p(
    "- **Compared build** (`npm run bench -- --compare REV`, a regression guard): llmux built at git revision REV " +
      "(into `.cache/bench-compare/`; or `--compare-dist DIR`) runs as one more target on the same configuration, " +
      "in every lane llmux runs, in the same rounds (at c = 1 alternating with direct, the minimal proxy and llmux), " +
      "and the section *Compared with REV* sets both builds' figures side by side, with their ratio run by run " +
      "(CPU per request and req/s at c > 1: window by window, the two builds' windows of a round measured seconds apart)." +
      (m.compare ? ` This run: ${m.compare.label}.` : " This run compared no other build."),
  );
  p(
    "- **Team lanes** (`team-sqlite-…`, `team-pg-…`; `--lanes team`): `chat-small` and `msg-cc` again, through an " +
      "llmux of their own per engine (and one per compared build) with every team feature on: a key minted through " +
      "the admin API with a budget ($1,000,000 a month) and an rpm limit (1,000,000 a minute), both checked and " +
      "counted on every request and never reached, and the request log (`logging.requests`). Once on SQLite with the " +
      "in-process state, once on PostgreSQL (`--pg URL`, `LLMUX_BENCH_PG`, else 127.0.0.1:5432; a database the run " +
      "creates and drops) with Redis (`--redis URL`, `LLMUX_BENCH_REDIS`, else 127.0.0.1:6379; a key prefix of the " +
      "run's own, deleted at the end). The bench's upstream model is priced in their configuration (`prices:`; Claude " +
      "Code's model is in the shipped table), so every request holds and settles its budget as in production. " +
      "CPU per request is that process's. The section *Team features* gives llmux − the minimal proxy, CPU ÷ the " +
      "proxy's, throughput at the highest concurrency as a share of the proxy's and PostgreSQL + Redis − SQLite + " +
      "memory, run by run. An engine that does not answer is skipped, and " +
      "so is a compared build that refuses the configuration (it adds only `store`, `state`, `prices` and " +
      "`logging.requests`, which release 3c151be already read).",
  );
  p(
    "- **Memory per open stream**: each variant of the open-streams probe holds its streams open on a freshly " +
      "started llmux; one sends Claude Code's own 75 kB request, and one goes with team features on (a key minted " +
      "with a budget and an rpm limit, the request log, a priced model; SQLite). *Heap per open stream* = V8 heap " +
      "after a full GC with the streams open − idle, ÷ streams; the goal (≤ 30 KB) holds whatever the request's " +
      "size, and with team features on. Idle " +
      "WebSockets: RSS with 1,000 Responses sockets open − before, ÷ sockets (goal ≤ 20 KB), both read after a " +
      "full GC forced through llmux's inspector (the report says when it could not be).",
  );
  p(
    "- **Workers** (`npm run bench -- --workers-only`, a run of its own, not on this page): llmux with " +
      "`--workers 1`, then 2, on the small Chat passthrough at 32 connections, pinned apart from the load generator " +
      "and the mock with `taskset` (llmux on the first half of the CPUs `os.availableParallelism()` counts, the " +
      "load on the rest; on 2 cores, one each), reported as requests/s and requests/s per CPU llmux could use. " +
      "Workers help when each has a core of its own that the clients and upstreams do not need: on a 2-core " +
      "machine that also runs the load, llmux has one core and a second worker cannot add a core's worth; where " +
      "clients and upstreams run elsewhere, expect close to one core's worth per worker (`--workers auto`: one per " +
      "core).",
  );
  p(
    "- **Resuming**: each lane's cells of a run, each body-curve size and each later phase are appended to a " +
      "journal beside the results (`.cache/bench-results*.journal.jsonl`) as they finish; a run that stops half-way " +
      "is resumed by the next one with the same options on the same build (commit and `dist/` entry point), which " +
      "measures only what is missing (`--fresh` starts over). A lane's cells or a curve size measured while other " +
      "processes used more than the noise threshold of the machine are measured again by the resumed run, and the " +
      "calmer of the two measurements is kept. A later phase that fails is left out of the report " +
      "(the log says why) instead of discarding the run.",
  );
  const fc = m.foreignCpu;
  if (fc) {
    p(
      `- **Other load on the machine**: CPU used by processes other than the benchmark's, read from /proc/stat around ` +
        "each measurement (while a PostgreSQL + Redis team lane is measured, the local Redis and PostgreSQL processes " +
        `count as the benchmark's: they do that lane's work): median ${fc.medianPct.toFixed(0)} %, max ${fc.maxPct.toFixed(0)} % of the ${m.cores} cores. ` +
        `A measurement disturbed by more than ${fc.limitPct} % was taken again (up to ${fc.retries} times, keeping the ` +
        `calmest); ${fc.over} of ${fc.cells} measurements stayed above ${fc.limitPct} %.`,
    );
    if (fc.over > fc.cells / 10) {
      p(
        `\n> **Caution**: another workload shared this ${m.cores}-core machine during ${fc.over} of ${fc.cells} measurements; ` +
          "latency and throughput figures are less reliable than the method implies (the *added* figures and ratios, taken " +
          "close together in time, suffer least).",
      );
    }
  }
  p();
}

/** How many windows a target had at each concurrency above 1 (results saved before they were recorded: unnamed). */
function windowsWord(windows: number | undefined): string {
  return windows ? `${windows} short windows a concurrency (\`--windows\`, \`--window-ms\`)` : "short windows";
}
