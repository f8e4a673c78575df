import { type ClientName, detectClient } from "../clients/detect.js";
import type { Config } from "../config/schema.js";
import { answerError, type Exchange } from "../http/exchange.js";
import type { Principal } from "../identity/principal.js";
import { isObject } from "../ir/input-error.js";
import type { ErrorInfo, Json } from "../ir/types.js";
import { type Admission, isAdmitted } from "../request/admission.js";
import { decide } from "../request/record.js";
import { foreignReference, noteOwner } from "../responses/ownership.js";
import type { DeploymentHealth } from "../routing/health.js";
import type { ModelTable, Route } from "../routing/model-table.js";
import type { Accepted } from "../server/accept.js";
import type { HotState } from "../state/hot-state.js";
import { UpstreamFailure, type UpstreamPool } from "../upstream/call.js";
import { attempt } from "./attempt.js";
import { needsRouting, routedGenerate } from "./attempts.js";
import type { StateAccess } from "./caller-state.js";
import { type Plan, type PrepareInput, prepare } from "./plan.js";
import { respond } from "./respond.js";

/** What the generation stages need from the gateway. */
export interface GenerateDeps {
  readonly config: Pick<Config, "cursor" | "defaults">;
  readonly models: ModelTable;
  readonly pool: UpstreamPool;
  readonly state: StateAccess;
  readonly admission: Admission;
  /** Hot shared state (counters, cooldowns, affinity). */
  readonly hot: HotState;
  /** Cooldowns, in-flight counts and latency of deployments (on the hot state). */
  readonly health: DeploymentHealth;
  /** Days stored responses are kept (a response's binding to its deployment lasts as long). */
  readonly retentionDays: number;
}

export interface RequestBody {
  json: Json;
  /** The bytes as they came (a passthrough copies the members it does not change). */
  raw: Buffer;
}

/** Whether a Responses request lets the upstream keep its answer (store defaults to true). */
const stores = (body: Json) => !isObject(body) || body.store !== false;
const retention = (deps: GenerateDeps) => deps.retentionDays * 86_400_000;

function isPlan(v: Plan | ErrorInfo): v is Plan {
  return "route" in v;
}

function clientOf(ex: Exchange, accepted: Accepted, body: Json, detect: Config["cursor"]["detect"]): ClientName {
  if (detect === "never") return "generic";
  return detectClient(accepted.dialect, ex.rec.path, ex.req.headers, body, detect === "always");
}

/** Notes what the plan decided, for the log line (and, at debug level, in words). */
function recordPlan(ex: Exchange, plan: Plan, clientName: ClientName): void {
  const rec = ex.rec;
  if (clientName === "cursor") rec.clientTool = "cursor";
  rec.alias = plan.route.alias;
  rec.provider = plan.route.provider.name;
  rec.model = plan.route.upstreamModel;
  rec.stream = plan.clientStream;
  rec.passthrough = plan.passthrough;
  decide(rec, () => {
    const how = plan.passthrough ? "passed through" : `translated ${plan.client} → ${plan.upstream}`;
    const who = clientName === "cursor" ? " (Cursor)" : "";
    return `model '${plan.route.requested}'${who} → provider '${plan.route.provider.name}', upstream model '${plan.route.upstreamModel}', ${how}`;
  });
}

/**
 * A generation request after its body is read: plan → admit → attempt → respond. Every failure is
 * answered in the client's dialect and recorded for the settle stage; a client that goes away aborts the
 * upstream call.
 */
export async function generate(
  ex: Exchange,
  accepted: Accepted,
  principal: Principal,
  body: RequestBody,
  deps: GenerateDeps,
): Promise<void> {
  const { rec } = ex;
  const client = accepted.dialect;
  const clientName = clientOf(ex, accepted, body.json, deps.config.cursor.detect);
  const state = deps.state.of(principal.owner);
  const named = accepted.match.model ?? (isObject(body.json) ? body.json.model : undefined);
  if (typeof named === "string") rec.requested = named;
  const input: PrepareInput = {
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
    state,
  };
  const prepared = await prepare(input);
  if (!isPlan(prepared)) {
    answerError(ex, client, prepared);
    return;
  }
  const plan = prepared;
  rec.warnings = plan.warnings.list;
  recordPlan(ex, plan, clientName);
  // A Responses request passed through: what it refers to, the upstream keeps; only its owner may use it.
  const upstreamKept = plan.passthrough && client === "openai-responses";
  if (upstreamKept) {
    const owners = { hot: deps.hot, responses: state.responses() };
    const foreign = await foreignReference(owners, body.json, principal.owner);
    if (foreign) {
      decide(rec, () => `refused: it names a response or item that is not this caller's (${foreign.message})`);
      answerError(ex, client, foreign);
      return;
    }
    // Claimed as the answer ends: the client's next turn may follow its last byte at once.
    if (stores(body.json)) ex.atEnd(() => noteOwner(owners, rec, principal.owner, retention(deps)));
  }
  const admitted = await deps.admission.admit({ principal, plan, rec });
  if (!isAdmitted(admitted)) {
    decide(rec, () => `not admitted: ${admitted.message}`);
    answerError(ex, client, admitted, { outcome: "refused" });
    return;
  }
  try {
    if (needsRouting(plan.route)) {
      const replan = (route: Route) => prepare({ ...input, route });
      await routedGenerate(ex, plan, replan, principal, body.json, state, deps);
      return;
    }
    const sent = performance.now();
    const reply = await attempt({
      pool: deps.pool,
      plan,
      principal,
      clientHeaders: ex.req.headers,
      signal: ex.signal,
      rec,
    });
    decide(rec, () => `upstream answered ${reply.status} in ${Math.round(performance.now() - sent)} ms`);
    if (ex.signal.aborted) {
      await reply.dump().catch(() => undefined);
      return;
    }
    await respond(state, plan, reply, ex.res, rec);
  } catch (err) {
    if (ex.signal.aborted) return;
    if (!(err instanceof UpstreamFailure)) throw err;
    decide(rec, () => `upstream call failed: ${err.message}`);
    answerError(ex, client, err.info);
  } finally {
    await admitted.release?.(rec);
  }
}
