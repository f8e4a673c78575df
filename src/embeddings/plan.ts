import type { Principal } from "../identity/principal.js";
import { InputError } from "../ir/input-error.js";
import type { Dialect, ErrorInfo } from "../ir/types.js";
import { usableNames } from "../limits/allow-list.js";
import { wrongRoute } from "../models/alias-kind.js";
import type { Plan } from "../request/plan.js";
import { sidePlan } from "../request/side-plan.js";
import type { ModelTable, Route } from "../routing/model-table.js";
import type { EmbedAsk } from "./ask.js";
import { type EmbedUpstream, embedUpstream } from "./upstream-shape.js";

/** An embeddings request planned: its route, what its first deployment takes, and the plan admission reads. */
export interface EmbedPlan {
  readonly route: Route;
  readonly upstream: EmbedUpstream;
  readonly plan: Plan;
}

function invalid(param: string, message: string): ErrorInfo {
  return new InputError(param, message).toErrorInfo();
}

/**
 * The plan of an embeddings request (no I/O): the alias's route, refused when it is not an embedding model
 * (naming the route to ask) or when its upstream cannot take the request (token arrays, `dimensions`).
 */
export function planEmbed(
  ask: EmbedAsk,
  client: Dialect,
  models: ModelTable,
  caller: Principal,
): EmbedPlan | ErrorInfo {
  const route = models.resolve(ask.model);
  if (!route) {
    const known = usableNames(models.names(), caller, (n) => models.resolve(n)?.provider.name).filter(
      (n) => models.resolve(n)?.settings.kind === "embedding",
    );
    return {
      status: 404,
      kind: "not_found",
      message: `The embedding model '${ask.model}' is not configured here. Embedding models: ${known.length > 0 ? known.join(", ") : "(none)"}`,
      param: "model",
      code: "model_not_found",
    };
  }
  const wrong = wrongRoute(ask.model, route.settings, "embedding");
  if (wrong) return invalid("model", wrong);
  const up = embedUpstream(route.provider, route.upstreamModel, route.settings);
  if (typeof up === "string") return invalid("model", `The model '${ask.model}' cannot be served: ${up}`);
  const inputField = client === "gemini" ? (ask.batch ? "requests" : "content") : "input";
  if (!up.tokenArrays && ask.inputs.some((i) => typeof i !== "string"))
    return invalid(
      inputField,
      `${inputField} holds token arrays, which the upstream of '${ask.model}' does not take: send text`,
    );
  const dimField = client === "gemini" ? "outputDimensionality" : "dimensions";
  if (ask.dimensions !== undefined) {
    if (!up.dimensions)
      return invalid(dimField, `${dimField} cannot be set for '${ask.model}': its vectors have one size`);
    if (up.sizes && !up.sizes.includes(ask.dimensions))
      return invalid(dimField, `${dimField} must be one of ${up.sizes.join(", ")} for '${ask.model}'`);
    if (up.maxDimensions !== undefined && ask.dimensions > up.maxDimensions)
      return invalid(dimField, `${dimField} must be at most ${up.maxDimensions} for '${ask.model}'`);
  }
  // An embedding produces no output tokens: admission reserves the input alone.
  const plan = sidePlan(route, client, { model: ask.model, stream: false, passthrough: false, maxOutputTokens: 0 });
  return { route, upstream: up, plan };
}
