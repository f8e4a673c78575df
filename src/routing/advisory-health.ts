import type { DeploymentHealth } from "./health.js";

/** What the attempt loop asks of deployment health. */
export type LoopHealth = Pick<
  DeploymentHealth,
  | "availability"
  | "inflight"
  | "ttft"
  | "claimQuota"
  | "claimProbe"
  | "releaseProbe"
  | "started"
  | "finished"
  | "answered"
  | "failed"
>;

const quiet = <T>(p: Promise<T>, fallback: T): Promise<T> => p.catch(() => fallback);

/**
 * Deployment health as advice: when the shared state cannot answer (Redis away under `state.on_failure:
 * fail-closed`), routing goes on as if every deployment were healthy and idle, and what it would have
 * counted is not counted. Limits and budgets still refuse what needs the shared state (src/limits); the
 * bookkeeping of routing never fails a request by itself.
 */
export function advisory(h: DeploymentHealth): LoopHealth {
  return {
    availability: (d) => quiet(h.availability(d), "ok"),
    inflight: (d) => quiet(h.inflight(d), 0),
    ttft: (d) => quiet(h.ttft(d), undefined),
    claimQuota: (d) => quiet(h.claimQuota(d), true),
    claimProbe: (d) => quiet(h.claimProbe(d), true),
    releaseProbe: (d) => quiet(h.releaseProbe(d), undefined),
    // Without a concurrency limit the count is sent off and the answer is a settled promise that never fails.
    started: (d) => (d.concurrency === undefined ? h.started(d) : quiet(h.started(d), true)),
    finished: (d) => quiet(h.finished(d), undefined),
    answered: (d, routing, ttft, probe) => quiet(h.answered(d, routing, ttft, probe), undefined),
    failed: (d, routing, c, probe) => quiet(h.failed(d, routing, c, probe), undefined),
  };
}
