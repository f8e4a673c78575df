/**
 * The routing layer's own cost, measured in the bench process with nothing else around it (the lanes'
 * end-to-end difference is milliseconds of noise on a shared machine, far above the 0.05 ms target):
 *
 * - one deployment: what a request to a `provider` + `model` alias pays for routing (the check that sends
 *   it straight to its upstream, touching no state);
 * - two deployments: the attempt loop on the in-process hot state as the gateway runs it for a request
 *   that succeeds at once (availability, strategy, affinity lookup, in-flight count, health on settle,
 *   the affinity binding, the read of the stream's first event), with the upstream call itself a stub
 *   answering one Chat chunk.
 */
import type { Provider } from "../src/providers/types.js";
import { attemptLoop, isExhausted } from "../src/routing/attempt-loop.js";
import { type Deployment, routingOf } from "../src/routing/deployments.js";
import { DeploymentHealth } from "../src/routing/health.js";
import type { HotState } from "../src/state/hot-state.js";
import { MemoryState } from "../src/state/memory.js";
import { peek } from "../src/upstream/inspect.js";
import { summarize } from "./stats.js";

export interface RoutingCost {
  /** Microseconds per request, p50 and p99. */
  single: { p50: number; p99: number; n: number };
  routed: { p50: number; p99: number; n: number };
}

const dep = (name: string): Deployment => ({
  id: `${name}/bench-model`,
  name,
  provider: { name } as Provider,
  model: "bench-model",
  weight: 1,
});

function stats(samples: number[]): { p50: number; p99: number; n: number } {
  const s = summarize(samples);
  return { p50: s.p50, p99: s.p99, n: samples.length };
}

export async function measureRoutingCost(
  n = 20_000,
  open: () => HotState = () => new MemoryState(),
): Promise<RoutingCost> {
  const settings = { provider: "compat", model: "bench-model" };
  const one = { alias: "bench-single", settings: {}, deployments: [dep("compat")], routing: routingOf(settings) };
  const hot = open();
  const health = new DeploymentHealth(hot, { coolDown: () => undefined, recovered: () => undefined });
  const two = {
    alias: "bench-routed",
    settings: {},
    deployments: [dep("compat"), dep("compat2")],
    routing: routingOf({ deployments: [] } as never),
  };
  const chunk = Buffer.from(
    'data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"bench-model","choices":[{"index":0,"delta":{"role":"assistant","content":"Hi"},"finish_reason":null}]}\n\n',
  );
  const reply = () => ({
    status: 200,
    headers: {},
    body: (async function* () {
      yield chunk;
    })(),
    dump: async () => undefined,
  });
  // A single deployment is an attempt loop of one: its health, in-flight count and latency are kept too.
  const single: number[] = [];
  for (let i = 0; i < n + 2000; i++) {
    const t = process.hrtime.bigint();
    const r = await attemptLoop(one, {
      plan: async () => ({}),
      call: async () => reply(),
      inspect: async (_plan, r) => {
        const seen = await peek("openai-chat", r.body);
        return seen.kind === "answer" ? { ...r, body: seen.body } : seen;
      },
      fallback: () => undefined,
      isFailure: (e): e is { info: never } => false && e !== undefined,
      health,
      note: () => undefined,
      signal: new AbortController().signal,
    });
    if (!isExhausted(r)) await r.settle("ok");
    const us = Number(process.hrtime.bigint() - t) / 1000;
    if (i >= 2000) single.push(us);
  }
  const routed: number[] = [];
  for (let i = 0; i < n + 2000; i++) {
    const key = `s:conversation-${i % 50}`;
    const t = process.hrtime.bigint();
    const r = await attemptLoop(two, {
      plan: async () => ({}),
      call: async () => reply(),
      inspect: async (_plan, r) => {
        const seen = await peek("openai-chat", r.body);
        return seen.kind === "answer" ? { ...r, body: seen.body } : seen;
      },
      fallback: () => undefined,
      isFailure: (e): e is { info: never } => false && e !== undefined,
      health,
      bound: async () => {
        const id = await hot.get(`aff:bench-routed:${key}`);
        return id === undefined ? undefined : { id };
      },
      note: () => undefined,
      // Each request has a signal of its own (the loop listens on it for the client's abort).
      signal: new AbortController().signal,
    });
    if (!isExhausted(r)) {
      await r.settle("ok");
      await hot.set(`aff:bench-routed:${key}`, r.deployment.id, 3600_000);
    }
    const us = Number(process.hrtime.bigint() - t) / 1000;
    if (i >= 2000) routed.push(us);
  }
  await hot.close();
  return { single: stats(single), routed: stats(routed) };
}
