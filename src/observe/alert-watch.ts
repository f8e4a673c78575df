import { errorClassOf, isOwnLimit } from "../request/error-class.js";
import { outcomeOf } from "../request/outcome.js";
import { type RequestRecord, usageOf } from "../request/record.js";
import type { HotState } from "../state/hot-state.js";
import { hotKeys } from "../state/keys.js";
import type { Alerts } from "./alerts.js";

/** A measuring window of `windowS` seconds: its number since the epoch, its start and its end (ms). */
interface Window {
  index: number;
  start: number;
  end: number;
}

function windowOf(at: number, windowS: number): Window {
  const ms = windowS * 1000;
  const index = Math.floor(at / ms);
  return { index, start: index * ms, end: (index + 1) * ms };
}

const DEFAULT_ERROR_SHARE = 0.2;
const DEFAULT_CACHE_SHARE = 0.5;
const MINUTE = 60_000;

/**
 * Turns what the instances settle into alerts: a deployment's failed share over `threshold` in a window
 * (`error_rate`; requests llmux ended itself for a budget or its rate limits are not counted), a model's cache-read share of input under `threshold` in a window once it has enough
 * requests (`cache_hit_rate`), a deployment cooling down (`deployment_down`) and every deployment of an alias
 * cooling down (`alias_down`). The windows' counts are kept in the hot state (on Redis, one count for every
 * instance: three instances that each see a third of the requests cross the threshold together), each
 * instance raises a crossing once per window, and `Alerts` sends it once across instances (the claim in the
 * hot state names the window).
 */
export class AlertWatch {
  /** Windows this instance already raised (so a crossed window does not claim again on every request). */
  private readonly raised = new Map<string, number>();

  constructor(
    private readonly alerts: Alerts,
    private readonly hot: HotState,
    private readonly now: () => number = Date.now,
  ) {}

  /** A settled request (the settle stage calls this for every request that reached a deployment); never throws. */
  settled(rec: RequestRecord): void {
    void this.count(rec).catch(() => undefined);
  }

  /** Counts a settled request into its shared windows and raises what crossed (awaitable, for tests). */
  async count(rec: RequestRecord): Promise<void> {
    if (rec.guardrails?.length) this.guardrailHits(rec);
    if (rec.provider === undefined) return;
    const outcome = outcomeOf(rec);
    if (outcome === "refused" || outcome === "aborted") return;
    // An answer cut (or refused) by llmux's own budget or limits is no failure of the deployment that served it.
    if (outcome === "error" && isOwnLimit(errorClassOf(rec))) return;
    const deployment = rec.deployment ?? (rec.model ? `${rec.provider}/${rec.model}` : undefined);
    const at = this.now();
    for (const rule of this.alerts.rules("error_rate")) {
      if (!deployment) break;
      const w = windowOf(at, rule.window_s);
      const key = (c: string) => hotKeys.alertWindow("error_rate", deployment, rule.window_s, w.index, c);
      const ttl = 2 * rule.window_s * 1000;
      const requests = await this.hot.incr(key("requests"), 1, ttl);
      const failed =
        outcome === "error" ? await this.hot.incr(key("failed"), 1, ttl) : await this.hot.count(key("failed"));
      const threshold = rule.threshold ?? DEFAULT_ERROR_SHARE;
      const share = failed / requests;
      if (requests >= rule.min_requests && share > threshold && this.first(key(""), w.end))
        this.raise("error_rate", "deployment", deployment, w, {
          message: `deployment ${deployment}: ${Math.round(share * 100)}% of ${requests} requests failed in ${rule.window_s} s (alert above ${Math.round(threshold * 100)}%)`,
          fields: { error_rate: share, requests, failed, window_s: rule.window_s },
        });
    }
    if (outcome !== "ok" || !rec.model) return;
    const u = usageOf(rec);
    for (const rule of this.alerts.rules("cache_hit_rate")) {
      const w = windowOf(at, rule.window_s);
      const key = (c: string) => hotKeys.alertWindow("cache_hit_rate", rec.model!, rule.window_s, w.index, c);
      const ttl = 2 * rule.window_s * 1000;
      const [requests, input, cacheRead] = await Promise.all([
        this.hot.incr(key("requests"), 1, ttl),
        this.hot.incr(key("input"), Math.max(0, Math.round(u.inputTokens)), ttl),
        this.hot.incr(key("cache_read"), Math.max(0, Math.round(u.cacheReadTokens ?? 0)), ttl),
      ]);
      const threshold = rule.threshold ?? DEFAULT_CACHE_SHARE;
      const share = input > 0 ? cacheRead / input : 1;
      if (requests >= rule.min_requests && share < threshold && this.first(key(""), w.end))
        this.raise("cache_hit_rate", "model", rec.model, w, {
          message: `model ${rec.model}: cache hit rate ${Math.round(share * 100)}% over ${requests} requests in ${rule.window_s} s (alert below ${Math.round(threshold * 100)}%)`,
          fields: { cache_hit_rate: share, requests, input_tokens: input, cache_read_tokens: cacheRead },
        });
    }
  }

  /**
   * `guardrail_hit`: a secret the guardrails blocked or masked (not a warning, not a dry run), once per rule, key
   * and window on this instance, and once across instances (the alert log's row names the window). It names the
   * rule, the places and the key, never the value (a finding note holds none).
   */
  private guardrailHits(rec: RequestRecord): void {
    const rules = this.alerts.rules("guardrail_hit");
    if (rules.length === 0) return;
    const byRule = new Map<string, NonNullable<RequestRecord["guardrails"]>[number][]>();
    for (const f of rec.guardrails ?? []) {
      if (f.dryRun || (f.action !== "block" && f.action !== "mask")) continue;
      byRule.set(f.rule, [...(byRule.get(f.rule) ?? []), f]);
    }
    const key = rec.keyId ?? rec.key ?? "anonymous";
    for (const window_s of new Set(rules.map((r) => r.window_s))) {
      const w = windowOf(this.now(), window_s);
      for (const [rule, found] of byRule) {
        const id = `${rule}:${key}`;
        if (!this.first(hotKeys.alertWindow("guardrail_hit", id, window_s, w.index, ""), w.end)) continue;
        const actions = [...new Set(found.map((f) => f.action))];
        const places = [...new Set(found.map((f) => f.location))].slice(0, 5);
        const done = actions.map((a) => (a === "block" ? "blocked" : "masked")).join(" and ");
        const who = `key ${rec.key ?? key}${rec.keyId && rec.key ? ` (${rec.keyId})` : ""}${rec.teamId ? ` of team ${rec.teamId}` : ""}`;
        this.raise("guardrail_hit", "key", id, w, {
          message: `guardrails: ${rule} ${done} for ${who} (${places.join("; ")})`,
          fields: {
            guardrail_rule: rule,
            actions,
            locations: places,
            key: rec.key ?? null,
            key_id: rec.keyId ?? null,
            team_id: rec.teamId ?? null,
            request_id: rec.id,
            window_s,
          },
        });
      }
    }
  }

  /** True the first time this instance raises a window (forgotten once the window is over). */
  private first(key: string, end: number): boolean {
    const now = this.now();
    for (const [k, until] of this.raised) if (until <= now) this.raised.delete(k);
    if (this.raised.has(key)) return false;
    this.raised.set(key, end);
    return true;
  }

  /** A deployment began to cool down (once per minute at most). */
  cooledDown(deployment: string, ms: number, why: string): void {
    if (!this.alerts.wants("deployment_down")) return;
    this.raise("deployment_down", "deployment", deployment, windowOf(this.now(), MINUTE / 1000), {
      message: `deployment ${deployment} cools down for ${Math.round(ms / 1000)} s: ${why}`,
      fields: { cooldown_ms: Math.round(ms), reason: why },
    });
  }

  /** Every deployment of an alias is cooling down (once per minute at most). */
  aliasDown(alias: string, deployments: readonly string[]): void {
    if (!this.alerts.wants("alias_down")) return;
    this.raise("alias_down", "alias", alias, windowOf(this.now(), MINUTE / 1000), {
      message: `every deployment of ${alias} is down (${deployments.join(", ")}): its requests fail until one recovers`,
      fields: { deployments: [...deployments] },
    });
  }

  private raise(
    rule: Parameters<Alerts["fire"]>[0]["rule"],
    scope: string,
    id: string,
    w: Window,
    what: { message: string; fields: Record<string, unknown> },
  ): void {
    void this.alerts.fire({
      rule,
      scope,
      id,
      window: new Date(w.start).toISOString(),
      until: w.end,
      ...what,
    });
  }
}
