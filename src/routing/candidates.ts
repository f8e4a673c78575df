import type { Deployment } from "./deployments.js";
import type { Availability } from "./health.js";
import type { LoopDeps, LoopRoute } from "./loop-types.js";
import { type Candidate, order } from "./strategies.js";

/**
 * The deployments of an alias to try, in order: the strategy's order among those not cooling down, a
 * conversation's bound deployment first; a previous response's deployment alone (`pinned`); an alias with
 * nothing else to try (`alone`) tried whatever its health says.
 */
export async function candidates<R extends LoopRoute>(
  route: R,
  deps: LoopDeps<unknown, R>,
  early?: ReadonlyMap<string, Promise<Availability>>,
): Promise<{ list: { d: Deployment; avail: Availability }[]; pinned: boolean; alone?: boolean }> {
  const { health } = deps;
  const ds = route.deployments;
  const availability = (d: Deployment) => early?.get(d.id) ?? health.availability(d);
  // An alias with nothing else to try (one deployment, no fallback aliases) is not turned away by its health:
  // its cooldowns and error windows are kept (and shown), but the upstream answers for itself. Its order needs
  // no in-flight counts or latencies.
  if (ds.length === 1 && !hasFallbacks(route)) {
    const d = ds[0]!;
    const avail = deps.bound ? (await Promise.all([availability(d), deps.bound(route)]))[0] : await availability(d);
    if (avail === "cooling") deps.note(`${d.name}: cooling down, but the alias has nothing else to try`);
    return { list: [{ d, avail: avail === "half-open" ? "half-open" : "ok" }], pinned: false, alone: true };
  }
  const [avail, inflight, ttft, binding] = await Promise.all([
    Promise.all(ds.map(availability)),
    route.routing.strategy === "least-busy" ? Promise.all(ds.map((d) => health.inflight(d))) : undefined,
    route.routing.strategy === "latency" ? Promise.all(ds.map((d) => health.ttft(d))) : undefined,
    deps.bound ? deps.bound(route) : undefined,
  ]);
  const pin = binding?.only ? ds.find((d) => d.id === binding.id) : undefined;
  if (pin) {
    deps.note(`previous response held by ${pin.name}: sent there alone`);
    // Cooling or not: no other deployment can answer it (a cooling one answers its own 429 and wait).
    return { list: [{ d: pin, avail: "ok" }], pinned: true };
  }
  const boundId = route.routing.affinity ? binding?.id : undefined;
  const open: Candidate[] = [];
  ds.forEach((d, i) => {
    if (avail[i] !== "cooling") open.push({ d, inflight: inflight?.[i] ?? 0, ttftMs: ttft?.[i] });
  });
  let ordered = order(route.routing.strategy, open, deps.rand);
  // A conversation stays where its prompt cache is, while that deployment is healthy.
  const bound = boundId === undefined ? undefined : ordered.find((d) => d.id === boundId);
  if (bound) {
    ordered = [bound, ...ordered.filter((d) => d !== bound)];
    deps.note(`affinity: conversation bound to ${bound.name}`);
  }
  const byId = new Map(ds.map((d, i) => [d.id, avail[i]!]));
  const out = ordered.map((d) => ({ d, avail: byId.get(d.id)! }));
  const cooling = ds.filter((_, i) => avail[i] === "cooling");
  if (cooling.length > 0) deps.note(`cooling down, skipped: ${cooling.map((d) => d.name).join(", ")}`);
  return { list: out, pinned: false };
}

function hasFallbacks(route: LoopRoute): boolean {
  return (route.settings.fallbacks?.length ?? 0) > 0 || (route.settings.context_window_fallbacks?.length ?? 0) > 0;
}
