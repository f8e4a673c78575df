/**
 * Before measuring: every lane is checked once through every target, and what llmux sends upstream is read back
 * from the mock to become the lane's direct request; on the passthrough lanes, what each gateway dropped or changed.
 */
import type { Fleet } from "./fleet.js";
import { type Lane, laneTargets, llmuxRequest, peerRequest } from "./lanes.js";
import { hasMintedKey } from "./minted-key.js";
import { compareBodies, headersOf, okReply, probe, sseEvents } from "./probe.js";
import { log } from "./progress.js";
import type { FidelityRow, LaneInfo, PeerStatus, RequestSpec, TargetName } from "./types.js";

export interface LaneChecks {
  /** Per lane (those that passed), the request of each target that answered. */
  specs: Map<string, Map<TargetName, RequestSpec>>;
  infos: LaneInfo[];
  fidelity: FidelityRow[];
}

// Lanes: check every target once, and read back what llmux sends upstream (the direct request).
export async function checkLanes(fleet: Fleet, lanes: Lane[], peers: PeerStatus[]): Promise<LaneChecks> {
  const { mock, mockOrigin, servers } = fleet;
  const specs = new Map<string, Map<TargetName, RequestSpec>>();
  const infos: LaneInfo[] = [];
  const fidelity: FidelityRow[] = [];
  for (const lane of lanes) {
    const m = new Map<TargetName, RequestSpec>();
    const info: LaneInfo = {
      id: lane.id,
      title: lane.title,
      kind: lane.kind,
      stream: lane.stream,
      bytes: 0,
      source: lane.source,
      targets: [],
    };
    if (lane.notes) info.notes = lane.notes;
    const own = lane.via?.llmux;
    const viaLlmux = llmuxRequest(lane, own?.origin ?? servers.get("llmux")!.origin, own?.store ?? "llmux");
    info.bytes = Buffer.byteLength(viaLlmux.body);
    const r = await probe(viaLlmux);
    if (!okReply(r)) {
      log(`lane ${lane.id}: llmux answered ${r.status}: ${r.text.slice(0, 300)} — lane skipped`);
      continue;
    }
    const up = (await mock.rpc.call({ cmd: "capture", path: lane.upstreamPath })) as {
      url: string;
      raw: string;
      headers: Record<string, string | string[] | undefined>;
    } | null;
    if (!up) throw new Error(`lane ${lane.id}: the mock saw no request on ${lane.upstreamPath}`);
    info.upstreamBytes = Buffer.byteLength(up.raw);
    if (lane.kind === "passthrough") {
      const cmp = compareBodies(viaLlmux.body, up.raw);
      fidelity.push({
        lane: lane.id,
        target: "llmux",
        clientBytes: info.bytes,
        upstreamBytes: info.upstreamBytes,
        droppedKeys: cmp.dropped,
        changedKeys: cmp.changed,
      });
    }
    const direct: RequestSpec = { origin: mockOrigin, path: up.url, headers: headersOf(up.headers), body: up.raw };
    const d = await probe(direct);
    if (!okReply(d)) throw new Error(`lane ${lane.id}: direct request answered ${d.status}: ${d.text.slice(0, 200)}`);
    m.set("direct", direct);
    const viaProxy: RequestSpec = { ...direct, origin: servers.get("proxy")!.origin };
    const px = await probe(viaProxy);
    if (okReply(px)) m.set("proxy", viaProxy);
    else log(`lane ${lane.id}: the minimal proxy answered ${px.status}: ${px.text.slice(0, 200)}`);
    m.set("llmux", viaLlmux);
    if (lane.stream) info.events = { llmux: sseEvents(r.text) };
    const compared = servers.get("compare");
    if (compared) {
      // The compared build (--compare): the same client request, with the key minted on its own store (a team
      // lane: on the compared build's own team server, when it started).
      const at = lane.team ? lane.via?.compare : { origin: compared.origin, store: "compare" };
      const spec =
        !at || (lane.minted && !hasMintedKey(at.store)) ? undefined : llmuxRequest(lane, at.origin, at.store);
      const cr = spec
        ? await probe(spec).catch((err: unknown) => ({ status: 0, text: (err as Error).message }))
        : { status: 0, text: at ? "no key could be minted on it" : "its team server did not start" };
      if (spec && okReply(cr)) {
        m.set("compare", spec);
        if (info.events) info.events.compare = sseEvents(cr.text);
      } else log(`lane ${lane.id}: ${compared.name} answered ${cr.status}: ${cr.text.slice(0, 200)}, not measured`);
    }
    for (const peer of ["portkey", "ccr"] as const) {
      const srv = servers.get(peer);
      const spec = srv ? peerRequest(lane, peer, srv.origin) : undefined;
      if (!spec) continue;
      const pr = await probe(spec).catch((err: unknown) => ({ status: 0, text: (err as Error).message }));
      if (!okReply(pr)) {
        const st = peers.find((p) => p.target === peer)!;
        st.note += `${st.note ? "; " : ""}${lane.id}: answered ${pr.status} (${pr.text.slice(0, 120).replace(/\s+/g, " ")}), not measured`;
        log(`lane ${lane.id}: ${peer} answered ${pr.status}: ${pr.text.slice(0, 200)}`);
        continue;
      }
      m.set(peer, spec);
      if (lane.kind === "passthrough") {
        const pu = (await mock.rpc.call({ cmd: "capture", path: lane.upstreamPath })) as { raw: string } | null;
        if (pu) {
          const cmp = compareBodies(spec.body, pu.raw);
          fidelity.push({
            lane: lane.id,
            target: peer,
            clientBytes: Buffer.byteLength(spec.body),
            upstreamBytes: Buffer.byteLength(pu.raw),
            droppedKeys: cmp.dropped,
            changedKeys: cmp.changed,
          });
        }
      }
    }
    info.targets = laneTargets(lane).filter((t) => m.has(t));
    specs.set(lane.id, m);
    infos.push(info);
    log(
      `lane ${lane.id}: ${(info.bytes / 1000).toFixed(1)} kB → ${(info.upstreamBytes / 1000).toFixed(1)} kB upstream; targets ${info.targets.join(", ")}`,
    );
  }
  return { specs, infos, fidelity };
}
