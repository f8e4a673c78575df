import { isPlan } from "../request/plan.js";
import type { Stage } from "../request/stage.js";
import type { Route } from "../routing/model-table.js";
import { attempts } from "./attempts.js";
import { costHeadersBefore } from "./cost-headers.js";
import { answerError } from "./exchange.js";
import type { Generation } from "./generation.js";
import { plan } from "./plan.js";
import { Readmission } from "./readmit.js";

/**
 * The attempt loop of a generation (src/pipeline/attempts.ts over src/routing/attempt-loop.ts): the
 * deployment that served and its reply, or the error it answers (redacted). A fallback alias is admitted
 * again: its allow-lists, its reservation.
 */
export const attemptLoop: Stage<Generation> = {
  name: "attempt loop",
  async run(g) {
    const { ex, trail, principal, deps } = g;
    const first = g.first!;
    const admitted = g.admitted!;
    const readmission = new Readmission(first, deps.admission, principal, trail.requestBytes, trail);
    const result = await attempts(
      {
        first,
        planFor: async (route: Route) => {
          const p = plan({ ...g.input, route });
          return g.ready(isPlan(p) ? await readmission.admit(p) : p);
        },
        principal,
        headers: ex.req.headers,
        body: g.body.json,
        signal: ex.signal,
        timing: trail.timing,
        capture: trail.capture,
        decide: (words) => trail.decide(words),
        beforeSend: g.journalled,
        early: g.early,
      },
      deps.attempts,
    );
    g.attempted = result;
    trail.attempted = result.facts;
    if (result.facts.route && !ex.res.headersSent) ex.res.setHeader("llmux-route", result.facts.route);
    // No session cost read (no billing, no session): no await.
    const sessionNanos = g.sessionCost === undefined ? undefined : await g.sessionCost;
    const soFar = { sessionNanos, budgetRemainingNanos: admitted.budgetRemainingNanos };
    g.soFar = soFar;
    if (!ex.res.headersSent && (sessionNanos !== undefined || soFar.budgetRemainingNanos !== undefined))
      for (const [k, v] of Object.entries(costHeadersBefore(soFar))) ex.res.setHeader(k, v);
    if (ex.signal.aborted) return true;
    const redactor = deps.redactor;
    if (redactor) {
      const own = [principal.callerKey, ...(principal.credentials?.values() ?? [])].filter((k): k is string => !!k);
      g.redact = (text: string) => redactor.redact(text, own);
    }
    if (result.answer) return undefined;
    const error = result.error!;
    answerError(ex, g.client, g.redact ? { ...error, message: g.redact(error.message) } : error);
    return true;
  },
};
