import type { IncomingHttpHeaders } from "node:http";
import type { Principal } from "../identity/principal.js";
import type { Plan } from "./prepare.js";
import { callUpstream, type UpstreamPool, type UpstreamReply } from "./upstream.js";

export interface AttemptInput {
  readonly pool: UpstreamPool;
  readonly plan: Plan;
  readonly principal: Principal;
  readonly clientHeaders: IncomingHttpHeaders;
  readonly signal: AbortSignal;
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
  return callUpstream(input.pool, provider, target, takeBody(plan), input.signal, provider.dialect);
}
