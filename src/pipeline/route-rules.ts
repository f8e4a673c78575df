/**
 * Routing rules in the plan stage (`routing.rules:`, src/routing/rules.ts): what a rule can see of the
 * request (its headers, key, tags and body, the budget share this instance last admitted it at), and the
 * route of the rule that held — checked against the key's allow-lists and providers as that alias would be.
 * No I/O: everything here was read before the plan stage, or is counted from the body.
 */

import type { Config } from "../config/schema.js";
import type { RoutingRule } from "../config/schema-rules.js";
import type { Principal } from "../identity/principal.js";
import { isObject } from "../ir/input-error.js";
import type { ErrorInfo, Json } from "../ir/types.js";
import { refusalFor } from "../limits/allow-list.js";
import type { AlertEvent } from "../observe/alerts.js";
import type { ModelTable, Route } from "../routing/model-table.js";
import { BodyFacts } from "../routing/rule-facts.js";
import { RouteRules, type RuleMatched, type RuleRequest } from "../routing/rules.js";

/** Budget shares remembered per caller: at most this many (the oldest forgotten first). */
const MAX_SHARES = 10_000;

/** What rules and soft budgets need from the gateway. */
export class RoutingDeps {
  /** The rules in force: the configuration's, or those the admin API stored (replaced whole). */
  rules: RouteRules;
  /** The share spent of each caller's tightest budget, as this instance last admitted it (by Principal.owner). */
  readonly shares = new Map<string, number>();
  /** Callers being downgraded now (their budget, its window): the alert fires when one starts. */
  readonly downgraded = new Map<string, string>();
  /** Made on first use: a formatter touches ICU's data (~6 MB of RSS), and UTC (the default) needs none. */
  private clock: Intl.DateTimeFormat | undefined;
  /** minuteOfDay, made once (each request's rules ask it through this, no closure of their own). */
  readonly minute = (): number => this.minuteOfDay();

  constructor(
    rules: readonly RoutingRule[],
    readonly timezone: string,
    readonly quotas: { users?: Config["billing"]["users"]; tags?: Config["tags"] } = {},
    readonly alert?: ((e: AlertEvent) => void) | undefined,
  ) {
    this.rules = new RouteRules(rules);
  }

  /** Minutes since midnight now, in billing.timezone. */
  minuteOfDay(now = Date.now()): number {
    if (this.timezone === "UTC") return Math.floor(now / 60_000) % 1440;
    this.clock ??= new Intl.DateTimeFormat("en-GB", {
      timeZone: this.timezone,
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
    });
    const [h, m] = this.clock.format(now).split(":");
    return Number(h) * 60 + Number(m);
  }

  /** Notes the share a caller's budgets are spent at (after its admission). */
  noteShare(owner: string, share: number | undefined): void {
    if (share === undefined) {
      this.shares.delete(owner);
      return;
    }
    if (this.shares.size >= MAX_SHARES && !this.shares.has(owner)) {
      const oldest = this.shares.keys().next().value;
      if (oldest !== undefined) this.shares.delete(oldest);
    }
    this.shares.set(owner, share);
  }
}

/** What a request is, as the rules see it. */
export interface RuledRequest {
  readonly requested: string;
  readonly dialect: RuleRequestDialect;
  readonly body: Json;
  readonly principal: Principal;
  readonly client?: string | undefined;
  readonly agent?: string | undefined;
  readonly tags?: readonly string[] | undefined;
}

type RuleRequestDialect = ConstructorParameters<typeof BodyFacts>[0];

const NO_TAGS: readonly string[] = [];

/** The key's default tags and the request's, one list (copied only when both have some). */
function bothTags(a: readonly string[] | undefined, b: readonly string[] | undefined): readonly string[] {
  if (!a?.length) return b ?? NO_TAGS;
  return b?.length ? [...a, ...b] : a;
}

/** The rules' view of a request. */
export function ruleRequestOf(r: RuledRequest, deps: RoutingDeps): RuleRequest {
  const p = r.principal;
  const body = isObject(r.body) ? r.body : {};
  return {
    model: r.requested,
    client: r.client,
    agent: r.agent !== undefined ? "sub" : "main",
    key: p.kind === "minted" ? p.name : undefined,
    team: p.teamId,
    tags: bothTags(p.tags, r.tags),
    minuteOfDay: deps.minute,
    budgetShare: deps.shares.get(p.owner),
    body: new BodyFacts(r.dialect, body),
  };
}

/**
 * The rule that routes a request, and its route (the rule's alias, answering under the name asked for), or
 * the refusal that alias would get from this key; undefined when no rule holds.
 */
export async function ruledRoute(
  r: RuledRequest,
  deps: RoutingDeps,
  models: ModelTable,
): Promise<{ route: Route; matched: RuleMatched } | ErrorInfo | undefined> {
  if (deps.rules.size === 0) return undefined;
  const m = deps.rules.first(ruleRequestOf(r, deps));
  const matched = m instanceof Promise ? await m : m;
  if (!matched) return undefined;
  return routeOfRule(matched, r.requested, r.principal, models);
}

/** The route a rule names, for a request that asked for `requested`; or why this key may not use it. */
export function routeOfRule(
  matched: RuleMatched,
  requested: string,
  principal: Principal,
  models: ModelTable,
): { route: Route; matched: RuleMatched } | ErrorInfo {
  const target = models.resolve(matched.route);
  if (!target)
    return {
      status: 500,
      kind: "server",
      message: `The routing rule '${matched.rule}' names the model '${matched.route}', which is not configured.`,
    };
  // Refused as the alias itself would be (its allow-lists, its providers), naming it.
  const refused = refusalFor(principal, { ...target, requested: matched.route });
  if (refused) return { ...refused, message: `${refused.message} (routing rule '${matched.rule}')` };
  return {
    route: { ...target, requested, via: { kind: "rule", rule: matched.rule, why: matched.why } },
    matched,
  };
}
