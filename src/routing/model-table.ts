import type { Config, ModelConfig } from "../config/schema.js";
import type { Provider } from "../providers/types.js";
import { globToRegExp } from "../text/glob.js";
import { type Deployment, deploymentsOf, type Routing, routingOf } from "./deployments.js";

/**
 * How a route was reached from the name the client asked for: what the `llmux-route` header and the request
 * log say of it (`routeWords`). An exact alias, as written, says nothing more.
 */
export type RouteVia =
  | { readonly kind: "alias" }
  | { readonly kind: "folded" }
  | { readonly kind: "pattern" }
  | { readonly kind: "provider" }
  | { readonly kind: "rule"; readonly rule: string; readonly why: string }
  | { readonly kind: "downgrade"; readonly why: string }
  | { readonly kind: "fallback" };

export interface Route {
  /** The alias (or pattern) that matched. */
  alias: string;
  /** The name the client asked for (echoed back to it). */
  requested: string;
  /** The deployment this route is planned for (the first one until the attempt loop picks). */
  provider: Provider;
  /** The model (Azure: deployment) sent upstream. */
  upstreamModel: string;
  settings: ModelConfig;
  /** Every deployment serving the alias (one for `provider` + `model`). */
  deployments: readonly Deployment[];
  routing: Routing;
  /** How the name asked for led here (none: an exact alias, or a route made by hand). */
  via?: RouteVia | undefined;
}

/** What the `llmux-route` header and the request log say of how a route was reached (undefined: nothing to say). */
export function routeWords(route: Pick<Route, "alias" | "requested" | "via">): string | undefined {
  const via = route.via;
  switch (via?.kind) {
    case "folded":
      return `alias ${route.alias}, asked as ${route.requested}`;
    case "pattern":
      return `pattern ${route.alias}`;
    case "rule":
      return `rule ${via.rule}: ${via.why}`;
    case "downgrade":
      return `downgraded to ${route.alias}: ${via.why}`;
    case "fallback":
      return `fallback alias ${route.alias}`;
    default:
      return undefined;
  }
}

/** The same route, planned for another of its deployments. */
export function onDeployment(route: Route, d: Deployment): Route {
  return { ...route, provider: d.provider, upstreamModel: d.model };
}

const ALIAS: RouteVia = { kind: "alias" };
const FOLDED: RouteVia = { kind: "folded" };
const PATTERN: RouteVia = { kind: "pattern" };
const PROVIDER: RouteVia = { kind: "provider" };

/**
 * Model names → routes. Exact aliases first, then patterns (`claude-*haiku*`) in the order they are
 * written, then `provider/model` for any configured provider.
 */
export class ModelTable {
  private exact = new Map<string, ModelConfig>();
  /** Exact aliases by their lower-case spelling: names match case-insensitively, as patterns and allow-lists do. */
  private folded = new Map<string, string>();
  private patterns: { alias: string; re: RegExp; settings: ModelConfig }[] = [];

  constructor(
    models: Config["models"],
    private providers: ReadonlyMap<string, Provider>,
  ) {
    this.replace(models, providers);
  }

  /**
   * Puts other aliases and providers in force at once (models and providers changed at runtime). Routes already
   * made keep their deployments (a request in flight finishes on what it started with).
   */
  replace(models: Config["models"], providers: ReadonlyMap<string, Provider>): void {
    const exact = new Map<string, ModelConfig>();
    const folded = new Map<string, string>();
    const patterns: { alias: string; re: RegExp; settings: ModelConfig }[] = [];
    for (const [alias, settings] of Object.entries(models)) {
      if (alias.includes("*")) patterns.push({ alias, re: globToRegExp(alias), settings });
      else {
        exact.set(alias, settings);
        if (!folded.has(alias.toLowerCase())) folded.set(alias.toLowerCase(), alias);
      }
    }
    this.exact = exact;
    this.folded = folded;
    this.patterns = patterns;
    this.providers = providers;
  }

  /**
   * The route of a model name. One case rule everywhere: an exact alias matches whatever the case (its own
   * spelling first), as patterns and allow-lists do, so no spelling of an alias reaches another route.
   */
  resolve(name: string): Route | undefined {
    const alias = this.exact.has(name) ? name : this.folded.get(name.toLowerCase());
    const exact = alias === undefined ? undefined : this.exact.get(alias);
    if (alias !== undefined && exact) return this.route(alias, name, exact, alias, alias === name ? ALIAS : FOLDED);
    for (const p of this.patterns) if (p.re.test(name)) return this.route(p.alias, name, p.settings, name, PATTERN);
    const slash = name.indexOf("/");
    if (slash > 0) {
      const provider = this.providers.get(name.slice(0, slash));
      if (provider) {
        const settings: ModelConfig = { provider: provider.name, model: name.slice(slash + 1) };
        return this.route(name, name, settings, name, PROVIDER);
      }
    }
    return undefined;
  }

  private route(
    alias: string,
    requested: string,
    settings: ModelConfig,
    model: string,
    via: RouteVia,
  ): Route | undefined {
    const deployments = deploymentsOf(settings, model, this.providers);
    if (!deployments) return undefined;
    const first = deployments[0]!;
    return {
      alias,
      requested,
      provider: first.provider,
      upstreamModel: first.model,
      settings,
      deployments,
      routing: routingOf(settings),
      via,
    };
  }

  /**
   * Every deployment (for the health view), by id, with the aliases and patterns that reach it: those of the
   * exact aliases, those of patterns that name their model, those patterns were seen to resolve to, and the
   * pattern that asking for a listed deployment's model by name resolves to.
   */
  allDeployments(
    seen: readonly { alias: string; model: string }[] = [],
  ): Map<string, { d: Deployment; aliases: string[]; routing: Routing }> {
    const out = new Map<string, { d: Deployment; aliases: string[]; routing: Routing }>();
    const add = (alias: string, settings: ModelConfig, ds: readonly Deployment[] | undefined) => {
      for (const d of ds ?? []) {
        const known = out.get(d.id);
        if (!known) out.set(d.id, { d, aliases: [alias], routing: routingOf(settings) });
        else if (!known.aliases.includes(alias)) known.aliases.push(alias);
      }
    };
    for (const [alias, settings] of this.exact) add(alias, settings, deploymentsOf(settings, alias, this.providers));
    for (const p of this.patterns) {
      const fixed = (p.settings.deployments ?? [p.settings]).every((d) => d.model !== undefined);
      if (fixed) add(p.alias, p.settings, deploymentsOf(p.settings, p.alias, this.providers));
    }
    for (const s of seen) {
      const route = this.resolve(s.model);
      if (route && route.alias === s.alias) add(s.alias, route.settings, route.deployments);
    }
    // A pattern reaches a listed deployment too when asking for its model by name resolves to the pattern.
    for (const { d } of [...out.values()]) {
      const route = this.resolve(d.model);
      if (route && route.alias !== d.model && route.deployments.some((x) => x.id === d.id))
        add(route.alias, route.settings, [d]);
    }
    return out;
  }

  /** Whether a route's deployments are known from the configuration alone (an exact alias, as written). */
  isExact(alias: string): boolean {
    return this.exact.has(alias);
  }

  /** Names a client can use (exact aliases; patterns are listed as written). */
  names(): string[] {
    return [...this.exact.keys(), ...this.patterns.map((p) => p.alias)];
  }

  /** The exact aliases: what GET /v1/models lists (patterns are not model names). */
  listed(): string[] {
    return [...this.exact.keys()];
  }

  /** The patterns, as written. */
  patternNames(): string[] {
    return this.patterns.map((p) => p.alias);
  }
}
