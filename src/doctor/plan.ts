/**
 * What the doctor will probe: the aliases (all exact ones and patterns with a fixed model, or those named
 * with --model), the deployments behind them (each probed once, whatever the number of aliases sharing it),
 * and an upper bound of what that costs at list prices.
 */
import type { PriceTable } from "../billing/prices.js";
import type { Config, ModelConfig } from "../config/schema.js";
import type { Dialect } from "../ir/types.js";
import type { Provider } from "../providers/types.js";
import { ModelTable } from "../routing/model-table.js";
import { reasoningDialect } from "./reasoning.js";
import { INPUT_TOKENS, LIMITS } from "./requests.js";
import type { Estimate } from "./types.js";

export interface PlannedDeployment {
  id: string;
  provider: Provider;
  model: string;
  aliases: string[];
}

export interface PlannedAlias {
  alias: string;
  settings: ModelConfig;
  deployments: string[];
}

/** An embedding, completion or rerank alias, probed with one tiny call to its first deployment. */
export interface PlannedKind {
  alias: string;
  kind: "embedding" | "completion" | "rerank";
  provider: Provider;
  model: string;
  settings: ModelConfig;
}

export interface Plan {
  aliases: PlannedAlias[];
  kinds: PlannedKind[];
  deployments: Map<string, PlannedDeployment>;
  skipped: { alias: string; why: string }[];
  unused: string[];
}

/** Thrown for a --model name the configuration does not route. */
export class UnknownModel extends Error {}

/**
 * `probeKinds`: embedding, completion and rerank aliases are planned for one call each (the caller knows how
 * to make it: see DoctorOptions.kindProbe); without it they are skipped, saying which route to try.
 */
export function makePlan(
  config: Config,
  providers: Map<string, Provider>,
  names?: readonly string[],
  probeKinds = false,
): Plan {
  const table = new ModelTable(config.models, providers);
  const wanted = names && names.length > 0 ? [...names] : Object.keys(config.models);
  const plan: Plan = { aliases: [], kinds: [], deployments: new Map(), skipped: [], unused: [] };
  for (const name of wanted) {
    const route = table.resolve(name);
    if (!route) {
      const known = table.names();
      throw new UnknownModel(
        `--model ${name}: not a model of this configuration (known: ${known.join(", ") || "none"})`,
      );
    }
    const kind = route.settings.kind;
    if (probeKinds && (kind === "embedding" || kind === "completion" || kind === "rerank")) {
      const first = route.deployments[0];
      if (!first || first.model.includes("*")) {
        plan.skipped.push({
          alias: name,
          why: "a pattern without a fixed model: the upstream model is the name asked for (probe one with --model NAME)",
        });
      } else
        plan.kinds.push({ alias: name, kind, provider: first.provider, model: first.model, settings: route.settings });
      continue;
    }
    if (route.settings.kind === "embedding") {
      plan.skipped.push({
        alias: name,
        why: "an embedding model: the doctor probes chat models (try it with a request to POST /v1/embeddings)",
      });
      continue;
    }
    if (route.settings.kind === "completion" || route.settings.kind === "rerank") {
      const ask = route.settings.kind === "rerank" ? "POST /v1/rerank" : "POST /v1/completions";
      plan.skipped.push({
        alias: name,
        why: `a ${route.settings.kind} model: the doctor probes chat models (try it with a request to ${ask})`,
      });
      continue;
    }
    const unresolved = route.deployments.filter((d) => d.model.includes("*"));
    if (unresolved.length > 0) {
      plan.skipped.push({
        alias: name,
        why: "a pattern without a fixed model: the upstream model is the name asked for (probe one with --model NAME)",
      });
      continue;
    }
    const ids: string[] = [];
    for (const d of route.deployments) {
      ids.push(d.id);
      const seen = plan.deployments.get(d.id);
      if (seen) {
        if (!seen.aliases.includes(name)) seen.aliases.push(name);
      } else plan.deployments.set(d.id, { id: d.id, provider: d.provider, model: d.model, aliases: [name] });
    }
    plan.aliases.push({ alias: name, settings: route.settings, deployments: ids });
  }
  const used = new Set([
    ...[...plan.deployments.values()].map((d) => d.provider.name),
    ...plan.kinds.map((k) => k.provider.name),
  ]);
  if (!names || names.length === 0) plan.unused = [...providers.keys()].filter((p) => !used.has(p));
  return plan;
}

/** Whether an alias carries settings of its own that change the request (probed as llmux sends them). */
export function hasSettings(s: ModelConfig): boolean {
  return (
    s.reasoning !== undefined ||
    s.verbosity !== undefined ||
    s.truncation !== undefined ||
    s.thinking !== undefined ||
    s.max_tokens !== undefined ||
    s.temperature !== undefined
  );
}

/** The output limit of an alias's settings probe. */
export function settingsLimit(s: ModelConfig): number {
  const budget = s.thinking?.budget_tokens;
  return budget ? budget + LIMITS.small : Math.min(s.max_tokens ?? LIMITS.small, LIMITS.small);
}

/** The requests a full examination of a deployment of this kind makes: [input, output] token bounds each. */
function requestsFor(dialect: Dialect, type: Provider["type"], quick: boolean): [number, number][] {
  const basic: [number, number] = [INPUT_TOKENS.basic, LIMITS.basic];
  if (quick) return [basic];
  const small: [number, number] = [INPUT_TOKENS.basic, LIMITS.small];
  const out: [number, number][] = [basic];
  if (dialect === "anthropic") out.push([INPUT_TOKENS.basic, LIMITS.thinking], [INPUT_TOKENS.basic, LIMITS.thinking]);
  else if (dialect === "gemini") out.push(small, small, small);
  else {
    out.push(small, small, small, small, small, small);
    if (type === "openai" || type === "azure") out.push(small, small, small);
    if (dialect === "openai-responses") out.push(small);
  }
  out.push(small); // stream
  out.push([INPUT_TOKENS.tools, LIMITS.tools], [INPUT_TOKENS.toolsSecond, LIMITS.tools]);
  out.push([INPUT_TOKENS.image, LIMITS.small]);
  return out;
}

/** At most what the run will spend, before it starts. */
export function estimate(plan: Plan, prices: PriceTable, quick: boolean): Estimate {
  const est: Estimate = { requests: 0, input: 0, output: 0, nanos: 0, unpriced: [] };
  const add = (model: string, list: [number, number][]) => {
    const price = prices.find(model);
    for (const [i, o] of list) {
      est.requests++;
      est.input += i;
      est.output += o;
      if (price) est.nanos += Math.round((i * price.input + o * price.output) * 1000);
    }
    if (!price && !est.unpriced.includes(model)) est.unpriced.push(model);
  };
  for (const d of plan.deployments.values())
    add(d.model, requestsFor(reasoningDialect(d.provider.dialect), d.provider.type, quick));
  for (const k of plan.kinds) add(k.model, [[INPUT_TOKENS.basic, k.kind === "completion" ? LIMITS.basic : 0]]);
  if (!quick) {
    for (const a of plan.aliases) {
      const first = plan.deployments.get(a.deployments[0]!)!;
      if (hasSettings(a.settings)) add(first.model, [[INPUT_TOKENS.basic, settingsLimit(a.settings)]]);
    }
  }
  return est;
}
