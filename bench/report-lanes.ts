/** The report's tables of lanes, peer gateways, and what the gateways sent upstream on the passthrough lanes. */
import { gatewaysOf } from "./report-figures.js";
import { type Emit, kb, laneTitle, table } from "./report-format.js";
import { type BenchResults, targetLabel } from "./types.js";

export function renderLanes(r: BenchResults, p: Emit): void {
  // --- lanes
  p("### Lanes");
  p();
  p(
    table(
      ["lane", "what", "client body", "upstream body", "source", "peers"],
      r.lanes.map((l) => [
        laneTitle(l),
        l.title + (l.notes ? ` — ${l.notes}` : ""),
        kb(l.bytes),
        kb(l.upstreamBytes),
        `\`${l.source}\``,
        gatewaysOf(l)
          .filter((g) => g !== "llmux" && g !== "compare" && g !== "proxy")
          .map((g) => targetLabel(g, r.meta))
          .join(", ") || "–",
      ]),
    ),
  );
  p();
  p("### Peers");
  p();
  p(
    table(
      ["gateway", "version", "status", "lanes"],
      r.peers.map((s) => [
        targetLabel(s.target, r.meta),
        s.version ?? "–",
        (s.ok ? "ran" : "**not run**") + (s.note ? ` — ${s.note}` : ""),
        r.lanes
          .filter((l) => l.targets.includes(s.target))
          .map((l) => `\`${l.id}\``)
          .join(", ") || "–",
      ]),
    ),
  );
  p();

  if (r.fidelity.length > 0) {
    p("### What the gateways sent upstream on the passthrough lanes");
    p();
    p(
      "Top-level keys of the client's body that were missing (dropped) or different (changed, besides `model`) in " +
        "the request the mock received.",
    );
    p();
    p(
      table(
        ["lane", "gateway", "client body", "upstream body", "dropped keys", "changed keys"],
        r.fidelity.map((f) => [
          `\`${f.lane}\``,
          targetLabel(f.target, r.meta),
          kb(f.clientBytes),
          kb(f.upstreamBytes),
          f.droppedKeys.length > 0 ? f.droppedKeys.map((k) => `\`${k}\``).join(", ") : "none",
          f.changedKeys.length > 0 ? f.changedKeys.map((k) => `\`${k}\``).join(", ") : "none",
        ]),
      ),
    );
    p();
  }
}
