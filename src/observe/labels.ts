import type { Config } from "../config/schema.js";
import type { RequestRecord } from "../request/record.js";
import { deploymentId } from "../routing/deployments.js";
import type { ModelTable } from "../routing/model-table.js";

/** The bucket a name that is not configured falls in: labels stay bounded whatever clients send. */
export const OTHER = "other";
/** The label of something a request did not reach (no alias: a model list, an admin call). */
export const NONE = "none";

/** OpenTelemetry's `gen_ai.provider.name` for each provider type (and vendor preset). */
const SYSTEMS: Record<string, string> = {
  azure: "azure.ai.openai",
  openai: "openai",
  anthropic: "anthropic",
  gemini: "gcp.gemini",
  mock: "llmux.mock",
  deepseek: "deepseek",
  groq: "groq",
  mistral: "mistral_ai",
  xai: "x_ai",
};

/**
 * Label values for metrics and span attributes, bounded: aliases, models, deployments and providers are
 * the configured ones; a name a client made up (a `provider/model` the config does not list, a model a
 * pattern passed through) is counted as `other`.
 */
export class Labels {
  private readonly aliases = new Set<string>();
  private readonly models = new Set<string>();
  private readonly deployments = new Map<string, string>();
  private readonly deploymentNames = new Set<string>();
  private readonly providers = new Map<string, { system: string; host?: string | undefined }>();

  constructor(config: Pick<Config, "models" | "providers">, table: ModelTable) {
    this.learn(config, table);
  }

  /**
   * Adds the aliases, models, deployments and providers of a configuration (at start, and after models or
   * providers changed at runtime: names are added, never taken away, so the label sets stay bounded by what
   * was configured).
   */
  learn(config: Pick<Config, "models" | "providers">, table: ModelTable): void {
    for (const [alias, m] of Object.entries(config.models)) {
      this.aliases.add(alias);
      if (m.model) this.models.add(m.model);
      for (const d of m.deployments ?? []) if (d.model) this.models.add(d.model);
    }
    for (const { d } of table.allDeployments().values()) {
      this.models.add(d.model);
      this.deployments.set(d.id, d.name);
      this.deploymentNames.add(d.name);
    }
    for (const [name, p] of Object.entries(config.providers)) {
      const preset = p.type === "openai-compatible" ? p.preset : undefined;
      const system = SYSTEMS[preset ?? p.type] ?? (preset ? preset : "openai_compatible");
      let host: string | undefined;
      try {
        host = "base_url" in p && p.base_url ? new URL(p.base_url).hostname : undefined;
      } catch {
        host = undefined;
      }
      this.providers.set(name, { system, host });
    }
  }

  alias(name: string | undefined): string {
    if (name === undefined) return NONE;
    if (this.aliases.has(name)) return name;
    // `provider/model` for a configured provider: counted per provider.
    const slash = name.indexOf("/");
    if (slash > 0 && this.providers.has(name.slice(0, slash))) return `${name.slice(0, slash)}/*`;
    return OTHER;
  }

  model(name: string | undefined): string {
    if (name === undefined) return NONE;
    return this.models.has(name) ? name : OTHER;
  }

  provider(name: string | undefined): string {
    if (name === undefined) return NONE;
    return this.providers.has(name) ? name : OTHER;
  }

  /** The deployment's configured name (by its name, or by provider and model). */
  deployment(name: string | undefined, provider: string | undefined, model: string | undefined): string {
    if (name !== undefined && this.deploymentNames.has(name)) return name;
    if (provider === undefined || model === undefined) return NONE;
    return this.deployments.get(deploymentId(provider, model)) ?? OTHER;
  }

  /** `gen_ai.provider.name` (semantic conventions) of a configured provider. */
  system(provider: string | undefined): string {
    return (provider !== undefined && this.providers.get(provider)?.system) || NONE;
  }

  host(provider: string | undefined): string | undefined {
    return provider !== undefined ? this.providers.get(provider)?.host : undefined;
  }
}

/** Whether the request was a generation that got as far as a plan (it has an alias and a stream flag). */
export function isGeneration(rec: RequestRecord): boolean {
  return rec.alias !== undefined && rec.stream !== undefined;
}

/** `gen_ai.operation.name`: embeddings, Gemini's generateContent, or chat. */
export function operationOf(rec: RequestRecord): string {
  if (rec.kind === "embeddings") return "embeddings";
  if (rec.kind === "completions") return "text_completion";
  if (rec.kind === "rerank") return "rerank";
  return rec.client === "gemini" ? "generate_content" : "chat";
}
