import type { HotState, HotWrite } from "../state/hot-state.js";
import { hotKeys } from "../state/keys.js";
import { SharedReads } from "../state/shared-reads.js";
import type { Deployment, Routing } from "./deployments.js";
import { type Classified, isDeploymentFault } from "./error-class.js";
import { claimQuota, quotaUse, spendTokens } from "./quota.js";

/**
 * Whether a deployment may take a request now. `half-open`: its cooldown after errors is over and the
 * next request to it is a single trial, which a caller must claim with `claimProbe` before sending.
 */
export type Availability = "ok" | "half-open" | "cooling";

export interface HealthEvents {
  coolDown(d: Deployment, forMs: number, why: string): void;
  recovered(d: Deployment): void;
}

/** What /admin/v1/deployments shows of one deployment. */
export interface HealthView {
  cooling_until: string | null;
  /** Tripped by errors: the next request after the cooldown is a single probe. */
  half_open: boolean;
  in_flight: number;
  ttft_ms: number | null;
  window_requests: number;
  window_errors: number;
  /** Requests and tokens taken from a declared `rpm` / `tpm` bucket now (null: none declared). */
  rpm_used: number | null;
  tpm_used: number | null;
}

const INFLIGHT_TTL = 15 * 60_000;
/** How long a deployment an alias pattern resolved to stays listed after its last request. */
const SEEN_TTL = 7 * 86_400_000;
/** How often one instance renews the listing of a deployment it keeps serving. */
const SEEN_RENEW_MS = 3600_000;

/** A deployment an alias pattern (or a `provider/model` name) resolved to: listed with the configured ones. */
export interface SeenDeployment {
  readonly alias: string;
  readonly provider: string;
  readonly model: string;
}
const PROBE_TTL = 60_000;
/** Weight of the newest sample in the time-to-first-token average. */
const ALPHA = 0.3;
/** How long an instance builds the TTFT average on the value it wrote itself before reading it again. */
const TTFT_REREAD_MS = 1000;

const STARTED = Promise.resolve(true);

function availabilityOf([cool, open]: (string | undefined)[]): Availability {
  if (cool !== undefined) return "cooling";
  return open === undefined ? "ok" : "half-open";
}

/** A deployment's fixed keys, made once per deployment rather than on every request. */
interface DeploymentKeys {
  readonly availability: readonly [cooling: string, halfOpen: string];
  readonly inflight: string;
  readonly ttft: string;
}
const fixedKeys = new Map<string, DeploymentKeys>();

function keysOf(id: string): DeploymentKeys {
  let k = fixedKeys.get(id);
  if (k === undefined) {
    // Deployments an alias pattern resolves to are made on demand: the cache is bounded all the same.
    if (fixedKeys.size > 10_000) fixedKeys.clear();
    k = {
      availability: [hotKeys.cooling(id), hotKeys.halfOpen(id)],
      inflight: hotKeys.inflight(id),
      ttft: hotKeys.ttft(id),
    };
    fixedKeys.set(id, k);
  }
  return k;
}

/**
 * Cooldowns, the error-ratio breaker, in-flight counts and latency averages of deployments, kept in the
 * hot state so every instance sees the same. Keys name the deployment (not the alias): two aliases over
 * one Azure deployment share its throttling.
 *
 * - A 429 with a retry-after cools the deployment for exactly that long, then traffic resumes.
 * - Failures that say something about the deployment (rate limited without a wait, overloaded, 5xx,
 *   timeouts, connection errors) are counted per window; `allowed_fails` of them, when they are at least
 *   half of the window's requests, cool it down for `cooldown_s`. One slow conversation cannot trip it
 *   alone. After the cooldown exactly one request (on any instance) probes it: success reopens it, failure
 *   cools it again.
 */
export class DeploymentHealth {
  /** The deployments this instance listed lately (member → when), so it renews each at most hourly. */
  private readonly listed = new Map<string, number>();
  /** The TTFT average this instance wrote last per deployment, and when: the next one builds on it for a second. */
  private readonly wrote = new Map<string, { ms: number; at: number }>();
  /** This instance's availability reads under way, per deployment: a request that asks meanwhile shares one. */
  private readonly reading = new SharedReads<Availability>();

  constructor(
    private readonly hot: HotState,
    private readonly events: HealthEvents,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Whether the deployment takes traffic: one round trip on Redis, shared by every request of this instance
   * that asks while it is under way (under load, many requests a round trip). A read never outlives a write of
   * this instance to the deployment's breaker: a request that starts after one (a cooldown, a probe's
   * recovery) reads anew, so the instance always sees its own verdicts.
   */
  availability(d: Deployment): Promise<Availability> {
    return this.reading.read(d.id, () => this.hot.getMany(keysOf(d.id).availability).then(availabilityOf));
  }

  /** A write (already sent) to the deployment's breaker: its availability is read anew from now on. */
  private breaker<T>(d: Deployment, write: Promise<T>): Promise<T> {
    return this.reading.wrote(d.id, write);
  }

  /** How long a cooling deployment still waits, and why (`retry-after`: the upstream's own wait); undefined when it takes traffic. */
  async cooling(d: Deployment): Promise<{ ms: number; why: string } | undefined> {
    const [why, ms] = await Promise.all([this.hot.get(hotKeys.cooling(d.id)), this.hot.ttl(hotKeys.cooling(d.id))]);
    return why === undefined || ms === undefined ? undefined : { ms, why };
  }

  /** Claims the single probe of a half-open deployment; false when another request (anywhere) has it. */
  claimProbe(d: Deployment): Promise<boolean> {
    return this.hot.setIfAbsent(hotKeys.probe(d.id), "1", PROBE_TTL);
  }

  /** Hands back a probe whose request ended without a verdict (its client went away): another may probe. */
  async releaseProbe(d: Deployment): Promise<void> {
    await this.hot.del(hotKeys.probe(d.id));
  }

  /** Claims a request of the deployment's declared rpm/tpm; false when it is at its quota. */
  claimQuota(d: Deployment): Promise<boolean> {
    return claimQuota(this.hot, d, this.now());
  }

  /** Counts a finished request's tokens against the deployment's declared tpm. */
  spendTokens(d: Deployment, tokens: number): Promise<void> {
    return spendTokens(this.hot, d, tokens, this.now());
  }

  /**
   * Counts a request in flight on the deployment; false (and nothing counted) when it declares a
   * `concurrency` and has that many in flight already (checked and counted in one atomic step).
   */
  started(d: Deployment): Promise<boolean> {
    if (d.concurrency === undefined) {
      // Only counted (the Deployments page, least-busy): sent off, the call does not wait a round trip for it.
      // Its decrement, sent when the request ends, follows it on the same connection. One settled promise
      // for every such call (it never fails).
      this.hot.incr(keysOf(d.id).inflight, 1, INFLIGHT_TTL).catch(() => undefined);
      return STARTED;
    }
    return this.hot.addWithin(keysOf(d.id).inflight, 1, d.concurrency, INFLIGHT_TTL).then((r) => r.ok);
  }

  async finished(d: Deployment): Promise<void> {
    await this.hot.incr(keysOf(d.id).inflight, -1, INFLIGHT_TTL);
  }

  inflight(d: Deployment): Promise<number> {
    return this.hot.count(keysOf(d.id).inflight);
  }

  async ttft(d: Deployment): Promise<number | undefined> {
    const v = await this.hot.get(keysOf(d.id).ttft);
    return v === undefined ? undefined : Number(v);
  }

  private bucket(routing: Routing): string {
    return String(Math.floor(this.now() / (routing.window_s * 1000)));
  }

  async succeeded(d: Deployment, routing: Routing, ttftMs: number | undefined, probe: boolean): Promise<void> {
    const w = this.successWrites(d, routing, ttftMs, probe);
    const sent = this.hot.writeMany(w instanceof Promise ? await w : w);
    await (probe ? this.breaker(d, sent) : sent);
  }

  /**
   * A request that answered ends: `finished` and `succeeded` in one step (one round trip on Redis: the in-flight
   * count, the error window and the TTFT average are one deployment's keys, in one hash slot).
   */
  async answered(d: Deployment, routing: Routing, ttftMs: number | undefined, probe: boolean): Promise<void> {
    const w = this.successWrites(d, routing, ttftMs, probe);
    const writes = w instanceof Promise ? await w : w;
    writes.push({ op: "incr", key: keysOf(d.id).inflight, delta: -1, ttlMs: INFLIGHT_TTL });
    const sent = this.hot.writeMany(writes);
    await (probe ? this.breaker(d, sent) : sent);
  }

  /**
   * An answer's writes. The average is read before anything is written. What this instance wrote within the last
   * second stands for it (another instance's writes meanwhile are folded in at the next read): under load, one
   * round trip per answer instead of two, and the writes are given at once, with no promise to wait for.
   */
  private successWrites(
    d: Deployment,
    routing: Routing,
    ttftMs: number | undefined,
    probe: boolean,
  ): HotWrite[] | Promise<HotWrite[]> {
    const b = this.bucket(routing);
    const t = this.now();
    const mine = this.wrote.get(d.id);
    if (ttftMs === undefined) return this.writesOf(d, routing, b, t, undefined, probe);
    if (mine !== undefined && t - mine.at >= 0 && t - mine.at < TTFT_REREAD_MS)
      return this.writesOf(d, routing, b, t, { ttftMs, before: mine.ms }, probe);
    return this.ttft(d).then((before) => this.writesOf(d, routing, b, t, { ttftMs, before }, probe));
  }

  /** The writes of an answer in window `b` at `t`, with its TTFT and the average before it (`timed`). */
  private writesOf(
    d: Deployment,
    routing: Routing,
    b: string,
    t: number,
    timed: { ttftMs: number; before: number | undefined } | undefined,
    probe: boolean,
  ): HotWrite[] {
    const writes: HotWrite[] = [
      { op: "incr", key: hotKeys.windowRequests(d.id, b), delta: 1, ttlMs: routing.window_s * 2000 },
    ];
    if (timed) {
      const { ttftMs, before } = timed;
      const next = Math.round((before === undefined ? ttftMs : before * (1 - ALPHA) + ttftMs * ALPHA) * 100) / 100;
      if (this.wrote.size > 10_000) this.wrote.clear();
      this.wrote.set(d.id, { ms: next, at: t });
      writes.push({ op: "set", key: keysOf(d.id).ttft, value: String(next), ttlMs: 3600_000 });
    }
    if (probe) {
      writes.push(
        { op: "del", key: hotKeys.halfOpen(d.id) },
        { op: "del", key: hotKeys.probe(d.id) },
        { op: "del", key: hotKeys.windowFailures(d.id, b) },
      );
      this.events.recovered(d);
    }
    return writes;
  }

  async failed(d: Deployment, routing: Routing, c: Classified, probe: boolean): Promise<void> {
    const b = this.bucket(routing);
    const ttl = routing.window_s * 2000;
    const reqs = await this.hot.incr(hotKeys.windowRequests(d.id, b), 1, ttl);
    if (!isDeploymentFault(c.class)) {
      if (probe) await this.hot.del(hotKeys.probe(d.id));
      return;
    }
    if (c.class === "rate_limited" && c.retryAfterMs !== undefined && c.retryAfterMs > 0) {
      // The breaker leaves it to the wait the upstream named; the health view counts it.
      await Promise.all([
        this.breaker(d, this.hot.set(hotKeys.cooling(d.id), "retry-after", c.retryAfterMs)),
        this.hot.incr(hotKeys.windowErrors(d.id, b), 1, ttl),
      ]);
      this.events.coolDown(d, c.retryAfterMs, "rate limited, honouring its retry-after");
      if (probe) await this.hot.del(hotKeys.probe(d.id));
      return;
    }
    const [fails] = await Promise.all([
      this.hot.incr(hotKeys.windowFailures(d.id, b), 1, ttl),
      // What the health view shows: the breaker's own count restarts when it trips.
      this.hot.incr(hotKeys.windowErrors(d.id, b), 1, ttl),
    ]);
    if (probe || (fails >= routing.allowed_fails && fails * 2 >= reqs)) {
      const ms = routing.cooldown_s * 1000;
      await this.breaker(
        d,
        Promise.all([
          this.hot.set(hotKeys.cooling(d.id), c.class, ms),
          this.hot.set(hotKeys.halfOpen(d.id), c.class, ms + routing.window_s * 10_000),
          this.hot.del(hotKeys.probe(d.id)),
          this.hot.del(hotKeys.windowFailures(d.id, b)),
        ]),
      );
      this.events.coolDown(
        d,
        ms,
        probe ? `its probe failed (${c.class})` : `${fails} of ${reqs} requests failed (${c.class})`,
      );
    }
  }

  /**
   * Notes that a deployment an alias pattern resolved to served a request, so the health view lists it on
   * every instance (as configured deployments are); renewed at most hourly by each instance.
   */
  async served(d: Deployment, alias: string): Promise<void> {
    const member = JSON.stringify([alias, d.provider.name, d.model]);
    const at = this.now();
    const last = this.listed.get(member);
    if (last !== undefined && at - last < SEEN_RENEW_MS) return;
    if (this.listed.size > 10_000) this.listed.clear();
    this.listed.set(member, at);
    await this.hot.addMember(hotKeys.seenDeployments(), member, SEEN_TTL);
  }

  /** The deployments alias patterns resolved to lately, as every instance noted them. */
  async seen(): Promise<SeenDeployment[]> {
    const out: SeenDeployment[] = [];
    for (const m of await this.hot.members(hotKeys.seenDeployments())) {
      try {
        const [alias, provider, model] = JSON.parse(m) as [string, string, string];
        out.push({ alias, provider, model });
      } catch {
        // not one of ours
      }
    }
    return out;
  }

  async view(d: Deployment, routing: Routing): Promise<HealthView> {
    // The window now and the one before it: a failure just before a window's end still shows just after it.
    const b = this.bucket(routing);
    const before = String(Number(b) - 1);
    const [coolMs, open, inflight, ttft, reqs, errs, reqsBefore, errsBefore, quota] = await Promise.all([
      this.hot.ttl(hotKeys.cooling(d.id)),
      this.hot.get(hotKeys.halfOpen(d.id)),
      this.inflight(d),
      this.ttft(d),
      this.hot.count(hotKeys.windowRequests(d.id, b)),
      this.hot.count(hotKeys.windowErrors(d.id, b)),
      this.hot.count(hotKeys.windowRequests(d.id, before)),
      this.hot.count(hotKeys.windowErrors(d.id, before)),
      quotaUse(this.hot, d, this.now()),
    ]);
    return {
      cooling_until: coolMs === undefined ? null : new Date(this.now() + coolMs).toISOString(),
      half_open: open !== undefined,
      in_flight: Math.max(0, inflight),
      ttft_ms: ttft ?? null,
      window_requests: reqs + reqsBefore,
      window_errors: errs + errsBefore,
      ...quota,
    };
  }
}
