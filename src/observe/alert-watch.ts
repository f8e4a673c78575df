import { outcomeOf } from "../request/outcome.js";
import { type RequestRecord, usageOf } from "../request/record.js";
import type { Alerts } from "./alerts.js";

/** Counts of one subject in one measuring window. */
interface Tally {
  window: number;
  requests: number;
  failed: number;
  input: number;
  cacheRead: number;
  fired: boolean;
}

const DEFAULT_ERROR_SHARE = 0.2;
const DEFAULT_CACHE_SHARE = 0.5;
const MINUTE = 60_000;

/**
 * Turns what this instance settles into alerts: a deployment's failed share over `threshold` in a window
 * (`error_rate`), a model's cache-read share of input under `threshold` in a window once it has enough
 * requests (`cache_hit_rate`), a deployment cooling down (`deployment_down`) and every deployment of an alias
 * cooling down (`alias_down`). Each is raised once per window by this instance, and sent once across
 * instances by `Alerts` (the claim in the hot state names the window).
 */
export class AlertWatch {
  private readonly errors = new Map<string, Tally>();
  private readonly caches = new Map<string, Tally>();

  constructor(
    private readonly alerts: Alerts,
    private readonly now: () => number = Date.now,
  ) {}

  /** A settled request (the settle stage calls this for every request that reached a deployment). */
  settled(rec: RequestRecord): void {
    if (rec.provider === undefined) return;
    const outcome = outcomeOf(rec);
    if (outcome === "refused" || outcome === "aborted") return;
    const deployment = rec.deployment ?? (rec.model ? `${rec.provider}/${rec.model}` : undefined);
    for (const rule of this.alerts.rules("error_rate")) {
      if (!deployment) break;
      const t = this.tally(this.errors, `${deployment}|${rule.window_s}`, rule.window_s);
      t.requests++;
      if (outcome === "error") t.failed++;
      const share = t.failed / t.requests;
      const over = share > (rule.threshold ?? DEFAULT_ERROR_SHARE);
      if (!t.fired && t.requests >= rule.min_requests && over) {
        t.fired = true;
        this.raise("error_rate", "deployment", deployment, t.window, rule.window_s, {
          message: `deployment ${deployment}: ${Math.round(share * 100)}% of ${t.requests} requests failed in ${rule.window_s} s (alert above ${Math.round((rule.threshold ?? DEFAULT_ERROR_SHARE) * 100)}%)`,
          fields: { error_rate: share, requests: t.requests, failed: t.failed, window_s: rule.window_s },
        });
      }
    }
    if (outcome !== "ok" || !rec.model) return;
    const u = usageOf(rec);
    for (const rule of this.alerts.rules("cache_hit_rate")) {
      const t = this.tally(this.caches, `${rec.model}|${rule.window_s}`, rule.window_s);
      t.requests++;
      t.input += u.inputTokens;
      t.cacheRead += u.cacheReadTokens ?? 0;
      const share = t.input > 0 ? t.cacheRead / t.input : 1;
      const under = share < (rule.threshold ?? DEFAULT_CACHE_SHARE);
      if (!t.fired && t.requests >= rule.min_requests && under) {
        t.fired = true;
        this.raise("cache_hit_rate", "model", rec.model, t.window, rule.window_s, {
          message: `model ${rec.model}: cache hit rate ${Math.round(share * 100)}% over ${t.requests} requests in ${rule.window_s} s (alert below ${Math.round((rule.threshold ?? DEFAULT_CACHE_SHARE) * 100)}%)`,
          fields: {
            cache_hit_rate: share,
            requests: t.requests,
            input_tokens: t.input,
            cache_read_tokens: t.cacheRead,
          },
        });
      }
    }
  }

  /** A deployment began to cool down (once per minute at most). */
  cooledDown(deployment: string, ms: number, why: string): void {
    if (!this.alerts.wants("deployment_down")) return;
    const window = Math.floor(this.now() / MINUTE);
    this.raise("deployment_down", "deployment", deployment, window, 60, {
      message: `deployment ${deployment} cools down for ${Math.round(ms / 1000)} s: ${why}`,
      fields: { cooldown_ms: Math.round(ms), reason: why },
    });
  }

  /** Every deployment of an alias is cooling down (once per minute at most). */
  aliasDown(alias: string, deployments: readonly string[]): void {
    if (!this.alerts.wants("alias_down")) return;
    const window = Math.floor(this.now() / MINUTE);
    this.raise("alias_down", "alias", alias, window, 60, {
      message: `every deployment of ${alias} is down (${deployments.join(", ")}): its requests fail until one recovers`,
      fields: { deployments: [...deployments] },
    });
  }

  private tally(map: Map<string, Tally>, key: string, windowS: number): Tally {
    const window = Math.floor(this.now() / (windowS * 1000));
    let t = map.get(key);
    if (!t || t.window !== window) {
      t = { window, requests: 0, failed: 0, input: 0, cacheRead: 0, fired: false };
      map.set(key, t);
    }
    return t;
  }

  private raise(
    rule: Parameters<Alerts["fire"]>[0]["rule"],
    scope: string,
    id: string,
    window: number,
    windowS: number,
    what: { message: string; fields: Record<string, unknown> },
  ): void {
    const start = window * windowS * 1000;
    void this.alerts.fire({
      rule,
      scope,
      id,
      window: new Date(start).toISOString(),
      until: start + windowS * 1000,
      ...what,
    });
  }
}
