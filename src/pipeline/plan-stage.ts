import type { ClientName } from "../clients/detect.js";
import { isObject } from "../ir/input-error.js";
import { isPlan, type Plan } from "../request/plan.js";
import type { Stage } from "../request/stage.js";
import { routeWords } from "../routing/model-table.js";
import { answerError } from "./exchange.js";
import type { Generation } from "./generation.js";
import { plan } from "./plan.js";
import { ruledRoute } from "./route-rules.js";

/** What the plan decided, in words (the debug log). */
function planWords(plan: Plan, clientName: ClientName): string {
  const how = plan.passthrough ? "passed through" : `translated ${plan.client} → ${plan.upstream}`;
  const who = clientName === "cursor" ? " (Cursor)" : "";
  const via = routeWords(plan.route);
  return `model '${plan.route.requested}'${who}${via ? ` (${via})` : ""} → provider '${plan.route.provider.name}', upstream model '${plan.route.upstreamModel}', ${how}`;
}

/**
 * The plan stage of a generation (src/pipeline/plan.ts: no I/O): the routing rules first (a rule that holds
 * routes to its alias, checked against the key as that alias would be), then the first plan, or the error
 * it answers.
 */
export const planStage: Stage<Generation> = {
  name: "plan",
  run(g) {
    const routing = g.deps.routing;
    if (routing && routing.rules.size > 0) {
      const body = g.input.body;
      const requested = g.input.pathModel ?? (isObject(body) ? body.model : undefined);
      if (typeof requested === "string" && requested.length > 0)
        return ruledRoute(
          {
            requested,
            dialect: g.input.client,
            body,
            principal: g.principal,
            client: g.trail.clientTool ?? (g.clientName === "cursor" ? "cursor" : undefined),
            agent: g.trail.session?.agent,
            tags: g.trail.tags,
          },
          routing,
          g.deps.models,
        ).then((ruled) => {
          if (ruled && !("route" in ruled)) {
            g.trail.decide(() => `not routed: ${ruled.message}`);
            answerError(g.ex, g.client, ruled, { outcome: "refused" });
            return true;
          }
          if (ruled) g.input.route = ruled.route;
          return planned(g);
        });
    }
    return planned(g);
  },
};

function planned(g: Generation): true | undefined {
  const p = plan(g.input);
  if (!isPlan(p)) {
    answerError(g.ex, g.client, p);
    return true;
  }
  g.planned = p;
  g.trail.plan = p;
  g.trail.decide(() => planWords(p, g.clientName));
  return undefined;
}
