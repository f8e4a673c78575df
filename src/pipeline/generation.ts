import type { Billing } from "../billing/billing.js";
import { type ClientName, detectClient } from "../clients/detect.js";
import type { Config } from "../config/schema.js";
import type { Guardrails } from "../guardrails/guard.js";
import { maskRequest } from "../guardrails/mask-body.js";
import { longStrings } from "../http/json-pieces.js";
import type { Principal } from "../identity/principal.js";
import { isObject } from "../ir/input-error.js";
import type { Dialect, ErrorInfo } from "../ir/types.js";
import type { Admission, Admitted } from "../request/admission.js";
import type { RequestBody } from "../request/body.js";
import { isPlan, type Plan, type State } from "../request/plan.js";
import type { RequestRecord } from "../request/record.js";
import type { Accepted } from "../request/route.js";
import type { Trail } from "../request/trail.js";
import type { Availability } from "../routing/health.js";
import type { ModelTable } from "../routing/model-table.js";
import type { WebTools } from "../search/types.js";
import type { Redactor } from "../secrets/redact.js";
import type { Attempted, AttemptsDeps } from "./attempts.js";
import type { StateAccess } from "./caller-state.js";
import type { CostSoFar } from "./cost-headers.js";
import { encode } from "./encode.js";
import type { Exchange } from "./exchange.js";
import { type PlanInput, plan } from "./plan.js";
import { Restorer } from "./restore.js";
import type { RoutingDeps } from "./route-rules.js";
import { webAvailability } from "./web-tools-access.js";

/** What the generation stages need from the gateway. */
export interface GenerateDeps {
  readonly config: Pick<Config, "cursor" | "defaults" | "streams"> &
    Partial<Pick<Config, "tag_rules" | "tags" | "search">>;
  readonly models: ModelTable;
  readonly state: StateAccess;
  readonly admission: Admission;
  readonly attempts: AttemptsDeps;
  /** Routing rules and soft budgets (none: no rules, no downgrades). */
  readonly routing?: RoutingDeps | undefined;
  /** Secret detection on what leaves for an upstream: block, mask (and restore), warn (none: off). */
  readonly guardrails?: Guardrails | undefined;
  /** The configuration's secrets and the shapes of keys: removed from upstream texts that leave llmux. */
  readonly redactor?: Redactor | undefined;
  /** Prices a whole answer for its cost header (none: no cost headers). */
  readonly billing?: Billing | undefined;
  /** Journals an admitted request's rows, billed should the process die before it settles (the request log). */
  readonly journal?:
    | { admitted(rec: RequestRecord, estimateNanos: number | undefined): Promise<void> | undefined }
    | undefined;
  /** The search provider and page fetcher llmux runs web tools with (none: web tools are removed, the model told). */
  readonly webTools?: WebTools | undefined;
}

function clientOf(ex: Exchange, accepted: Accepted, body: RequestBody, detect: Config["cursor"]["detect"]): ClientName {
  if (detect === "never") return "generic";
  return detectClient(accepted.dialect, ex.trail.path, ex.req.headers, body.json, detect === "always");
}

/**
 * One generation request as its stages see it (src/pipeline/generate.ts lists them): what it came with, and
 * the result each stage kept for the stages after it. The request's trail keeps what the settle stage reads.
 */
export class Generation {
  readonly trail: Trail;
  readonly principal: Principal;
  /** The dialect the client speaks (every error is answered in it). */
  readonly client: Dialect;
  readonly clientName: ClientName;
  /** The caller's reasoning and Responses state. */
  readonly state: State;
  /** What the plan stage plans from (the body in it, once compaction has run). */
  readonly input: PlanInput;
  /** The body to plan: the one read, or the one compaction rewrote. */
  body: RequestBody;
  /** plan: the first plan. */
  planned: Plan | undefined;
  /** admit: the deployments' health, asked for while the request is admitted; the admission. */
  early: ReadonlyMap<string, Promise<Availability>> | undefined;
  admitted: Admitted | undefined;
  /** admit: the journal's write of the admitted request, and the session's cost so far (read meanwhile). */
  journalled: Promise<void> | undefined;
  sessionCost: Promise<number | undefined> | undefined;
  /** guardrails: the masked values by placeholder, put back into the answer (none: nothing masked). */
  unmask: ReadonlyMap<string, string> | undefined;
  /** restore: the first deployment's plan, restored and encoded. */
  first: Plan | undefined;
  private restorer: Restorer | undefined;
  /** the attempt loop: what it did, and the cost so far that the answer's headers carry. */
  attempted: Attempted | undefined;
  soFar: CostSoFar | undefined;
  /** Removes the configuration's secrets and the caller's keys from upstream texts (when a redactor is set). */
  redact: ((text: string) => string) | undefined;

  constructor(
    readonly ex: Exchange,
    readonly accepted: Accepted,
    readonly read: RequestBody,
    readonly deps: GenerateDeps,
  ) {
    const trail = ex.trail;
    this.trail = trail;
    const principal = trail.principal!;
    this.principal = principal;
    this.client = accepted.dialect;
    this.state = deps.state.of(principal.owner);
    this.clientName = clientOf(ex, accepted, read, deps.config.cursor.detect);
    if (this.clientName === "cursor") trail.clientTool = "cursor";
    const named = accepted.match.model ?? (isObject(read.json) ? read.json.model : undefined);
    if (typeof named === "string") trail.requested = named;
    this.body = read;
    this.input = {
      client: this.client,
      body: read.json,
      raw: read.raw,
      pathModel: accepted.match.model,
      pathStream: accepted.match.stream,
      models: deps.models,
      caller: principal,
      defaults: { policy: deps.config.defaults.policy, reasoningDisplay: deps.config.defaults.reasoning_display },
      clientName: this.clientName,
      cursor: {
        reasoningDisplay: deps.config.cursor.reasoning_display,
        errorsAsText: deps.config.cursor.errors_as_text,
      },
      owner: principal.owner,
      web: webAvailability(deps.webTools, principal, deps.config.search),
    };
  }

  /** Whether `ready` has anything to do for a plan: a passthrough that is not Responses is sent as it is. */
  needsReady(p: Plan): boolean {
    return !p.passthrough || p.client === "openai-responses";
  }

  /**
   * A plan made ready for its upstream: what the conversation refers to that llmux keeps put back, then
   * encoded. A passthrough keeps nothing to restore, but what a Responses upstream keeps must be the caller's own.
   */
  async ready(p: Plan | ErrorInfo): Promise<Plan | ErrorInfo> {
    if (!isPlan(p) || !this.needsReady(p)) return p;
    this.restorer ??= new Restorer({
      state: this.state,
      hot: this.deps.attempts.hot,
      body: this.body.json,
      replan: () => plan(this.input),
    });
    const restored = await this.restorer.restore(p);
    if (!isPlan(restored)) return restored;
    // What llmux put back into the conversation (a stored answer holds the values it restored) is masked again.
    if (restored.ir && this.unmask) maskRequest(restored.ir, this.unmask);
    return encode(restored, true, this.input.raw && longStrings(this.input.raw));
  }

  /**
   * The request is sent: an open stream holds its answer, not the request it was built from (75 kB and more
   * for a coding agent's turn), nor the plans made before the one served. What the settle stage and `keep`
   * read (the served plan's route, flags and storeAs) stays.
   */
  forgetRequest(served: Plan): void {
    for (const p of [this.planned, this.first, served]) {
      if (!p) continue;
      p.body = "";
      p.ir = undefined;
    }
    // The plans the attempt loop started from and the health it asked for are done with: the served plan is
    // on the trail (each plan keeps its route, tools and settings: ~0.6 KB an open stream held twice).
    this.planned = undefined;
    this.first = undefined;
    this.early = undefined;
    this.input.body = null;
    this.input.raw = EMPTY;
    this.body = { json: null, raw: EMPTY };
    this.read.json = null;
    this.read.raw = EMPTY;
    this.restorer = undefined;
  }
}

const EMPTY = Buffer.alloc(0);
