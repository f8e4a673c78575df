import type { IncomingHttpHeaders } from "node:http";
import type { AbortLike } from "../http/abort-flag.js";
import type { Principal } from "../identity/principal.js";
import type { ExchangeCapture } from "../request/capture.js";
import type { Plan } from "../request/plan.js";
import { type RequestTiming, startAttempt } from "../request/timing.js";
import { callUpstream, type UpstreamPool, type UpstreamReply } from "../upstream/call.js";

export interface AttemptInput {
  readonly pool: UpstreamPool;
  readonly plan: Plan;
  readonly principal: Principal;
  readonly clientHeaders: IncomingHttpHeaders;
  readonly signal: AbortLike;
  /** The observers' clock (metrics, traces, the overhead header): each call is timed on it. */
  readonly timing?: RequestTiming | undefined;
  /** The capture of the request's bodies, when something reads them: the call's request and answer are kept. */
  readonly capture?: ExchangeCapture | undefined;
}

/** The upstream body, released from the plan: an open stream should not hold its request. */
function takeBody(plan: Plan): string | Buffer {
  const body = plan.body;
  plan.body = "";
  return body;
}

/**
 * The attempt stage: one call to the planned upstream. Resolves with its reply (any status), or throws
 * UpstreamFailure when it could not be reached or did not answer in time.
 */
export function attempt(input: AttemptInput): Promise<UpstreamReply> {
  const { plan } = input;
  const provider = plan.route.provider;
  const target = provider.target(plan.route.upstreamModel, {
    stream: plan.upstreamStream,
    callerKey: input.principal.credentials?.get(provider.name) ?? input.principal.callerKey,
    clientHeaders: input.clientHeaders,
    sameDialect: plan.passthrough,
    warnings: plan.warnings,
  });
  const body = takeBody(plan);
  const clock = startAttempt(input.timing, plan.route);
  const capture = input.capture;
  capture?.upstream(target.url, body, clock);
  const reply = callUpstream(input.pool, provider, target, body, input.signal, provider.dialect, clock);
  if (!clock) return reply;
  return reply.then(
    (r) => {
      capture?.answered(r.headers["content-type"]);
      return r;
    },
    (err: Error) => {
      clock.headersAt = performance.now();
      clock.waitMs += clock.headersAt - clock.startAt;
      clock.error = err.message;
      throw err;
    },
  );
}
