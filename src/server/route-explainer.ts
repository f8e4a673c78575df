/**
 * `POST /admin/v1/routing/explain` on a running gateway (the web UI playground's "explain" panel): the routing
 * decision for a request and a client key, without sending it — the gateway's own identifier, model table and
 * routing rules (those in force now, the stored ones included), through src/pipeline/explain.ts as
 * `llmux route --explain` uses it.
 */
import type { IncomingHttpHeaders } from "node:http";
import { AdminError } from "../admin/admin-error.js";
import type { ExplainAsk } from "../admin/context.js";
import type { Config } from "../config/schema.js";
import { type Identifier, isRefusal } from "../identity/identify.js";
import type { Json } from "../ir/types.js";
import { type Explained, explain } from "../pipeline/explain.js";
import type { RoutingDeps } from "../pipeline/route-rules.js";
import type { ModelTable } from "../routing/model-table.js";
import { matchRoute } from "./routes.js";

/** Headers that name a key: the one to explain for is given apart (never taken from the request's headers). */
const KEY_HEADERS = ["authorization", "x-api-key", "x-goog-api-key", "api-key"];

export function routeExplainer(deps: {
  config: Config;
  identifier: Identifier;
  models: ModelTable;
  routing: RoutingDeps;
}): (ask: ExplainAsk) => Promise<Explained> {
  return async (ask) => {
    const path = ask.path ?? "/v1/messages";
    const matched = matchRoute("POST", path);
    if (matched?.kind !== "generate")
      throw new AdminError(
        400,
        `path: '${path}' is not a generation route (/v1/messages, /v1/chat/completions, /v1/responses, …)`,
        "path",
      );
    const headers: IncomingHttpHeaders = {};
    for (const [k, v] of Object.entries(ask.headers ?? {}))
      if (!KEY_HEADERS.includes(k.toLowerCase())) headers[k.toLowerCase()] = v;
    if (ask.key) headers.authorization = `Bearer ${ask.key}`;
    const principal = await deps.identifier.identify(headers);
    if (isRefusal(principal))
      return { agent: "main", tags: [], deployments: [], refused: { status: 401, message: principal.message } };
    return explain({
      dialect: matched.dialect,
      path: path.split("?")[0]!,
      pathModel: matched.model,
      headers,
      body: ask.body as Json,
      principal,
      models: deps.models,
      routing: deps.routing,
      config: deps.config,
    });
  };
}
