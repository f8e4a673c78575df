import type { IncomingHttpHeaders } from "node:http";
import type { AbortLike } from "../http/abort-flag.js";
import { readWhole } from "../http/whole-body.js";
import type { Principal } from "../identity/principal.js";
import { isObject } from "../ir/input-error.js";
import type { ErrorInfo, Json, UpstreamDialect } from "../ir/types.js";
import { Warnings } from "../ir/warnings.js";
import { type AliasKind, wrongRoute } from "../models/alias-kind.js";
import { type RequestTiming, startAttempt } from "../request/timing.js";
import { attemptLoop, isExhausted, type LoopReply, type Settled } from "../routing/attempt-loop.js";
import type { Deployment } from "../routing/deployments.js";
import type { Availability } from "../routing/health.js";
import { onDeployment, type Route } from "../routing/model-table.js";
import { upstreamCodecs } from "../translate/codecs.js";
import { callUpstream, UpstreamFailure } from "../upstream/call.js";
import type { AttemptsDeps } from "./attempts.js";
import type { Exchange } from "./exchange.js";
import type { Let } from "./kind-admit.js";

/** One upstream call of a request that is not a chat (embeddings, fill-in-the-middle, rerank), planned for a deployment. */
export interface CallPlan<M> {
  readonly route: Route;
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly body: string | Buffer;
  /** The dialect the upstream answers errors (and, over chat, its stream) in. */
  readonly dialect: UpstreamDialect;
  /** Whether the answer is screened as that dialect's (a stream's start judged before it is relayed). */
  readonly screen: boolean;
  /** What the caller planned it as (native FIM, over chat, a rerank API). */
  readonly meta: M;
}

export interface CallInput<M> {
  readonly route: Route;
  /** The route's kind: fallback aliases of another kind are skipped. */
  readonly kind: Exclude<AliasKind, "chat">;
  /** The decision log's word for its calls (default: the kind). */
  readonly label?: string | undefined;
  readonly plan: (
    route: Route,
    target: (stream: boolean) => { url: string; headers: Record<string, string> },
  ) => CallPlan<M> | ErrorInfo;
  readonly principal: Principal;
  readonly headers: IncomingHttpHeaders;
  readonly signal: AbortLike;
  readonly early?: ReadonlyMap<string, Promise<Availability>> | undefined;
  readonly beforeSend?: Promise<void> | undefined;
  readonly models: { resolve(name: string): Route | undefined };
  readonly decide: (words: () => string) => void;
  readonly timing?: RequestTiming | undefined;
}

/** The call that served (its reply, to read or relay, and how to settle its deployment's health), or the error. */
export interface CallDone<M> {
  readonly plan?: CallPlan<M> | undefined;
  readonly reply?: LoopReply | undefined;
  readonly settle?: ((outcome: Settled) => Promise<void>) | undefined;
  readonly error?: ErrorInfo | undefined;
  readonly deployment?: Deployment | undefined;
  readonly calls: number;
  readonly path: readonly string[];
}

/** An upstream's error answer as the error the client is told. */
async function errorOf(plan: CallPlan<unknown>, reply: LoopReply): Promise<ErrorInfo> {
  const text = reply.whole
    ? reply.whole.text
    : (await readWhole(reply.body, 1 << 20, "keep").catch(() => Buffer.alloc(0))).toString("utf8");
  let json: Json = null;
  try {
    json = JSON.parse(text) as Json;
  } catch {}
  if (isObject(json)) return upstreamCodecs[plan.dialect].decodeError(reply.status, json);
  return { status: reply.status, kind: "server", message: `upstream answered ${reply.status}: ${text.slice(0, 300)}` };
}

/**
 * One call through the attempt loop: the alias's deployments in its routing's order, retries and fallback
 * aliases of the same kind, each deployment's health and cooldowns, as a chat request gets. The serving
 * reply is handed back unread, for the caller to read or relay (a stream is relayed as it comes).
 */
export async function callThrough<M>(input: CallInput<M>, deps: AttemptsDeps): Promise<CallDone<M>> {
  const path: string[] = [];
  let calls = 0;
  const result = await attemptLoop<CallPlan<M>, Route>(input.route, {
    plan: async (route, d) => {
      const r = onDeployment(route, d);
      const provider = r.provider.forModel?.(r.upstreamModel) ?? r.provider;
      const target = (stream: boolean) =>
        provider.target(r.upstreamModel, {
          stream,
          callerKey: input.principal.credentials?.get(provider.name) ?? input.principal.callerKey,
          clientHeaders: input.headers,
          sameDialect: false,
          warnings: new Warnings(),
        });
      return input.plan({ ...r, provider }, target);
    },
    call: async (plan, signal) => {
      calls++;
      await input.beforeSend;
      const clock = startAttempt(input.timing, plan.route);
      const reply = await callUpstream(
        deps.pool,
        plan.route.provider,
        { url: plan.url, headers: plan.headers },
        plan.body,
        signal,
        plan.screen ? plan.dialect : undefined,
        clock,
      );
      input.decide(() => `${input.label ?? input.kind}: ${plan.route.provider.name} answered ${reply.status}`);
      return reply;
    },
    fallback: (alias) => {
      const r = input.models.resolve(alias);
      if (!r || wrongRoute(alias, r.settings, input.kind)) return undefined;
      return { ...r, requested: input.route.requested };
    },
    isFailure: (err): err is UpstreamFailure => err instanceof UpstreamFailure,
    health: deps.advice,
    note: (words) => {
      path.push(words);
      input.decide(() => words);
    },
    signal: input.signal,
    early: input.early,
  });
  if (isExhausted(result)) {
    const last = result.last;
    if (last) return { error: await errorOf(last.plan, last.reply), deployment: last.deployment, calls, path };
    return {
      error: result.error ?? { status: 503, kind: "server", message: "no deployment of the alias could serve" },
      calls,
      path,
    };
  }
  return { plan: result.plan, reply: result.reply, settle: result.settle, deployment: result.deployment, calls, path };
}

/** What every call of an admitted request shares: who asks, from where, its signal, its admission's early health and journal line, the model table, the decision log and the clock. */
export function callContext(
  ex: Exchange,
  models: CallInput<unknown>["models"],
  let_: Pick<Let, "early" | "journalled">,
): Pick<
  CallInput<unknown>,
  "principal" | "headers" | "signal" | "early" | "beforeSend" | "models" | "decide" | "timing"
> {
  const { trail } = ex;
  return {
    principal: trail.principal!,
    headers: ex.req.headers,
    signal: ex.signal,
    early: let_.early,
    beforeSend: let_.journalled,
    models,
    decide: (w) => trail.decide(w),
    timing: trail.timing,
  };
}

/** What the trail keeps of a call: the deployment that served (or failed last), the calls made, the route taken. */
export function attemptedOf(done: Pick<CallDone<unknown>, "deployment" | "reply" | "calls" | "path">) {
  const served = done.deployment;
  return {
    deployment: served,
    attempts: done.calls,
    route:
      served && done.reply
        ? [...new Set(done.path), `served by ${served.name}`].join("; ")
        : done.path.join("; ") || undefined,
  };
}
