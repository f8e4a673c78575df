import { EventUnmask } from "../guardrails/restore-events.js";
import type { Stage } from "../request/stage.js";
import { rememberToolUse } from "../request/tool-use-session.js";
import { costHeadersAfter } from "./cost-headers.js";
import type { Generation } from "./generation.js";
import { respond as respondWith } from "./respond.js";
import { keep } from "./settle.js";
import { webRoundsOf } from "./web-tools-respond.js";

/**
 * The respond stage of a generation (src/pipeline/respond.ts): the serving deployment's reply relayed or
 * translated to the client; its Answer on the trail.
 */
export const respond: Stage<Generation> = {
  name: "respond",
  // Not an async function: the stage returns the relay's promise, and no frame of its own waits on it for as
  // long as the stream lasts.
  run(g) {
    const { ex, trail, deps, state } = g;
    const { plan: served, reply } = g.attempted!.answer!;
    trail.plan = served;
    g.forgetRequest(served);
    const billing = deps.billing;
    const unmask = g.unmask ? new EventUnmask(g.unmask) : undefined;
    const soFar = g.soFar!;
    return respondWith({
      plan: served,
      reply,
      res: ex.res,
      answer: trail.answer,
      timing: trail.timing,
      meter: g.admitted!.meter,
      keep: (a) => keep(served, a, state),
      redact: g.redact,
      rewrite: unmask ? (e, out) => unmask.rewrite(e, out) : undefined,
      pingIntervalMs: deps.config.streams.ping_interval_ms,
      costHeaders: billing ? (a) => costHeadersAfter(billing, served, a, soFar) : undefined,
      decide: (words) => trail.decide(words),
      webRounds: webRoundsOf(g),
      onToolUse: trail.session?.session
        ? (id) => rememberToolUse(deps.attempts.hot, g.principal.owner, id, trail.session!)
        : undefined,
    }).then(NOT_ANSWERED);
  },
};

/** The respond stage is the last: what it returns answers nothing more. */
const NOT_ANSWERED = (): undefined => undefined;
