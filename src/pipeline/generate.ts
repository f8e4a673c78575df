import { type ClientName, detectClient } from "../clients/detect.js";
import type { Config } from "../config/schema.js";
import { isObject } from "../ir/input-error.js";
import type { ErrorInfo, Json } from "../ir/types.js";
import { type Admission, isAdmitted } from "../request/admission.js";
import type { Plan } from "../request/plan.js";
import type { Accepted } from "../request/route.js";
import type { ModelTable, Route } from "../routing/model-table.js";
import { type AttemptsDeps, attempts } from "./attempts.js";
import type { StateAccess } from "./caller-state.js";
import { encode } from "./encode.js";
import { answerError, type Exchange } from "./exchange.js";
import { type PlanInput, plan } from "./plan.js";
import { respond } from "./respond.js";
import { Restorer } from "./restore.js";
import { keep } from "./settle.js";

/** What the generation stages need from the gateway. */
export interface GenerateDeps {
  readonly config: Pick<Config, "cursor" | "defaults">;
  readonly models: ModelTable;
  readonly state: StateAccess;
  readonly admission: Admission;
  readonly attempts: AttemptsDeps;
}

/** A request body as read: parsed once, and the bytes as they came (a passthrough copies what it does not change). */
export interface RequestBody {
  json: Json;
  raw: Buffer;
}

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
export async function generate(ex: Exchange, accepted: Accepted, body: RequestBody, deps: GenerateDeps): Promise<void> {
  const { trail } = ex;
  const principal = trail.principal!;
  const client = accepted.dialect;
  const clientName = clientOf(ex, accepted, body.json, deps.config.cursor.detect);
  if (clientName === "cursor") trail.clientTool = "cursor";
  const named = accepted.match.model ?? (isObject(body.json) ? body.json.model : undefined);
  if (typeof named === "string") trail.requested = named;
  const input: PlanInput = {
    client,
    body: body.json,
    raw: body.raw,
    pathModel: accepted.match.model,
    pathStream: accepted.match.stream,
    models: deps.models,
    defaults: { policy: deps.config.defaults.policy, reasoningDisplay: deps.config.defaults.reasoning_display },
    clientName,
    cursor: {
      reasoningDisplay: deps.config.cursor.reasoning_display,
      errorsAsText: deps.config.cursor.errors_as_text,
    },
    owner: principal.owner,
  };

  // plan
  const planned = plan(input);
  if (!isPlan(planned)) return answerError(ex, client, planned);
  trail.plan = planned;
  trail.decide(() => planWords(planned, clientName));

  // admit
  const admitted = await deps.admission.admit({ principal, plan: planned, requestBytes: trail.requestBytes });
  if (!isAdmitted(admitted)) {
    trail.decide(() => `not admitted: ${admitted.message}`);
    return answerError(ex, client, admitted, { outcome: "refused" });
  }
  trail.admitted = admitted;

  // restore (what the conversation refers to that llmux keeps), then encode for the upstream
  const state = deps.state.of(principal.owner);
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

  // the attempt loop
  const result = await attempts(
    {
      first,
      planFor: (route: Route) => ready(plan({ ...input, route })),
      principal,
      headers: ex.req.headers,
      body: body.json,
      signal: ex.signal,
      timing: trail.timing,
      capture: trail.capture,
      decide: (words) => trail.decide(words),
    },
    deps.attempts,
  );
  trail.attempted = result.facts;
  if (result.facts.route && !ex.res.headersSent) ex.res.setHeader("llmux-route", result.facts.route);
  if (ex.signal.aborted) return;
  if (!result.answer) return answerError(ex, client, result.error!);

  // respond
  const served = result.answer.plan;
  trail.plan = served;
  await respond({
    plan: served,
    reply: result.answer.reply,
    res: ex.res,
    answer: trail.answer,
    timing: trail.timing,
    keep: (a) => keep(served, a, state),
    decide: (words) => trail.decide(words),
  });
}
