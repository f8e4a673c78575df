import { signalOf } from "../http/abort-flag.js";
import type { Plan } from "../request/plan.js";
import { callerWebTools } from "../search/allow.js";
import type { UpstreamReply } from "../upstream/call.js";
import { attempt } from "./attempt.js";
import type { Generation } from "./generation.js";
import { type RoundItem, webRounds } from "./web-tools-rounds.js";
import { WebRunner } from "./web-tools-run.js";

/**
 * The respond stage's web rounds for a generation whose plan has llmux run its web tools: the serving
 * deployment called again as the rounds need, and what was searched and fetched noted on the answer (the
 * settle stage logs and bills it).
 */
export function webRoundsOf(
  g: Generation,
): ((plan: Plan, reply: UpstreamReply) => AsyncIterable<RoundItem>) | undefined {
  const served = g.attempted?.answer?.plan;
  if (!served?.web || (!served.web.search && !served.web.fetch)) return undefined;
  const { ex, trail, deps, principal } = g;
  return async function* (plan, reply) {
    const tools = callerWebTools(deps.webTools ?? {}, deps.attempts.hot, deps.config.search, principal);
    const runner = new WebRunner(tools, signalOf(ex.signal));
    const call = (p: Plan) =>
      attempt({
        pool: deps.attempts.pool,
        plan: p,
        principal,
        clientHeaders: ex.req.headers,
        signal: ex.signal,
        timing: trail.timing,
        capture: trail.capture,
      });
    try {
      const pingMs = plan.clientStream ? deps.config.streams.ping_interval_ms : 0;
      yield* webRounds({ plan, reply, runner, call, signal: ex.signal, pingMs });
    } finally {
      const a = trail.answer;
      a.webSearches = runner.searches;
      a.webFetches = runner.fetches;
      a.webQueries = runner.queries;
      a.webUrls = runner.urls;
      a.webNanos = runner.nanos;
      a.webCalls = runner.notes;
      a.webCallsOmitted = runner.notesOmitted;
      trail.decide(() => `web tools: ${runner.searches} searches, ${runner.fetches} fetches`);
    }
  };
}
