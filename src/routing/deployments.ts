import { DEFAULT_ACTIONS, ROUTING_DEFAULTS } from "../config/routing-defaults.js";
import type { ModelConfig } from "../config/schema.js";
import type { RoutingConfig } from "../config/schema-routing.js";
import type { Provider } from "../providers/types.js";

/** One place an alias can be served from: a provider (account, region) and the model or deployment there. */
export interface Deployment {
  /** Shared by every alias that uses it (cooldowns and latency follow the deployment, not the alias). */
  readonly id: string;
  /** How logs, the `llmux-route` header and /admin/v1/deployments name it. */
  readonly name: string;
  readonly provider: Provider;
  readonly model: string;
  readonly weight: number;
  readonly rpm?: number | undefined;
  readonly tpm?: number | undefined;
  readonly concurrency?: number | undefined;
}

/** An alias's routing settings with every default filled in. */
export type Routing = RoutingConfig & { actions: Required<RoutingConfig["actions"]> };

const DEFAULT_ROUTING: Routing = {
  ...ROUTING_DEFAULTS,
  actions: { ...DEFAULT_ACTIONS },
};

export function routingOf(settings: ModelConfig): Routing {
  if (!settings.routing) return DEFAULT_ROUTING;
  return { ...settings.routing, actions: { ...DEFAULT_ACTIONS, ...settings.routing.actions } };
}

export function deploymentId(provider: string, model: string): string {
  return `${provider}/${model}`;
}

/**
 * The deployments of an alias: its `deployments` list, or the one its `provider` + `model` name. A model
 * left out is the name the client asked for. Undefined when a provider is not configured.
 */
export function deploymentsOf(
  settings: ModelConfig,
  requested: string,
  providers: ReadonlyMap<string, Provider>,
): Deployment[] | undefined {
  const list = settings.deployments ?? [{ provider: settings.provider ?? "", model: settings.model, weight: 1 }];
  const out: Deployment[] = [];
  for (const d of list) {
    const named = providers.get(d.provider);
    if (!named) return undefined;
    const model = d.model ?? requested;
    // One provider may speak a dialect per model (Vertex: Gemini models, Claude models).
    const provider = named.forModel?.(model) ?? named;
    const id = deploymentId(provider.name, model);
    out.push({
      id,
      name: ("name" in d && d.name) || id,
      provider,
      model,
      weight: d.weight ?? 1,
      rpm: "rpm" in d ? d.rpm : undefined,
      tpm: "tpm" in d ? d.tpm : undefined,
      concurrency: "concurrency" in d ? d.concurrency : undefined,
    });
  }
  return out;
}
