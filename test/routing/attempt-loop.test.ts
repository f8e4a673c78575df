/**
 * The attempt loop on its own: scripted deployments (each a function of the call) over the real health
 * bookkeeping on the memory engine. What is checked is which deployments were called, in what order, and
 * what the loop gave back.
 */
import { describe, expect, it } from "vitest";
import type { AbortLike } from "../../src/http/abort-flag.js";
import type { ErrorInfo } from "../../src/ir/types.js";
import type { Provider } from "../../src/providers/types.js";
import {
  type Attempted,
  attemptLoop,
  type Binding,
  type Exhausted,
  isExhausted,
  type LoopReply,
  type LoopRoute,
} from "../../src/routing/attempt-loop.js";
import { type Deployment, type Routing, routingOf } from "../../src/routing/deployments.js";
import { type Availability, DeploymentHealth } from "../../src/routing/health.js";
import { MemoryState } from "../../src/state/memory.js";

const dep = (name: string, weight = 1): Deployment => ({
  id: `p-${name}/m`,
  name,
  provider: { name: `p-${name}` } as Provider,
  model: "m",
  weight,
});

/** A deployment's behaviour: answers a status (and body), throws a failure, or waits for the signal. */
type Script =
  | { status: number; body?: string; headers?: Record<string, string> }
  | { throws: ErrorInfo }
  | { hang: true };

class Failure extends Error {
  constructor(readonly info: ErrorInfo) {
    super(info.message);
  }
}

function reply(status: number, body = "", headers: Record<string, string> = {}): LoopReply {
  return {
    status,
    headers,
    body: (async function* () {
      yield Buffer.from(body);
    })(),
    dump: async () => undefined,
  };
}

function route(alias: string, ds: Deployment[], more: Partial<Routing> = {}, settings: LoopRoute["settings"] = {}) {
  const base = routingOf({ provider: "p" });
  return {
    alias,
    deployments: ds,
    routing: { ...base, ...more, actions: { ...base.actions, ...more.actions } },
    settings,
  } satisfies LoopRoute;
}

type R = ReturnType<typeof route>;

/** Runs the loop over scripted deployments; the plan is the deployment's name. */
function run(
  first: R,
  scripts: Record<string, Script>,
  opts: {
    aliases?: Record<string, R>;
    signal?: AbortSignal;
    bound?: Binding;
    health?: DeploymentHealth;
    rand?: () => number;
    early?: Map<string, Promise<Availability>>;
  } = {},
) {
  const calls: string[] = [];
  const signals: AbortLike[] = [];
  const notes: string[] = [];
  const health = opts.health ?? new DeploymentHealth(new MemoryState(), { coolDown() {}, recovered() {} });
  const result = attemptLoop<string, R>(first, {
    plan: async (_r, d) => d.name,
    call: (plan, signal) => {
      calls.push(plan);
      signals.push(signal);
      const s = scripts[plan] ?? { status: 200 };
      if ("throws" in s) return Promise.reject(new Failure(s.throws));
      if ("hang" in s)
        return new Promise((_, reject) =>
          signal.addEventListener("abort", () => reject(new DOMException("aborted", "AbortError")), { once: true }),
        );
      return Promise.resolve(reply(s.status, s.body, s.headers));
    },
    fallback: (alias) => opts.aliases?.[alias],
    isFailure: (e): e is Failure => e instanceof Failure,
    health,
    bound: async () => opts.bound,
    note: (w) => notes.push(w),
    signal: opts.signal ?? new AbortController().signal,
    rand: opts.rand ?? (() => 0),
    early: opts.early,
  });
  return { result, calls, signals, notes, health };
}

const served = (r: Attempted<string> | Exhausted<string>) => (isExhausted(r) ? undefined : r.deployment.name);
const lastStatus = (r: Attempted<string> | Exhausted<string>) => (isExhausted(r) ? r.last?.reply.status : undefined);

const a = dep("a");
const b = dep("b");
const c = dep("c");
const CONTEXT = '{"error":{"code":"context_length_exceeded","message":"maximum context length is 8192 tokens"}}';
const FILTERED = '{"error":{"code":"content_filter","message":"The response was filtered"}}';

describe("the attempt loop's default actions", () => {
  it("retries rate limited, overloaded, server, timeout and connection failures on the next deployment", async () => {
    for (const s of [
      { status: 429 },
      { status: 529 },
      { status: 503 },
      { status: 500 },
      { status: 504 },
      { throws: { status: 502, kind: "server", message: "ECONNREFUSED" } },
      { throws: { status: 504, kind: "timeout", message: "did not answer in time" } },
    ] as Script[]) {
      const { result, calls } = run(route("x", [a, b, c]), { a: s });
      expect(served(await result)).toBe("b");
      expect(calls).toEqual(["a", "b"]);
    }
  });

  it("surfaces content filtering and the request's own faults at once, trying nothing else", async () => {
    for (const s of [
      { status: 400, body: FILTERED },
      { status: 400, body: '{"error":{"message":"bad temperature"}}' },
    ]) {
      const { result, calls } = run(route("x", [a, b]), { a: s });
      const r = await result;
      expect(calls).toEqual(["a"]);
      expect(lastStatus(r)).toBe(400);
    }
  });

  it("moves a context-window failure to the context_window_fallbacks, skipping the alias's other deployments", async () => {
    const long = route("long", [c]);
    const { result, calls } = run(
      route("short", [a, b], {}, { context_window_fallbacks: ["long"] }),
      {
        a: { status: 400, body: CONTEXT },
      },
      { aliases: { long } },
    );
    expect(served(await result)).toBe("c");
    expect(calls).toEqual(["a", "c"]);
  });

  it("tries the fallbacks once every deployment failed, and never more than retries + 1 deployments per alias", async () => {
    const backup = route("backup", [c]);
    const { result, calls } = run(
      route("x", [a, b, dep("d")], { retries: 1 }, { fallbacks: ["backup"] }),
      { a: { status: 500 }, b: { status: 500 }, d: { status: 500 } },
      { aliases: { backup } },
    );
    expect(served(await result)).toBe("c");
    expect(calls).toEqual(["a", "b", "c"]);
  });
});

describe("actions configured per alias", () => {
  it("rate_limited: surface answers the 429 as it came, trying nothing else", async () => {
    const { result, calls } = run(route("x", [a, b], { actions: { rate_limited: "surface" } } as Partial<Routing>), {
      a: { status: 429, headers: { "retry-after": "7" } },
    });
    const r = await result;
    expect(calls).toEqual(["a"]);
    expect(isExhausted(r) && r.last?.reply.headers["retry-after"]).toBe("7");
  });

  it("server: fallback skips the alias's other deployments; connection: fallback does so for a refused call", async () => {
    const backup = route("backup", [c]);
    for (const [cls, s] of [
      ["server", { status: 500 }],
      ["connection", { throws: { status: 502, kind: "server", message: "ECONNRESET" } }],
    ] as const) {
      const { result, calls } = run(
        route("x", [a, b], { actions: { [cls]: "fallback" } } as Partial<Routing>, { fallbacks: ["backup"] }),
        { a: s },
        { aliases: { backup } },
      );
      expect(served(await result)).toBe("c");
      expect(calls).toEqual(["a", "c"]);
    }
  });

  it("content_filter: retry tries the next deployment; context_window: retry too", async () => {
    for (const [cls, body] of [
      ["content_filter", FILTERED],
      ["context_window", CONTEXT],
    ] as const) {
      const { result, calls } = run(route("x", [a, b], { actions: { [cls]: "retry" } } as Partial<Routing>), {
        a: { status: 400, body },
      });
      expect(served(await result)).toBe("b");
      expect(calls).toEqual(["a", "b"]);
    }
  });
});

describe("the loop's bounds", () => {
  it("a client abort stops the loop at once: the pending call is cancelled and no other deployment is tried", async () => {
    const client = new AbortController();
    const { result, calls, signals } = run(route("x", [a, b, c]), { a: { hang: true } }, { signal: client.signal });
    await new Promise((r) => setTimeout(r, 50));
    const t = Date.now();
    client.abort();
    const outcome = await result.then(
      (r) => r,
      (e: Error) => e,
    );
    expect(Date.now() - t).toBeLessThan(200);
    expect(outcome).toBeInstanceOf(Error);
    expect(signals[0]!.aborted).toBe(true);
    expect(calls).toEqual(["a"]);
  });

  it("a client gone between two attempts: the next deployment is not called", async () => {
    const client = new AbortController();
    const { result, calls } = run(route("x", [a, b, c]), { a: { status: 500, body: "x" } }, { signal: client.signal });
    client.abort();
    const r = await result;
    expect(isExhausted(r)).toBe(true);
    expect(calls.length).toBeLessThanOrEqual(1);
  });

  it("max_total_ms bounds the whole loop: a hanging deployment is cut at the deadline, the answer is a 504", async () => {
    const backup = route("backup", [c]);
    const { result, calls, signals } = run(
      route("x", [a, b], { max_total_ms: 300 }, { fallbacks: ["backup"] }),
      { a: { hang: true } },
      { aliases: { backup } },
    );
    const t = Date.now();
    const r = await result;
    const took = Date.now() - t;
    expect(took).toBeGreaterThanOrEqual(250);
    expect(took).toBeLessThan(2_000);
    expect(calls).toEqual(["a"]);
    expect(signals[0]!.aborted).toBe(true);
    expect(isExhausted(r) && r.error?.status).toBe(504);
    expect(isExhausted(r) && r.error?.message).toMatch(/max_total_ms \(300 ms\)/);
  });

  it("the deadline never cuts an answer that began: the call's signal stays quiet after the loop returned", async () => {
    const { result, signals } = run(route("x", [a], { max_total_ms: 100 }), {});
    expect(served(await result)).toBe("a");
    await new Promise((r) => setTimeout(r, 250));
    expect(signals[0]!.aborted).toBe(false);
  });

  it("the deadline is not held against the deployment that was cut by it", async () => {
    const health = new DeploymentHealth(new MemoryState(), { coolDown() {}, recovered() {} });
    for (let i = 0; i < 4; i++) {
      const { result } = run(
        route("x", [a], { max_total_ms: 50, allowed_fails: 1 }),
        { a: { hang: true } },
        { health },
      );
      await result;
    }
    expect(await health.availability(a)).toBe("ok");
    expect((await health.view(a, route("x", [a]).routing)).window_errors).toBe(0);
  });
});

describe("a previous response pinned to its deployment", () => {
  it("goes only there, even while it cools down, and answers its failure rather than trying elsewhere", async () => {
    const health = new DeploymentHealth(new MemoryState(), { coolDown() {}, recovered() {} });
    await health.failed(b, route("x", [a, b]).routing, { class: "rate_limited", retryAfterMs: 30_000 }, false);
    expect(await health.availability(b)).toBe("cooling");
    const backup = route("backup", [c]);
    const ok = run(route("x", [a, b], {}, { fallbacks: ["backup"] }), {}, { bound: { id: b.id, only: true }, health });
    expect(served(await ok.result)).toBe("b");
    expect(ok.calls).toEqual(["b"]);
    const refused = run(
      route("x", [a, b], {}, { fallbacks: ["backup"] }),
      { b: { status: 429, headers: { "retry-after": "30" } } },
      { bound: { id: b.id, only: true }, health, aliases: { backup } },
    );
    expect(lastStatus(await refused.result)).toBe(429);
    expect(refused.calls).toEqual(["b"]);
  });

  it("an affinity binding (not pinned) is only a preference: a cooling deployment is passed by", async () => {
    const health = new DeploymentHealth(new MemoryState(), { coolDown() {}, recovered() {} });
    const { result, calls } = run(route("x", [a, b]), {}, { bound: { id: b.id }, health });
    expect(served(await result)).toBe("b");
    expect(calls).toEqual(["b"]);
    await health.failed(b, route("x", [a, b]).routing, { class: "rate_limited", retryAfterMs: 30_000 }, false);
    const moved = run(route("x", [a, b]), {}, { bound: { id: b.id }, health });
    expect(served(await moved.result)).toBe("a");
  });
});

/** A seeded generator, so the distributions are the same on every run. */
function seeded(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x = (x * 1664525 + 1013904223) >>> 0;
    return x / 2 ** 32;
  };
}

describe("each strategy's distribution over 1,000 requests through the loop and the health state", () => {
  /** Shares of the first deployment tried over 1,000 requests (settled, so in-flight counts stay as set). */
  async function shares(r: R, health: DeploymentHealth): Promise<Record<string, number>> {
    const rand = seeded(7);
    const counts: Record<string, number> = {};
    for (let i = 0; i < 1000; i++) {
      const { result, calls } = run(r, {}, { health, rand });
      const got = await result;
      if (!isExhausted(got)) await got.settle("ok");
      counts[calls[0]!] = (counts[calls[0]!] ?? 0) + 1;
    }
    return Object.fromEntries(r.deployments.map((x) => [x.name, (counts[x.name] ?? 0) / 1000]));
  }
  /** Within ±10% of the expected share (relative). */
  const near = (got: number | undefined, want: number) => {
    expect(got).toBeGreaterThanOrEqual(want * 0.9);
    expect(got).toBeLessThanOrEqual(want * 1.1);
  };
  const fresh = () => new DeploymentHealth(new MemoryState(), { coolDown() {}, recovered() {} });

  it("weighted 2:1:1 → 50% / 25% / 25%", async () => {
    const s = await shares(route("x", [dep("a", 2), dep("b"), dep("c")]), fresh());
    near(s.a, 0.5);
    near(s.b, 0.25);
    near(s.c, 0.25);
  });

  it("least-busy: with two requests held open on a, b and c take half each and a none", async () => {
    const health = fresh();
    const ds = [dep("a"), dep("b"), dep("c")];
    await health.started(ds[0]!);
    await health.started(ds[0]!);
    const s = await shares(route("x", ds, { strategy: "least-busy" }), health);
    expect(s.a).toBe(0);
    near(s.b, 0.5);
    near(s.c, 0.5);
  });

  it("latency (power of two choices on the TTFT average): 10/20/40 ms → 2/3, 1/3, none", async () => {
    const health = fresh();
    const ds = [dep("fast"), dep("mid"), dep("slow")];
    const routing = route("x", ds).routing;
    for (const [d, ms] of [
      [ds[0]!, 10],
      [ds[1]!, 20],
      [ds[2]!, 40],
    ] as const)
      await health.succeeded(d, routing, ms, false);
    // The loop's own TTFT samples (near 0 ms here) would move the averages: read them once, then keep them.
    const frozen = new DeploymentHealth(new MemoryState(), { coolDown() {}, recovered() {} });
    const ttft = new Map(await Promise.all(ds.map(async (d) => [d.id, await health.ttft(d)] as const)));
    frozen.ttft = async (d) => ttft.get(d.id);
    const s = await shares(route("x", ds, { strategy: "latency" }), frozen);
    near(s.fast, 2 / 3);
    near(s.mid, 1 / 3);
    expect(s.slow).toBe(0);
  });
});

describe("availability read ahead of the loop", () => {
  it("stands for the first alias's deployments, and a fallback alias reads its own afresh", async () => {
    // Read ahead: a cooling, b open. The first alias skips a; b fails with a 503 and cools down; the fallback
    // alias (b, then a) must see b cooling now, not the earlier read, and a as the state says (open).
    const health = new DeploymentHealth(new MemoryState(), { coolDown() {}, recovered() {} });
    const early = new Map<string, Promise<Availability>>([
      [a.id, Promise.resolve("cooling")],
      [b.id, Promise.resolve("ok")],
    ]);
    const first = route("x", [a, b], { allowed_fails: 1 }, { fallbacks: ["y"] });
    const { result, calls, notes } = run(
      first,
      { b: { status: 503 } },
      {
        aliases: { y: route("y", [b, a]) },
        health,
        early,
      },
    );
    const r = await result;
    expect(calls).toEqual(["b", "a"]);
    expect(served(r)).toBe("a");
    expect(notes).toContain("cooling down, skipped: a");
    expect(notes).toContain("cooling down, skipped: b");
  });

  it("is used for an alias of one deployment too (its health noted, the upstream still asked)", async () => {
    const early = new Map<string, Promise<Availability>>([[a.id, Promise.resolve("cooling")]]);
    const { result, calls, notes } = run(route("solo", [a]), {}, { early });
    expect(served(await result)).toBe("a");
    expect(calls).toEqual(["a"]);
    expect(notes).toContain("a: cooling down, but the alias has nothing else to try");
  });
});
