import { isAdmitted } from "../request/admission.js";
import type { Stage } from "../request/stage.js";
import { healthAhead } from "./attempts.js";
import { sessionCostSoFar } from "./cost-headers.js";
import { downgraded } from "./downgrade.js";
import { answerError } from "./exchange.js";
import type { Generation } from "./generation.js";
import { recordOf } from "./settle-record.js";

/**
 * The admit stage of a generation (src/limits/admission.ts: allow-lists, limits, budgets): the admission, or
 * the refusal it answers; a soft budget's downgrade (src/pipeline/downgrade.ts). The deployments' health is read while the request is admitted (one round trip less
 * on a shared state); the admitted request is journalled, and the session's cost read, while the stages after
 * it work.
 */
export const admit: Stage<Generation> = {
  name: "admit",
  async run(g) {
    const { trail, principal, deps } = g;
    const planned = g.planned!;
    g.early = healthAhead(planned.route, deps.attempts);
    const first = await deps.admission.admit({
      principal,
      plan: planned,
      requestBytes: trail.requestBytes,
      tags: trail.tags,
    });
    // A soft budget past its `downgrade.at`: planned and admitted again for its cheaper alias.
    const admitted = isAdmitted(first) && deps.routing ? await downgraded(g, first) : first;
    if (!isAdmitted(admitted)) {
      trail.decide(() => `not admitted: ${admitted.message}`);
      answerError(g.ex, g.client, admitted, { outcome: "refused" });
      return true;
    }
    g.admitted = admitted;
    trail.admitted = admitted;
    // On disk before the request goes upstream (the attempt loop waits for it just before the call, so the
    // restore's and the loop's own reads overlap the write).
    g.journalled = deps.journal?.admitted(recordOf(trail), admitted.estimateNanos);
    // Journalled again as its answer streams past its estimate: a crash bills what it had streamed.
    admitted.watchEstimate?.((nanos) => void deps.journal?.admitted(recordOf(trail), nanos));
    // The session's running cost is read while the upstream works (the answer's headers carry it).
    // (none without a session: nothing to wait for)
    const session = trail.session?.session;
    g.sessionCost = deps.billing && session ? sessionCostSoFar(deps.attempts.hot, principal.owner, session) : undefined;
    return undefined;
  },
};
