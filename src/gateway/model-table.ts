import type { Config, ModelConfig } from "../config/schema.js";
import type { Provider } from "../providers/types.js";

export interface Route {
  /** The alias (or pattern) that matched. */
  alias: string;
  /** The name the client asked for (echoed back to it). */
  requested: string;
  provider: Provider;
  /** The model (Azure: deployment) sent upstream. */
  upstreamModel: string;
  settings: ModelConfig;
}

export function globToRegExp(glob: string): RegExp {
  const escaped = glob.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*");
  return new RegExp(`^${escaped}$`, "i");
}

/**
 * Model names → routes. Exact aliases first, then patterns (`claude-*haiku*`) in the order they are
 * written, then `provider/model` for any configured provider.
 */
export class ModelTable {
  private readonly exact = new Map<string, ModelConfig>();
  private readonly patterns: { alias: string; re: RegExp; settings: ModelConfig }[] = [];

  constructor(
    models: Config["models"],
    private readonly providers: ReadonlyMap<string, Provider>,
  ) {
    for (const [alias, settings] of Object.entries(models)) {
      if (alias.includes("*")) this.patterns.push({ alias, re: globToRegExp(alias), settings });
      else this.exact.set(alias, settings);
    }
  }

  resolve(name: string): Route | undefined {
    const exact = this.exact.get(name);
    if (exact) return this.route(name, name, exact);
    for (const p of this.patterns) if (p.re.test(name)) return this.route(p.alias, name, p.settings);
    const slash = name.indexOf("/");
    if (slash > 0) {
      const provider = this.providers.get(name.slice(0, slash));
      if (provider)
        return {
          alias: name,
          requested: name,
          provider,
          upstreamModel: name.slice(slash + 1),
          settings: { provider: provider.name },
        };
    }
    return undefined;
  }

  private route(alias: string, requested: string, settings: ModelConfig): Route | undefined {
    const provider = this.providers.get(settings.provider);
    if (!provider) return undefined;
    return { alias, requested, provider, upstreamModel: settings.model ?? requested, settings };
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
