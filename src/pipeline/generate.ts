import type { Billing } from "../billing/billing.js";
import { type ClientName, detectClient } from "../clients/detect.js";
import type { Config } from "../config/schema.js";
import { isObject } from "../ir/input-error.js";
import type { ErrorInfo, Json } from "../ir/types.js";
import { type Admission, isAdmitted } from "../request/admission.js";
import type { Plan } from "../request/plan.js";
import type { RequestRecord } from "../request/record.js";
import type { Accepted } from "../request/route.js";
import type { ModelTable, Route } from "../routing/model-table.js";
import type { Redactor } from "../secrets/redact.js";
import { type AttemptsDeps, attempts, healthAhead } from "./attempts.js";
import type { StateAccess } from "./caller-state.js";
import { compactionStage } from "./compaction-stage.js";
import { compactionAnswer } from "./compaction-writer.js";
import { costHeadersAfter, costHeadersBefore, sessionCostSoFar } from "./cost-headers.js";
import { encode } from "./encode.js";
import { answerError, type Exchange } from "./exchange.js";
import { type PlanInput, plan } from "./plan.js";
import { Readmission } from "./readmit.js";
import { requestTags } from "./request-tags.js";
import { respond } from "./respond.js";
import { Restorer } from "./restore.js";
import { keep } from "./settle.js";
import { recordOf } from "./settle-record.js";

/** What the generation stages need from the gateway. */
export interface GenerateDeps {
  readonly config: Pick<Config, "cursor" | "defaults" | "streams"> & Partial<Pick<Config, "tag_rules" | "tags">>;
  readonly models: ModelTable;
  readonly state: StateAccess;
  readonly admission: Admission;
  readonly attempts: AttemptsDeps;
  /** The configuration's secrets and the shapes of keys: removed from upstream texts that leave llmux. */
  readonly redactor?: Redactor | undefined;
  /** Prices a whole answer for its cost header (none: no cost headers). */
  readonly billing?: Billing | undefined;
  /** Journals an admitted request's rows, billed should the process die before it settles (the request log). */
  readonly journal?:
    | { admitted(rec: RequestRecord, estimateNanos: number | undefined): Promise<void> | undefined }
    | undefined;
}

/** A request body as read: parsed once, and the bytes as they came (a passthrough copies what it does not change). */
export interface RequestBody {
  json: Json;
  raw: Buffer;
}

const EMPTY = Buffer.alloc(0);

export function isPlan(v: Plan | ErrorInfo): v is Plan {
  return "route" in v;
}

function clientOf(ex: Exchange, accepted: Accepted, body: Json, detect: Config["cursor"]["detect"]): ClientName {
  if (detect === "never") return "generic";
  return detectClient(accepted.dialect, ex.trail.path, ex.req.headers, body, detect === "always");
}

/** What the plan decided, in words (the debug log). */
function planWords(plan: Plan, clientName: ClientName): string {
  const how = plan.passthrough ? "passed through" : `translated ${plan.client} → ${plan.upstream}`;
  const who = clientName === "cursor" ? " (Cursor)" : "";
  return `model '${plan.route.requested}'${who} → provider '${plan.route.provider.name}', upstream model '${plan.route.upstreamModel}', ${how}`;
}

/**
 * A generation request after its body is read: plan → admit → restore → attempt loop → respond. Each stage
 * returns its result, which is kept on the request's trail for the settle stage; every failure is answered in
 * the client's dialect; a client that goes away aborts the upstream call.
 */
export async function generate(ex: Exchange, accepted: Accepted, read: RequestBody, deps: GenerateDeps): Promise<void> {
  const { trail } = ex;
  const principal = trail.principal!;
  const client = accepted.dialect;
  const state = deps.state.of(principal.owner);
  const clientName = clientOf(ex, accepted, read.json, deps.config.cursor.detect);
  if (clientName === "cursor") trail.clientTool = "cursor";
  const named = accepted.match.model ?? (isObject(read.json) ? read.json.model : undefined);
  if (typeof named === "string") trail.requested = named;
  const input: PlanInput = {
    client,
    body: read.json,
    raw: read.raw,
    pathModel: accepted.match.model,
    pathStream: accepted.match.stream,
    models: deps.models,
    caller: principal,
    defaults: { policy: deps.config.defaults.policy, reasoningDisplay: deps.config.defaults.reasoning_display },
    clientName,
    cursor: {
      reasoningDisplay: deps.config.cursor.reasoning_display,
      errorsAsText: deps.config.cursor.errors_as_text,
    },
    owner: principal.owner,
  };

  let body = read;
  if (client === "openai-responses") {
    // compaction: llmux's compaction items opened, and a compaction asked of an upstream that does not compact
    const compaction = await compactionStage({
      body,
      legacy: accepted.match.compact === true,
      owner: principal.owner,
      secret: () => state.secret(),
      passedThrough: (json) => {
        const p = plan({ ...input, body: json });
        return isPlan(p) && p.passthrough;
      },
    });
    if (!("body" in compaction)) return answerError(ex, client, compaction);
    body = compaction.body;
    if (compaction.seal) {
      trail.decide(() => "compaction: llmux asks the routed model for a summary and seals it");
      compactionAnswer(ex.res, compaction.seal);
    }
  }
  input.body = body.json;
  input.raw = body.raw;
  if (trail.duplicateTag !== undefined)
    return answerError(ex, client, {
      status: 400,
      kind: "invalid_request",
      message: `The llmux-tags header names the tag key '${trail.duplicateTag}' more than once: give each key one value.`,
      param: "llmux-tags",
    });
  // plan
  const planned = plan(input);
  if (!isPlan(planned)) return answerError(ex, client, planned);
  trail.plan = planned;
  trail.decide(() => planWords(planned, clientName));

  // admit
  if (trail.badTags)
    planned.warnings.add(
      "tag_ignored",
      `llmux-tags entries that are not key=value were ignored: ${trail.badTags.join(", ")}`,
      "llmux-tags",
    );
  // The request's tags: its key's and team's defaults, its own, the config's rules (budgets on a tag apply).
  const tagged = requestTags(
    deps.config.tag_rules ?? [],
    { own: trail.tags, principal, tool: trail.clientTool, model: trail.requested },
    deps.config.tags,
  );
  trail.tags = tagged.tags;
  if (tagged.overridden.length > 0)
    planned.warnings.add(
      "tag_overridden",
      `llmux-tags entries set by the key, its team or a budgeted tag rule were ignored: ${tagged.overridden.join(", ")}`,
      "llmux-tags",
    );
  // The deployments' health is read while the request is admitted (one round trip less on a shared state).
  const early = healthAhead(planned.route, deps.attempts);
  const admitted = await deps.admission.admit({
    principal,
    plan: planned,
    requestBytes: trail.requestBytes,
    tags: trail.tags,
  });
  if (!isAdmitted(admitted)) {
    trail.decide(() => `not admitted: ${admitted.message}`);
    return answerError(ex, client, admitted, { outcome: "refused" });
  }
  trail.admitted = admitted;
  // On disk before the request goes upstream (the attempt loop waits for it just before the call, so the
  // restore's and the loop's own reads overlap the write).
  const journalled = deps.journal?.admitted(recordOf(trail), admitted.estimateNanos);
  // Journalled again as its answer streams past its estimate: a crash bills what it had streamed.
  admitted.watchEstimate?.((nanos) => void deps.journal?.admitted(recordOf(trail), nanos));
  // The session's running cost is read while the upstream works (the answer's headers carry it).
  const sessionCost = deps.billing
    ? sessionCostSoFar(deps.attempts.hot, principal.owner, trail.session?.session)
    : undefined;

  // restore (what the conversation refers to that llmux keeps), then encode for the upstream
  let restorer: Restorer | undefined;
  const ready = async (p: Plan | ErrorInfo): Promise<Plan | ErrorInfo> => {
    // A passthrough keeps nothing to restore, but what a Responses upstream keeps must be the caller's own.
    if (!isPlan(p) || (p.passthrough && p.client !== "openai-responses")) return p;
    restorer ??= new Restorer({ state, hot: deps.attempts.hot, body: body.json, replan: () => plan(input) });
    const restored = await restorer.restore(p);
    return isPlan(restored) ? encode(restored, true) : restored;
  };
  const first = await ready(planned);
  if (!isPlan(first)) {
    trail.decide(() => `refused: ${first.message}`);
    return answerError(ex, client, first);
  }
  trail.plan = first;

  // the attempt loop (a fallback alias is admitted again: its allow-lists, its reservation)
  const readmission = new Readmission(first, deps.admission, principal, trail.requestBytes, trail);
  const result = await attempts(
    {
      first,
      planFor: async (route: Route) => {
        const p = plan({ ...input, route });
        return ready(isPlan(p) ? await readmission.admit(p) : p);
      },
      principal,
      headers: ex.req.headers,
      body: body.json,
      signal: ex.signal,
      timing: trail.timing,
      capture: trail.capture,
      decide: (words) => trail.decide(words),
      beforeSend: journalled,
      early,
    },
    deps.attempts,
  );
  trail.attempted = result.facts;
  if (result.facts.route && !ex.res.headersSent) ex.res.setHeader("llmux-route", result.facts.route);
  const soFar = { sessionNanos: await sessionCost, budgetRemainingNanos: admitted.budgetRemainingNanos };
  if (!ex.res.headersSent) for (const [k, v] of Object.entries(costHeadersBefore(soFar))) ex.res.setHeader(k, v);
  if (ex.signal.aborted) return;
  const own = [principal.callerKey, ...(principal.credentials?.values() ?? [])].filter((k): k is string => !!k);
  const redactor = deps.redactor;
  const redact = redactor && ((text: string) => redactor.redact(text, own));
  if (!result.answer) {
    const error = result.error!;
    return answerError(ex, client, redact ? { ...error, message: redact(error.message) } : error);
  }

  // respond
  const served = result.answer.plan;
  trail.plan = served;
  // The request is sent: an open stream holds its answer, not the request it was built from (75 kB and more
  // for a coding agent's turn). What the settle stage and `keep` read (the plan's route, flags and storeAs) stays.
  for (const p of [planned, first, served]) {
    p.body = "";
    p.ir = undefined;
  }
  input.body = null;
  input.raw = EMPTY;
  body = { json: null, raw: EMPTY };
  read.json = null;
  read.raw = EMPTY;
  restorer = undefined;
  await respond({
    plan: served,
    reply: result.answer.reply,
    res: ex.res,
    answer: trail.answer,
    timing: trail.timing,
    meter: admitted.meter,
    keep: (a) => keep(served, a, state),
    redact,
    pingIntervalMs: deps.config.streams.ping_interval_ms,
    costHeaders: deps.billing ? (a) => costHeadersAfter(deps.billing!, served, a, soFar) : undefined,
    decide: (words) => trail.decide(words),
  });
}
