/**
 * The open-streams memory probe: each gateway freshly started, its RSS idle and with S.streams streaming requests
 * held open at once (the mock pacing them slowly), then after they are released.
 */
import type { Fleet } from "./fleet.js";
import { buildLanes } from "./lanes.js";
import type { Measurer } from "./measure.js";
import { PACE, type Settings, STREAM_PACE_MS } from "./options.js";
import { memoryAfterGc, rssKb, type Server } from "./procs.js";
import { log, sleep } from "./progress.js";
import { withServiceKey } from "./service-key.js";
import type { HoldResult, StreamsSample, TargetName } from "./types.js";

interface Variant {
  target: TargetName;
  variant: string;
  headers: Record<string, string>;
  bodies: string[];
}

function portkeyAnthropic(mockOrigin: string): Record<string, string> {
  return { "x-portkey-provider": "anthropic", "x-portkey-custom-host": `${mockOrigin}/v1`, "x-api-key": "bench" };
}

// Concurrent open streams, each gateway freshly started: RSS idle (start-up, then after a few requests),
// with S.streams streams held open (the mock paces them slowly), and after they are released.
export async function measureStreams(S: Settings, fleet: Fleet, ms: Measurer): Promise<StreamsSample[]> {
  const { mock, mockOrigin, servers } = fleet;
  const streams: StreamsSample[] = [];
  const small = buildLanes({ mockOrigin, largeBytes: 1000 }).find((l) => l.id === "msg-small-chat")!;
  const model = String(small.body.model);
  const bodyWith = (mdl: string) => JSON.stringify({ ...small.body, model: mdl });
  const variants: Variant[] = [
    {
      target: "llmux",
      variant: "Messages passthrough, 1 upstream origin",
      headers: {},
      bodies: [bodyWith(`anth/${model}`)],
    },
  ];
  if (mock.hosts.length > 1) {
    variants.push({
      target: "llmux",
      variant: `Messages passthrough, ${mock.hosts.length} upstream origins`,
      headers: {},
      bodies: mock.hosts.map((_, i) => bodyWith(`anth${i + 1}/${model}`)),
    });
  }
  // The memory-per-stream lane: Claude Code's own 75 kB request, what an open stream keeps of the request it
  // carried (the goal is the same whatever the request's size).
  const cc = buildLanes({ mockOrigin, largeBytes: 1000 }).find((l) => l.id === "msg-cc")!;
  const origins = mock.hosts.length > 1 ? `${mock.hosts.length} upstream origins` : "1 upstream origin";
  const ccBodies =
    mock.hosts.length > 1
      ? mock.hosts.map((_, i) => JSON.stringify({ ...cc.body, model: `anth${i + 1}/${String(cc.body.model)}` }))
      : [JSON.stringify({ ...cc.body, model: `anth/${String(cc.body.model)}` })];
  variants.push({
    target: "llmux",
    variant: `Messages passthrough, Claude Code body (${(Buffer.byteLength(ccBodies[0]!) / 1000).toFixed(0)} kB), ${origins}`,
    headers: {},
    bodies: ccBodies,
  });
  variants.push({
    target: "llmux",
    variant: "Messages → Chat translation, 1 upstream origin",
    headers: {},
    bodies: [bodyWith("bench-compat")],
  });
  // The compared build (--compare): the small body and the 75 kB one, as llmux.
  if (servers.has("compare")) {
    for (const v of variants.filter((x) => x === variants[0] || x.bodies === ccBodies))
      variants.push({ ...v, target: "compare" });
  }
  if (servers.has("portkey")) {
    variants.push({
      target: "portkey",
      variant: "Messages passthrough",
      headers: portkeyAnthropic(mockOrigin),
      bodies: [bodyWith(model)],
    });
  }
  if (servers.has("ccr")) {
    variants.push({
      target: "ccr",
      variant: "Messages passthrough",
      headers: { "x-api-key": "bench" },
      bodies: [bodyWith(`anth,${model}`)],
    });
  }
  const idleOf = new Map<TargetName, { startKb: number; idleKb: number }>();
  const warm = async (srv: Server, headers: Record<string, string>, bodies: string[]) => {
    for (const body of bodies) {
      await ms.runJob({
        ...ms.job([{ origin: srv.origin, path: "/v1/messages", headers, body }], 4, small, 0),
        warmupMs: 0,
        minRequests: 20,
        maxRequests: 20,
      });
    }
    await sleep(1000);
  };
  for (const v of variants) {
    await mock.rpc.call({ cmd: "pace", latencyMs: PACE.latencyMs, chunkDelayMs: PACE.chunkDelayMs });
    const own = { ...small.headers, ...v.headers, "content-type": "application/json" };
    const headers = v.target === "llmux" || v.target === "compare" ? withServiceKey(own) : own;
    // Idle RSS as shipped (no inspector): freshly started, then after 20 small requests.
    if (!idleOf.has(v.target)) {
      const plain = await fleet.startTarget(v.target);
      await sleep(1000);
      const startKb = rssKb(plain.pid) ?? 0;
      await warm(plain, headers, [v.bodies[0]!]);
      const idleKb = rssKb(plain.pid) ?? 0;
      idleOf.set(v.target, { startKb, idleKb });
      ms.rss.push({ target: v.target, phase: "fresh: start-up", run: 0, rssKb: startKb });
      ms.rss.push({ target: v.target, phase: "fresh: after 20 requests", run: 0, rssKb: idleKb });
    }
    // The streams: a fresh process with an inspector, so that memory can also be read after a full GC.
    const srv = await fleet.startTarget(v.target, true);
    await warm(srv, headers, v.bodies);
    const idleKb = rssKb(srv.pid) ?? 0;
    const idleGc = srv.inspectorUrl ? await memoryAfterGc(srv.inspectorUrl, srv.pid) : undefined;
    await mock.rpc.call({ cmd: "pace", latencyMs: 0, chunkDelayMs: STREAM_PACE_MS });
    const held = await fleet.loadgen.call<HoldResult>({
      job: {
        kind: "hold",
        origin: srv.origin,
        path: "/v1/messages",
        headers,
        bodies: v.bodies,
        count: S.streams,
        timeoutMs: S.holdMs,
      },
    });
    await sleep(300);
    const openKb = rssKb(srv.pid) ?? 0;
    const openGc = srv.inspectorUrl ? await memoryAfterGc(srv.inspectorUrl, srv.pid) : undefined;
    await fleet.loadgen.call({ job: { kind: "release" } });
    await sleep(2000);
    const afterKb = rssKb(srv.pid) ?? 0;
    const fresh = idleOf.get(v.target)!;
    const sample: StreamsSample = {
      target: v.target,
      variant: v.variant,
      bodyBytes: Buffer.byteLength(v.bodies[0]!),
      run: 1,
      count: S.streams,
      streaming: held.streaming,
      opened: held.opened,
      errors: held.errors,
      startKb: fresh.startKb,
      idleKb,
      openKb,
      afterKb,
    };
    if (idleGc && openGc) sample.gc = { idle: idleGc, open: openGc };
    if (held.streaming < S.streams) {
      sample.note = `${S.streams - held.streaming} streams had no byte after ${S.holdMs / 1000} s${held.errorSample ? ` (${held.errorSample})` : ""}`;
    }
    streams.push(sample);
    const mbs = (kb: number | undefined) => (kb === undefined ? "–" : (kb / 1024).toFixed(1));
    log(
      `${S.streams} streams via ${v.target} (${v.variant}): ${held.streaming} streaming; RSS idle ${mbs(idleKb)} → ` +
        `open ${mbs(openKb)} → released ${mbs(afterKb)} MB; after GC idle ${mbs(idleGc?.rssKb)} → open ${mbs(openGc?.rssKb)} MB ` +
        `(heap ${mbs(idleGc?.heapUsedKb)} → ${mbs(openGc?.heapUsedKb)} MB)`,
    );
  }
  await mock.rpc.call({ cmd: "pace", latencyMs: PACE.latencyMs, chunkDelayMs: PACE.chunkDelayMs });
  return streams;
}
