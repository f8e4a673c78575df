/** The body-size curve: Claude Code bodies from 10 kB to 1 MB through direct, the minimal proxy and llmux. */
import type { Fleet } from "./fleet.js";
import { calmPart, type Journal } from "./journal.js";
import { scaledClaudeCodeBody, UPSTREAM_PATH } from "./lanes.js";
import type { Measurer } from "./measure.js";
import type { Settings } from "./options.js";
import { headersOf, okReply, probe } from "./probe.js";
import { fx, log } from "./progress.js";
import { withServiceKey } from "./service-key.js";
import type { CurvePoint, RequestSpec } from "./types.js";

export interface CurveSpec {
  lane: string;
  bytes: number;
  llmux: RequestSpec;
  direct: RequestSpec;
  proxy: RequestSpec;
}

// Body-size curve: Claude Code bodies from 10 kB to 1 MB, passthrough and translation.
export async function buildCurveSpecs(S: Settings, fleet: Fleet, laneIds?: string[]): Promise<CurveSpec[]> {
  const { mock, mockOrigin, servers } = fleet;
  const curveSpecs: CurveSpec[] = [];
  if (!laneIds || laneIds.includes("curve")) {
    for (const bytes of S.curveSizes) {
      const body = scaledClaudeCodeBody(bytes);
      for (const [lane, model, upstream] of [
        ["curve-passthrough", `anth/${String(body.model)}`, UPSTREAM_PATH.anthropic],
        ["curve-translation", "bench-azure", UPSTREAM_PATH.azure],
      ] as const) {
        const spec: RequestSpec = {
          origin: servers.get("llmux")!.origin,
          path: "/v1/messages?beta=true",
          headers: withServiceKey({ "content-type": "application/json", "anthropic-version": "2023-06-01" }),
          body: JSON.stringify({ ...body, model }),
        };
        const r = await probe(spec);
        if (!okReply(r)) throw new Error(`${lane} ${bytes}: llmux answered ${r.status}: ${r.text.slice(0, 200)}`);
        const up = (await mock.rpc.call({ cmd: "capture", path: upstream })) as {
          url: string;
          raw: string;
          headers: Record<string, string | string[] | undefined>;
        };
        const direct = { origin: mockOrigin, path: up.url, headers: headersOf(up.headers), body: up.raw };
        curveSpecs.push({
          lane,
          bytes,
          llmux: spec,
          direct,
          proxy: { ...direct, origin: servers.get("proxy")!.origin },
        });
      }
    }
  }
  return curveSpecs;
}

/** One run of the curve: the three targets alternate, request by request, at each size. */
export async function measureCurve(
  S: Settings,
  ms: Measurer,
  run: number,
  curveSpecs: CurveSpec[],
  journal?: Journal,
): Promise<void> {
  for (const cs of curveSpecs) {
    // Each size is journaled as it completes; a resumed run takes it back.
    // A size measured while other processes disturbed it is measured again (calmPart).
    const first = ms.curve.length;
    const { part } = await calmPart(journal, `curve:${run}:${cs.lane}:${cs.bytes}`, S.noisyPct, async () => {
      await measurePoint(S, ms, run, cs);
      return ms.curve.splice(first);
    });
    ms.curve.push(...part);
  }
}

async function measurePoint(S: Settings, ms: Measurer, run: number, cs: CurveSpec): Promise<void> {
  const what = `run ${run} ${cs.lane} ${(cs.bytes / 1000).toFixed(0)} kB`;
  // Each size is first sent S.curveWarm times to every target, not measured. A size larger than the lanes'
  // bodies is not yet served at its steady cost: V8 grows the heap to a large body's allocations, and compiles
  // the code that walks it, over its first requests (a 1 MB body translated: 19-20 ms of CPU each for the
  // first ten after small ones, 9 ms from the twentieth; bench/findings.md). The slope is the cost per MB of
  // a gateway serving bodies of that size, as a long session does.
  await ms.runJob({
    ...ms.job([cs.direct, cs.proxy, cs.llmux], 1, undefined, 0),
    warmupMs: 0,
    warmupMin: 0,
    minRequests: S.curveWarm,
    maxRequests: S.curveWarm,
  });
  const got = await ms.measure(what, ["direct", "proxy", "llmux"], {
    ...ms.job([cs.direct, cs.proxy, cs.llmux], 1, undefined, S.curveMs * 3),
    minRequests: 5,
  });
  (["direct", "proxy", "llmux"] as const).forEach((target, i) => {
    const point: CurvePoint = {
      lane: cs.lane,
      target,
      bytes: cs.bytes,
      run,
      result: got.results[i]!,
      foreignCpuPct: got.foreignCpuPct,
    };
    // The CPU per MB (report-figures.ts): each process's CPU time over the job ÷ the requests it served.
    const cpu = got.cpu[i];
    if (cpu !== undefined) point.cpuPerRequestMs = cpu;
    ms.curve.push(point);
  });
  log(
    `${what}: p50 direct ${fx(got.results[0]!.latency.p50)}, proxy ${fx(got.results[1]!.latency.p50)}, ` +
      `llmux ${fx(got.results[2]!.latency.p50)} ms, ` +
      `others ${got.foreignCpuPct.toFixed(0)} %`,
  );
}
