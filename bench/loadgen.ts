/**
 * The load generator: its own process (forked by the orchestrator), so that it shares no event loop with
 * the servers it measures. It keeps one undici Pool of keep-alive connections per job and records, per
 * request, the time to the response's first byte, to the first token (a marker string) and to the last
 * byte, and the gaps between response chunks.
 */
import { type Dispatcher, Pool } from "undici";
import { emptySummary, summarize } from "./stats.js";
import type { HoldJob, HoldResult, Job, JobResult, RunJob, RunResult } from "./types.js";

interface Outcome {
  ok: boolean;
  status: number;
  t0: number;
  firstByte: number;
  firstToken: number;
  end: number;
  error?: string;
  timedOut?: boolean;
}

type Controller = Dispatcher.DispatchController;

/** One request; resolves when the response has ended or failed (never rejects). */
function send(
  pool: Pool,
  path: string,
  headers: Record<string, string>,
  body: Buffer,
  marker: Buffer | undefined,
  gaps: number[] | undefined,
  live: Set<Controller>,
  onFirstByte?: () => void,
): Promise<Outcome> {
  return new Promise<Outcome>((resolve) => {
    const o: Outcome = { ok: false, status: 0, t0: performance.now(), firstByte: -1, firstToken: -1, end: -1 };
    let last = -1;
    let controller: Controller | undefined;
    const finish = (error?: Error) => {
      o.end = performance.now();
      if (controller) live.delete(controller);
      if (error) {
        o.error = error.message;
        o.timedOut = error.message === "drain timeout";
      } else o.ok = o.status === 200;
      resolve(o);
    };
    pool.dispatch(
      { path, method: "POST", headers, body },
      {
        onRequestStart(c: Controller) {
          controller = c;
          live.add(c);
        },
        onResponseStart(_c: Controller, statusCode: number) {
          o.status = statusCode;
        },
        onResponseData(_c: Controller, chunk: Buffer) {
          const now = performance.now();
          if (o.firstByte < 0) {
            o.firstByte = now;
            onFirstByte?.();
          } else if (gaps) gaps.push(now - last);
          last = now;
          if (marker && o.firstToken < 0 && chunk.indexOf(marker) !== -1) o.firstToken = now;
        },
        onResponseEnd() {
          finish();
        },
        onResponseError(_c: Controller, err: Error) {
          finish(err);
        },
      },
    );
  });
}

interface Track {
  pool: Pool;
  path: string;
  headers: Record<string, string>;
  body: Buffer;
  lat: number[];
  ttfb: number[];
  ttft: number[];
  gaps: number[];
  samples: (number | null)[];
  latSum: number;
  measured: number;
  errors: number;
  timedOut: number;
  errorSample?: string;
  total: number;
}

/**
 * A closed-loop run. With several specs (only sensible at concurrency 1) the requests alternate between
 * them, so that each target is measured under the same conditions, request by request.
 */
async function run(job: RunJob): Promise<RunResult[]> {
  const pools = new Map<string, Pool>();
  const tracks: Track[] = job.specs.map((spec) => {
    let pool = pools.get(spec.origin);
    if (!pool) {
      pool = new Pool(spec.origin, { connections: job.concurrency, pipelining: 1, keepAliveTimeout: 60_000 });
      pools.set(spec.origin, pool);
    }
    return {
      pool,
      path: spec.path,
      headers: { ...spec.headers, "content-type": spec.headers["content-type"] ?? "application/json" },
      body: Buffer.from(spec.body),
      lat: [],
      ttfb: [],
      ttft: [],
      gaps: [],
      samples: [],
      latSum: 0,
      measured: 0,
      errors: 0,
      timedOut: 0,
      total: 0,
    };
  });
  const marker = job.marker ? Buffer.from(job.marker) : undefined;
  const live = new Set<Controller>();
  const cpu0 = process.cpuUsage();
  const wall0 = performance.now();
  let phase: "warm" | "measure" | "stop" = "warm";
  let warmDone = 0;
  let measureStart = 0;
  let stopAt = 0;
  let startedMeasured = 0;
  let measuredDone = 0;
  let lastEnd = 0;
  let turn = 0;
  const maxWallMs = job.warmupMs + job.durationMs + 4 * job.drainTimeoutMs;

  const stop = () => {
    if (phase !== "stop") {
      phase = "stop";
      stopAt = performance.now();
    }
  };
  const watchdog = setInterval(() => {
    const now = performance.now();
    if (now - wall0 > maxWallMs) stop();
    if (phase === "stop" && now - stopAt > job.drainTimeoutMs) {
      for (const c of live) c.abort(new Error("drain timeout"));
    }
  }, 50);

  // Paired samples: the window opens and closes between rounds (one request to every spec), never inside one.
  const roundStart = () => !job.samples || turn % tracks.length === 0;
  const worker = async () => {
    for (;;) {
      const now = performance.now();
      if (
        phase === "warm" &&
        now - wall0 >= job.warmupMs &&
        warmDone >= job.warmupMin * tracks.length &&
        roundStart()
      ) {
        phase = "measure";
        measureStart = now;
      }
      if (
        phase === "measure" &&
        roundStart() &&
        ((now - measureStart >= job.durationMs && measuredDone >= job.minRequests * tracks.length) ||
          startedMeasured >= job.maxRequests * tracks.length)
      ) {
        stop();
      }
      if (phase === "stop") return;
      const measuring = phase === "measure";
      if (measuring) startedMeasured++;
      const t = tracks[turn++ % tracks.length]!;
      const o = await send(t.pool, t.path, t.headers, t.body, marker, measuring ? t.gaps : undefined, live);
      t.total++;
      if (!measuring) {
        warmDone++;
        if (!o.ok && !t.errorSample) t.errorSample = `warm-up: ${o.error ?? `status ${o.status}`}`;
        continue;
      }
      measuredDone++;
      t.measured++;
      lastEnd = Math.max(lastEnd, o.end);
      if (job.samples) t.samples.push(o.ok ? Math.round((o.end - o.t0) * 1000) / 1000 : null);
      if (!o.ok) {
        t.errors++;
        if (o.timedOut) t.timedOut++;
        t.errorSample ??= o.error ?? `status ${o.status}`;
        continue;
      }
      t.lat.push(o.end - o.t0);
      t.latSum += o.end - o.t0;
      t.ttfb.push((o.firstByte < 0 ? o.end : o.firstByte) - o.t0);
      if (o.firstToken >= 0) t.ttft.push(o.firstToken - o.t0);
    }
  };
  await Promise.all(Array.from({ length: job.concurrency }, worker));
  clearInterval(watchdog);
  const cpu = process.cpuUsage(cpu0);
  await Promise.all([...pools.values()].map((p) => p.destroy().catch(() => undefined)));
  const elapsedMs = Math.max(1, lastEnd - measureStart);
  const wallMs = performance.now() - wall0;
  return tracks.map((t) => {
    const result: RunResult = {
      requests: t.measured,
      errors: t.errors,
      timedOut: t.timedOut,
      elapsedMs,
      // Alternating requests share the window: report what one closed-loop client would get from this target.
      throughput:
        tracks.length === 1 ? (t.lat.length * 1000) / elapsedMs : t.latSum > 0 ? (t.lat.length * 1000) / t.latSum : 0,
      latency: summarize(t.lat),
      ttfb: summarize(t.ttfb),
      loadgenCpuMs: (cpu.user + cpu.system) / 1000,
      wallMs,
      totalRequests: t.total,
    };
    if (t.errorSample) result.errorSample = t.errorSample;
    if (job.samples) result.samples = t.samples;
    if (marker) result.ttft = t.ttft.length > 0 ? summarize(t.ttft) : emptySummary();
    if (marker) result.gap = summarize(t.gaps);
    return result;
  });
}

let held: { pool: Pool; live: Set<Controller>; done: Promise<unknown> } | undefined;

async function hold(job: HoldJob): Promise<HoldResult> {
  const pool = new Pool(job.origin, { connections: job.count, pipelining: 1, keepAliveTimeout: 60_000 });
  const live = new Set<Controller>();
  const bodies = job.bodies.map((b) => Buffer.from(b));
  const headers = { ...job.headers, "content-type": "application/json" };
  const t0 = performance.now();
  let streaming = 0;
  let errors = 0;
  let settled = 0;
  let errorSample: string | undefined;
  let wake: () => void = () => undefined;
  const all = new Promise<void>((resolve) => {
    wake = resolve;
  });
  const check = () => {
    if (streaming + settled >= job.count) wake();
  };
  const outcomes: Promise<unknown>[] = [];
  for (let i = 0; i < job.count; i++) {
    const p = send(pool, job.path, headers, bodies[i % bodies.length]!, undefined, undefined, live, () => {
      streaming++;
      check();
    }).then((o) => {
      // A stream that ended (or failed) before the release is no longer open.
      if (o.firstByte >= 0) streaming--;
      settled++;
      if (!o.ok || o.firstByte < 0) {
        errors++;
        errorSample ??= o.error ?? `status ${o.status}`;
      }
      check();
    });
    outcomes.push(p);
  }
  const timer = setTimeout(wake, job.timeoutMs);
  await all;
  clearTimeout(timer);
  held = { pool, live, done: Promise.all(outcomes) };
  const result: HoldResult = { opened: live.size, streaming, errors, elapsedMs: performance.now() - t0 };
  if (errorSample) result.errorSample = errorSample;
  return result;
}

async function release(): Promise<{ released: true }> {
  if (held) {
    for (const c of held.live) c.abort(new Error("released"));
    await held.done;
    await held.pool.destroy().catch(() => undefined);
    held = undefined;
  }
  return { released: true };
}

function handle(job: Job): Promise<JobResult> {
  switch (job.kind) {
    case "run":
      return run(job);
    case "hold":
      return hold(job);
    case "release":
      return release();
  }
}

process.on("message", (msg: { id: number; job: Job }) => {
  handle(msg.job).then(
    (result) => process.send?.({ id: msg.id, result }),
    (err: unknown) => process.send?.({ id: msg.id, error: err instanceof Error ? err.stack : String(err) }),
  );
});
process.on("disconnect", () => process.exit(0));
process.send?.({ ready: true });
