/** CPU profiles of llmux (`node --cpu-prof`) on the lanes whose targets were missed, or on request. */
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import type { Fleet } from "./fleet.js";
import type { Lane } from "./lanes.js";
import type { Measurer } from "./measure.js";
import type { Options, Paths, Settings } from "./options.js";
import { type CpuProfile, flameGraphSvg, summarizeProfile } from "./profile.js";
import { log } from "./progress.js";
import { evaluateTargets } from "./report-targets.js";
import type { BenchResults, RequestSpec, TargetName } from "./types.js";

// Profiles: where an llmux target was missed (or when asked), run the lane again under --cpu-prof.
export async function profileMissed(
  opts: Options,
  S: Settings,
  paths: Paths,
  fleet: Fleet,
  ms: Measurer,
  lanes: Lane[],
  specs: Map<string, Map<TargetName, RequestSpec>>,
  results: BenchResults,
): Promise<void> {
  const { root, profDir } = paths;
  if (opts.profile === "on" || (opts.profile === "auto" && !opts.quick)) {
    const missed = evaluateTargets(results).filter((t) => t.met === false);
    // Latency targets are profiled at c = 1, throughput targets at c = 16.
    const wanted = new Map<string, { lane: string; c: number }>();
    for (const t of [...missed].sort((a, b) => Number(a.group === "throughput") - Number(b.group === "throughput"))) {
      const c = t.group === "throughput" ? 16 : 1;
      // Not the team lanes: the profiled llmux runs on the bench's own configuration, without their store and keys.
      const own = t.lanes.filter((l) => specs.has(l) && !lanes.find((x) => x.id === l)?.team);
      for (const l of own) wanted.set(`${l}@${c}`, { lane: l, c });
    }
    if (wanted.size === 0 && opts.profile === "on") {
      for (const l of ["msg-cc", "msg-cc-azure"].filter((x) => specs.has(x))) wanted.set(`${l}@1`, { lane: l, c: 1 });
    }
    for (const { lane: laneId, c } of [...wanted.values()].slice(0, S.maxProfiles)) {
      const lane = lanes.find((l) => l.id === laneId)!;
      const tag = `${laneId}-c${c}`;
      const name = `${tag}.cpuprofile`;
      rmSync(join(profDir, name), { force: true });
      const spawnedAt = performance.now();
      const prof = await fleet.startLlmux(`llmux-prof-${tag}`, [
        "--cpu-prof",
        `--cpu-prof-dir=${profDir}`,
        `--cpu-prof-name=${name}`,
      ]);
      const spec = { ...specs.get(laneId)!.get("llmux")!, origin: prof.origin };
      await ms.runJob({ ...ms.job([spec], Math.max(4, c), lane, 1000), warmupMs: 0, minRequests: 1 });
      // Samples before this point (start-up, module loading, warm-up) are left out of the summary.
      const skipUs = (performance.now() - spawnedAt) * 1000;
      const [res] = await ms.runJob({ ...ms.job([spec], c, lane, S.profileMs), warmupMs: 0 });
      await prof.stop();
      try {
        const p = JSON.parse(readFileSync(join(profDir, name), "utf8")) as CpuProfile;
        const sum = summarizeProfile(p, 15, root, skipUs);
        const svg = join(profDir, `${tag}.svg`);
        writeFileSync(svg, flameGraphSvg(p, `llmux CPU profile — ${laneId}, c=${c}`, 1200, skipUs));
        results.profiles.push({
          lane: laneId,
          concurrency: c,
          requests: res!.totalRequests,
          totalMs: sum.busyMs,
          top: sum.top,
          byArea: sum.byArea,
          flamegraph: relative(root, svg),
        });
        log(
          `profile ${tag}: ${sum.top
            .slice(0, 5)
            .map((e) => `${e.fn} ${e.selfPct.toFixed(1)}%`)
            .join(", ")}`,
        );
      } catch (err) {
        log(`profile ${tag}: could not read the profile (${(err as Error).message})`);
      }
    }
  }
}
