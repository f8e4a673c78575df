import type { ClientName } from "../clients/detect.js";
import { isPlan, type Plan } from "../request/plan.js";
import type { Stage } from "../request/stage.js";
import { answerError } from "./exchange.js";
import type { Generation } from "./generation.js";
import { plan } from "./plan.js";

/** What the plan decided, in words (the debug log). */
function planWords(plan: Plan, clientName: ClientName): string {
  const how = plan.passthrough ? "passed through" : `translated ${plan.client} → ${plan.upstream}`;
  const who = clientName === "cursor" ? " (Cursor)" : "";
  return `model '${plan.route.requested}'${who} → provider '${plan.route.provider.name}', upstream model '${plan.route.upstreamModel}', ${how}`;
}

/** The plan stage of a generation (src/pipeline/plan.ts: no I/O): the first plan, or the error it answers. */
export const planStage: Stage<Generation> = {
  name: "plan",
  run(g) {
    const planned = plan(g.input);
    if (!isPlan(planned)) {
      answerError(g.ex, g.client, planned);
      return true;
    }
    g.planned = planned;
    g.trail.plan = planned;
    g.trail.decide(() => planWords(planned, g.clientName));
    return undefined;
  },
};
