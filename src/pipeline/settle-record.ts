import type { RequestRecord } from "../request/record.js";
import type { Trail } from "../request/trail.js";

const NO_WARNINGS: never[] = [];

/**
 * A request's record, projected from its trail once, in the settle stage: what its answer said, and what the
 * stages that ran returned (who called, what was planned, which deployment served).
 */
export function recordOf(t: Trail): RequestRecord {
  const a = t.answer;
  const plan = t.plan;
  const served = t.attempted?.deployment;
  // A known key refused at the door is named too (never the key itself).
  const p = t.principal ?? t.refusedKey;
  const provider = served?.provider.name ?? plan?.route.provider.name ?? t.counted?.provider;
  const model = served?.model ?? plan?.route.upstreamModel ?? t.counted?.model;
  return {
    id: t.id,
    startedAt: t.startedAt,
    method: t.method,
    path: t.path,
    client: t.client,
    clientTool: t.clientTool,
    transport: t.transport,
    clientSession: t.clientSession,
    session: t.session,
    clientRequestId: t.clientRequestId,
    tags: t.tags,
    kind: t.kind,
    requested: t.requested,
    alias: plan?.route.alias,
    provider,
    model,
    deployment: served?.name,
    responseId: a.responseId,
    responseItems: a.responseItems,
    reasoningMarks: a.reasoningMarks,
    stream: plan?.clientStream,
    passthrough: plan?.passthrough,
    status: a.status,
    firstByteAt: a.firstByteAt,
    usage: a.usage,
    usagePartial: a.usagePartial,
    // A probe answered as its protocol says (a 400 that tells a client to initialize first) is no failure.
    outcome: a.outcome ?? (t.note.probe ? "ok" : undefined),
    reason: a.reason ?? t.note.reason,
    timing: t.timing,
    key: p?.name,
    keyId: p?.keyId,
    teamId: p?.teamId,
    user: p?.user,
    lease: t.admitted?.lease,
    warnings: plan?.warnings.list ?? NO_WARNINGS,
    guardrails: t.guardrails,
    requestBytes: t.requestBytes,
    outputChars: a.outputChars,
    quiet: t.note.quiet,
    decisions: t.decisions,
    errorClass: a.errorClass,
    attempts: t.attempted?.attempts,
    route: t.attempted?.route,
    toolCall: t.toolCall,
    capture: t.capture,
    web:
      a.webSearches || a.webFetches || a.webCalls?.length
        ? {
            searches: a.webSearches ?? 0,
            fetches: a.webFetches ?? 0,
            queries: a.webQueries ?? [],
            urls: a.webUrls ?? [],
            nanos: a.webNanos ?? 0,
            calls: a.webCalls ?? [],
            omitted: a.webCallsOmitted ?? 0,
          }
        : undefined,
  };
}
