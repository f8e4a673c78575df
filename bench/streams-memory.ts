/**
 * The open-streams memory probe: each gateway freshly started, its RSS idle and with S.streams streaming requests
 * held open at once (the mock pacing them slowly), then after they are released.
 */
import type { Fleet } from "./fleet.js";
import { buildLanes } from "./lanes.js";
import type { Measurer } from "./measure.js";
import { withMintedKey } from "./minted-key.js";
import { PACE, type Settings, STREAM_PACE_MS } from "./options.js";
import { memoryAfterGc, rssKb, type Server } from "./procs.js";
import { log, sleep } from "./progress.js";
import { withServiceKey } from "./service-key.js";
import { TEAM_PROBE_STORE, type TeamServers } from "./team-servers.js";
import type { HoldResult, StreamsSample, TargetName } from "./types.js";

interface Variant {
  target: TargetName;
  variant: string;
  headers: Record<string, string>;
  bodies: string[];
  /** Sent to a server of its own with every team feature on (TeamServers.startProbe), with its minted key. */
  team?: boolean;
}

/** The team variant's name: what it turns on, and on what. */
export const TEAM_STREAMS_VARIANT =
  "Messages passthrough, team features on (minted key with a budget and an rpm limit, request log; SQLite)";

function portkeyAnthropic(mockOrigin: string): Record<string, string> {
  return { "x-portkey-provider": "anthropic", "x-portkey-custom-host": `${mockOrigin}/v1`, "x-api-key": "bench" };
}

// Concurrent open streams, each gateway freshly started: RSS idle (start-up, then after a few requests),
// with S.streams streams held open (the mock paces them slowly), and after they are released.
export async function measureStreams(
  S: Settings,
  fleet: Fleet,
  ms: Measurer,
  team: TeamServers,
): Promise<StreamsSample[]> {
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
  // The goal holds with team features on: the same small request, with a key minted with a budget and an rpm
  // limit (held and settled on every request), the request log on and the model priced, on SQLite.
  variants.push({
    target: "llmux",
    variant: TEAM_STREAMS_VARIANT,
    headers: {},
    bodies: [bodyWith(`anth/${model}`)],
    team: true,
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
  /** Idle RSS as shipped, per target (the team variant's server under "team"). */
  const idleOf = new Map<string, { startKb: number; idleKb: number }>();
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
  /** A freshly started server for the variant (with an inspector: `inspect`), and the headers it is sent. */
  const start = async (v: Variant, inspect: boolean) => {
    const own = { ...small.headers, ...v.headers, "content-type": "application/json" };
    if (v.team) {
      const srv = await team.startProbe(mock.port, mock.hosts, inspect ? ["--inspect=127.0.0.1:0"] : []);
      const spec = { origin: srv.origin, path: "/v1/messages", headers: own, body: "" };
      return { srv, headers: withMintedKey(spec, TEAM_PROBE_STORE).headers, stop: () => srv.stop() };
    }
    const srv = await fleet.startTarget(v.target, inspect);
    const headers = v.target === "llmux" || v.target === "compare" ? withServiceKey(own) : own;
    // The fleet's own servers are replaced by the next start, and stopped with the fleet.
    return { srv, headers, stop: async () => undefined };
  };
  for (const v of variants) {
    await mock.rpc.call({ cmd: "pace", latencyMs: PACE.latencyMs, chunkDelayMs: PACE.chunkDelayMs });
    const idleKey = v.team ? "team" : v.target;
    // Idle RSS as shipped (no inspector): freshly started, then after 20 small requests.
    if (!idleOf.has(idleKey)) {
      const plain = await start(v, false);
      try {
        await sleep(1000);
        const startKb = rssKb(plain.srv.pid) ?? 0;
        await warm(plain.srv, plain.headers, [v.bodies[0]!]);
        const idleKb = rssKb(plain.srv.pid) ?? 0;
        idleOf.set(idleKey, { startKb, idleKb });
        // The idle figures of the report's goals are the gateway's as configured for the other lanes.
        if (!v.team) {
          ms.rss.push({ target: v.target, phase: "fresh: start-up", run: 0, rssKb: startKb });
          ms.rss.push({ target: v.target, phase: "fresh: after 20 requests", run: 0, rssKb: idleKb });
        }
      } finally {
        await plain.stop();
      }
    }
    // The streams: a fresh process with an inspector, so that memory can also be read after a full GC.
    const { srv, headers, stop } = await start(v, true);
    try {
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
      const fresh = idleOf.get(idleKey)!;
      const sample: StreamsSample = {
        target: v.target,
        variant: v.variant,
        ...(v.team ? { team: true } : {}),
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
    } finally {
      await stop();
    }
  }
  await mock.rpc.call({ cmd: "pace", latencyMs: PACE.latencyMs, chunkDelayMs: PACE.chunkDelayMs });
  return streams;
}
