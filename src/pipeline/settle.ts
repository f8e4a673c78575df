import type { Billing } from "../billing/billing.js";
import type { Logger } from "../log/logger.js";
import type { Observe } from "../observe/observe.js";
import type { Answer } from "../request/answer.js";
import { errorClassOf, isOwnLimit } from "../request/error-class.js";
import type { Plan, State } from "../request/plan.js";
import { type RequestRecord, usageOf } from "../request/record.js";
import type { Trail } from "../request/trail.js";
import type { RequestLog } from "../requestlog/request-log.js";
import { claimOwnership, type Owners } from "../responses/ownership.js";
import type { DeploymentHealth } from "../routing/health.js";
import { noteMarks } from "../routing/reasoning-marks.js";
import type { Redactor } from "../secrets/redact.js";
import type { HotState } from "../state/hot-state.js";
import { hotKeys } from "../state/keys.js";
import { codecs } from "../translate/codecs.js";
import { addSessionCost } from "./cost-headers.js";
import { logLine } from "./settle-log-line.js";
import { recordOf } from "./settle-record.js";

/**
 * What the settle stage writes to: the log line, metrics and traces, the spend ledger and the request log,
 * reservations and deployment health on the hot state, and the state an answer leaves behind.
 */
export interface SettleParts {
  readonly logger: Logger;
  /** The redaction pass: a failed request's reason is redacted before its log line and row are written. */
  readonly redactor?: Redactor | undefined;
  readonly billing: Billing;
  readonly requestLog: RequestLog | undefined;
  /** Metrics, traces, the overhead (on the record before its log line and row are written), recordings. */
  readonly observe: Observe;
  readonly hot: HotState;
  readonly health: DeploymentHealth;
  /** Who owns what an upstream keeps (the hot state, and the data layer behind it). */
  readonly owners: Owners;
  /** How long stored responses (and their owners and bindings) are kept, ms. */
  readonly retentionMs: number;
  /** Whether an alias is one the configuration names exactly (its deployments are listed without being seen). */
  readonly isExact: (alias: string) => boolean;
  /** Raises alerts from settled requests (error rate, cache hit rate). */
  readonly watch?: { settled(rec: RequestRecord): void } | undefined;
}

/**
 * The settle stage, the only writer of a request's cost, its ledger and request-log rows, its log line, its
 * metrics and trace, its stored state, its reservations and its deployment's health. It runs in three steps,
 * each once, whatever way the request ended (answered, refused, failed, aborted):
 *
 * 1. `keep`: as a translated answer completes, before its closing bytes, what it leaves behind (captured
 *    reasoning, a stored Response), so that the client's next turn finds it;
 * 2. `settle`: as the answer ends, before its last bytes leave: the record, its cost, metrics, log line, and
 *    the request-log and ledger rows (one journalled write, never waiting on a database); claims on what an
 *    upstream keeps are sent off;
 * 3. `release`: once the answer is over: reservations and slots given back at the real cost, the deployment's
 *    health, its token quota, a whole answer's Response bound to its deployment.
 */
export function settle(parts: SettleParts, trail: Trail): void {
  if (trail.record) return;
  const rec = recordOf(trail);
  // A reason may quote what an upstream or an MCP server said, secrets too: redacted once, for the line and the row.
  if (rec.reason && parts.redactor) rec.reason = parts.redactor.redact(rec.reason, rec.capture?.secrets ?? []);
  trail.record = rec;
  trail.capture = undefined;
  // Each write is on its own: one that throws (a figure a metric refuses) is logged and the others still run.
  const step = (what: string, run: () => void): void => {
    try {
      run();
    } catch (err) {
      parts.logger.error({ err, requestId: rec.id, step: what }, "settling the request failed in one step");
    }
  };
  if (rec.model !== undefined) step("cost", () => parts.billing.cost(rec));
  step("metrics", () => parts.observe.settle(rec));
  step("alerts", () => parts.watch?.settled(rec));
  step("log", () => logLine(parts.logger, rec));
  // The request-log row (and its bodies when kept) and, for a minted key, the ledger row: one journalled write.
  step("request-log", () => parts.requestLog?.record(rec));
  // Whoever reads the captured bodies holds them from here (the request log's batch, the recorder's queue).
  rec.capture = undefined;
  step("claims", () => claims(parts, trail));
  step("session-cost", () => sessionCost(parts, trail));
}

/** The session's running cost (the cost headers' counter) grows by the request's cost; sent off, not awaited. */
function sessionCost(parts: SettleParts, trail: Trail): void {
  const session = trail.record?.session?.session;
  const nanos = trail.record?.cost?.nanos ?? 0;
  if (!session || !trail.principal || nanos <= 0) return;
  addSessionCost(parts.hot, trail.principal.owner, session, nanos);
}

/** What an upstream keeps of an answer is claimed for the caller as it ends; the writes are sent off, not awaited. */
function claims(parts: SettleParts, trail: Trail): void {
  const a = trail.answer;
  const plan = trail.plan;
  if (!plan || a.outcome === "error" || a.outcome === "aborted") return;
  if (plan.upstreamKeeps && a.responseId && trail.principal)
    claimOwnership(parts.owners, a, trail.principal.owner, parts.retentionMs);
  const d = trail.attempted?.deployment;
  if (trail.attempted?.watchMarks && plan.passthrough && d && a.reasoningMarks)
    noteMarks(parts.hot, a.reasoningMarks, d.provider.name);
}

/**
 * Keeps what a complete translated answer leaves behind, under the caller's owner: its reasoning (Chat
 * clients echo none), the stored Response (Responses clients with store). The client has its answer by then:
 * a store that fails is a warning in the log, not a failure.
 */
export async function keep(plan: Plan, answer: Answer, state: State): Promise<void> {
  const done = answer.complete;
  if (!done) return;
  try {
    if (plan.captureScope) await state.cache.capture(done.result.content, plan.origin, plan.captureScope);
    if (plan.storeAs) {
      const response = done.encoded ?? codecs["openai-responses"].encodeResponse(done.result, plan.response).value;
      await state.responses().put(state.owner, {
        id: String(response.id),
        previousId: plan.storeAs.previousId,
        createdAt: typeof response.created_at === "number" ? response.created_at : Math.floor(Date.now() / 1000),
        input: plan.storeAs.input,
        response,
      });
    }
  } catch (err) {
    plan.warnings.add("state_not_kept", `the answer's state was not stored: ${(err as Error).message}`);
  }
}

/**
 * Gives back what the request held once its answer is over, at its real cost: the admission's reservations
 * and slots, the deployment's in-flight count and health (a client that went away, or an answer cut by its
 * budget, says nothing about the deployment), its token quota; a whole Responses answer names its id only at its end: bound here. Shared
 * state that is gone meanwhile does not turn the answer into a failure.
 */
export async function release(parts: SettleParts, trail: Trail, clientGone: boolean): Promise<void> {
  const rec = trail.record;
  if (!rec) return;
  const att = trail.attempted;
  const d = att?.deployment;
  const failed = rec.outcome === "error";
  // An answer cut by its budget ended by llmux's doing: like a client gone, it says nothing about the deployment.
  const neutral = failed ? isOwnLimit(errorClassOf(rec)) : clientGone;
  const work: Promise<unknown>[] = [];
  if (trail.admitted?.release) work.push(Promise.resolve(trail.admitted.release(rec)));
  if (att?.health) work.push(att.health(neutral ? "gone" : failed ? "failed" : "ok"));
  if (d?.tpm !== undefined) {
    const u = usageOf(rec);
    work.push(parts.health.spendTokens(d, u.inputTokens + u.outputTokens));
  }
  // A deployment a pattern resolved to is listed with the configured ones (the Deployments page).
  if (d && trail.plan && !parts.isExact(trail.plan.route.alias))
    work.push(parts.health.served(d, trail.plan.route.alias));
  if (d && att?.health && !failed && rec.responseId && rec.responseId !== att.boundResponseId)
    work.push(parts.hot.set(hotKeys.responseDeployment(rec.responseId), d.id, parts.retentionMs));
  await Promise.all(work.map((w) => w.catch(() => undefined)));
}
