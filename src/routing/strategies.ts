import type { Deployment } from "./deployments.js";

/** A deployment with what the strategies look at. */
export interface Candidate {
  readonly d: Deployment;
  /** Requests in flight on it now (every instance, when the state is shared). */
  readonly inflight: number;
  /** Moving average of its time to first token, ms; undefined until it answered once. */
  readonly ttftMs: number | undefined;
}

export type Strategy = "weighted" | "least-busy" | "latency";
export type Random = () => number;

function byWeight(cands: readonly Candidate[], rand: Random): number {
  let total = 0;
  for (const c of cands) total += c.d.weight;
  let r = rand() * total;
  for (let i = 0; i < cands.length; i++) {
    r -= cands[i]!.d.weight;
    if (r < 0) return i;
  }
  return cands.length - 1;
}

function leastBusy(cands: readonly Candidate[], rand: Random): number {
  let min = Number.POSITIVE_INFINITY;
  for (const c of cands) min = Math.min(min, c.inflight);
  const idle = cands.map((c, i) => (c.inflight === min ? i : -1)).filter((i) => i >= 0);
  return idle[Math.floor(rand() * idle.length)]!;
}

/**
 * Power of two choices on time to first token: two distinct deployments drawn by weight, the faster kept.
 * One that never answered yet counts as fastest, so every deployment gets measured.
 */
function latency(cands: readonly Candidate[], rand: Random): number {
  if (cands.length === 1) return 0;
  const a = byWeight(cands, rand);
  const rest = cands.filter((_, i) => i !== a);
  let b = byWeight(rest, rand);
  b = cands.indexOf(rest[b]!);
  const ta = cands[a]!.ttftMs ?? 0;
  const tb = cands[b]!.ttftMs ?? 0;
  return ta <= tb ? a : b;
}

const PICK: Record<Strategy, (c: readonly Candidate[], r: Random) => number> = {
  weighted: byWeight,
  "least-busy": leastBusy,
  latency,
};

/** The order in which to try the candidates: the strategy's pick first, then its pick of the rest, … */
export function order(strategy: Strategy, cands: readonly Candidate[], rand: Random = Math.random): Deployment[] {
  const left = [...cands];
  const out: Deployment[] = [];
  while (left.length > 0) {
    const i = PICK[strategy](left, rand);
    out.push(left[i]!.d);
    left.splice(i, 1);
  }
  return out;
}
