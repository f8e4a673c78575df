/** The leak check: does llmux's memory, read after a full GC, stay flat under the same load again and again? */
import type { Fleet } from "./fleet.js";
import type { Lane } from "./lanes.js";
import type { Measurer } from "./measure.js";
import type { Settings } from "./options.js";
import { memoryAfterGc } from "./procs.js";
import { log } from "./progress.js";
import type { RequestSpec, TargetName } from "./types.js";

// Leak check: a fresh llmux with an inspector, the same load again and again, memory after a full GC each time.
export async function leakCheck(
  S: Settings,
  fleet: Fleet,
  ms: Measurer,
  lanes: Lane[],
  specs: Map<string, Map<TargetName, RequestSpec>>,
): Promise<void> {
  const srv = await fleet.startTarget("llmux", true);
  for (let round = 1; round <= S.leakRounds; round++) {
    // The team lanes run on llmux processes of their own, whose minted keys this one does not know.
    for (const lane of lanes.filter((l) => !l.team)) {
      const spec = specs.get(lane.id)?.get("llmux");
      if (spec) await ms.runJob({ ...ms.job([{ ...spec, origin: srv.origin }], 16, lane, S.leakMs), warmupMs: 0 });
    }
    const mem = srv.inspectorUrl ? await memoryAfterGc(srv.inspectorUrl, srv.pid) : undefined;
    if (mem) {
      ms.rss.push({
        target: "llmux",
        phase: `leak check: round ${round}, full GC`,
        run: round,
        rssKb: mem.rssKb,
        heapUsedKb: mem.heapUsedKb,
      });
      log(
        `leak check round ${round}: after a full GC, RSS ${(mem.rssKb / 1024).toFixed(1)} MB, heap ${(mem.heapUsedKb / 1024).toFixed(1)} MB`,
      );
    }
  }
}
