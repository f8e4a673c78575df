import type { Dialect } from "../ir/types.js";
import { Warnings } from "../ir/warnings.js";
import type { Route } from "../routing/model-table.js";
import type { Plan } from "./plan.js";

/** How a call that is not a chat generation (embeddings, completions, rerank, a token count) differs. */
export interface SidePlanOptions {
  /** The model the answer names. */
  readonly model: string;
  /** The client streams and so does the upstream call. */
  readonly stream: boolean;
  /** The body goes upstream as the client sent it (a token count). */
  readonly passthrough: boolean;
  /** What admission reserves for output (0: the input alone). */
  readonly maxOutputTokens: number;
}

/**
 * The plan of a call to `route` that is not a chat generation: the client's dialect both ways, no tools, no
 * translated body, nothing for the reasoning cache; what admission, the attempt loop and settle read of it.
 */
export function sidePlan(route: Route, client: Dialect, opts: SidePlanOptions): Plan {
  return {
    route,
    client,
    upstream: route.provider.dialect,
    passthrough: opts.passthrough,
    body: "",
    requestDialect: client,
    clientStream: opts.stream,
    upstreamStream: opts.stream,
    tools: new Map(),
    response: { model: opts.model },
    warnings: new Warnings(),
    origin: { provider: route.provider.name, model: route.upstreamModel },
    maxOutputTokens: opts.maxOutputTokens,
    cursor: false,
  };
}
