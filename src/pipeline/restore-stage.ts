import { isPlan, type Plan } from "../request/plan.js";
import type { Stage } from "../request/stage.js";
import { answerError } from "./exchange.js";
import type { Generation } from "./generation.js";

/**
 * The restore stage of a generation (src/pipeline/restore.ts, then src/pipeline/encode.ts): the first plan
 * with what the conversation refers to that llmux keeps put back, encoded for its upstream.
 */
export const restore: Stage<Generation> = {
  name: "restore",
  run(g) {
    const planned = g.planned!;
    // Nothing to restore or encode (a passthrough that is not Responses): no promise, no turn of the microtask queue.
    if (!g.needsReady(planned)) {
      g.first = planned;
      g.trail.plan = planned;
      return undefined;
    }
    return restored(g, planned);
  },
};

async function restored(g: Generation, planned: Plan): Promise<true | undefined> {
  const first = await g.ready(planned);
  if (!isPlan(first)) {
    g.trail.decide(() => `refused: ${first.message}`);
    answerError(g.ex, g.client, first);
    return true;
  }
  g.first = first;
  g.trail.plan = first;
  return undefined;
}
