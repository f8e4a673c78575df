import { readWhole } from "../http/whole-body.js";
import type { Principal } from "../identity/principal.js";
import { isObject } from "../ir/input-error.js";
import type { ErrorInfo, Json } from "../ir/types.js";
import { Warnings } from "../ir/warnings.js";
import { wrongRoute } from "../models/alias-kind.js";
import type { AttemptsDeps } from "../pipeline/attempts.js";
import { type RequestTiming, startAttempt } from "../request/timing.js";
import { attemptLoop, isExhausted, type LoopReply } from "../routing/attempt-loop.js";
import type { Deployment } from "../routing/deployments.js";
import type { Availability } from "../routing/health.js";
import { onDeployment, type Route } from "../routing/model-table.js";
import { upstreamCodecs } from "../translate/codecs.js";
import { callUpstream, UpstreamFailure } from "../upstream/call.js";
import type { EmbedAsk, EmbedInput } from "./ask.js";
import { type EmbedReply, embedBody, embedUrl, readReply } from "./upstream-body.js";
import { type EmbedDialect, embedUpstream } from "./upstream-shape.js";

/** One batch's call, planned for one deployment. */
interface BatchPlan {
  readonly route: Route;
  readonly dialect: EmbedDialect;
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/** A batch's result: its vectors (or the error), the deployment that served and the calls made. */
export interface BatchDone {
  readonly reply?: EmbedReply | undefined;
  readonly error?: ErrorInfo | undefined;
  readonly deployment?: Deployment | undefined;
  readonly model?: string | undefined;
  readonly calls: number;
  readonly path: readonly string[];
}

export interface BatchInput {
  readonly route: Route;
  readonly inputs: readonly EmbedInput[];
  readonly ask: EmbedAsk;
  readonly principal: Principal;
  readonly headers: import("node:http").IncomingHttpHeaders;
  readonly signal: AbortSignal;
  readonly early?: ReadonlyMap<string, Promise<Availability>> | undefined;
  readonly beforeSend?: Promise<void> | undefined;
  readonly models: { resolve(name: string): Route | undefined };
  readonly decide: (words: () => string) => void;
  /** The observers' clock: each call is timed on it (metrics, traces, the overhead header). */
  readonly timing?: RequestTiming | undefined;
}

/** Upstreams that answer base64 float32 when asked (OpenAI's own API and Azure's). */
const base64 = (type: string) => type === "openai" || type === "azure";

function planFor(route: Route, d: Deployment, input: BatchInput): BatchPlan | ErrorInfo {
  const r = onDeployment(route, d);
  const up = embedUpstream(r.provider, r.upstreamModel, r.settings);
  if (typeof up === "string") return { status: 400, kind: "invalid_request", message: up, param: "model" };
  const provider = r.provider.forModel?.(r.upstreamModel) ?? r.provider;
  const chat = provider.target(r.upstreamModel, {
    stream: false,
    callerKey: input.principal.credentials?.get(provider.name) ?? input.principal.callerKey,
    clientHeaders: input.headers,
    sameDialect: false,
    warnings: new Warnings(),
  });
  const url = embedUrl(up.dialect, chat, r.upstreamModel);
  return {
    route: { ...r, provider },
    dialect: up.dialect,
    url,
    headers: chat.headers,
    body: embedBody(up.dialect, r.upstreamModel, input.inputs, input.ask, url, base64(provider.type)),
  };
}

async function textOf(reply: LoopReply): Promise<string> {
  if (reply.whole) return reply.whole.text;
  return (await readWhole(reply.body, 1 << 20, "keep")).toString("utf8");
}

/** An upstream's error answer as the error the client is told (in its own dialect, by the caller). */
async function errorOf(plan: BatchPlan, reply: LoopReply): Promise<ErrorInfo> {
  const text = await textOf(reply).catch(() => "");
  let json: Json = null;
  try {
    json = JSON.parse(text) as Json;
  } catch {}
  if (isObject(json)) return upstreamCodecs[plan.route.provider.dialect].decodeError(reply.status, json);
  return { status: reply.status, kind: "server", message: `upstream answered ${reply.status}: ${text.slice(0, 300)}` };
}

/**
 * One batch of inputs through the attempt loop: the alias's deployments in its routing's order, retries and
 * fallback aliases (of the embedding kind), each deployment's health and cooldowns, as a chat request gets.
 */
export async function embedBatch(input: BatchInput, deps: AttemptsDeps): Promise<BatchDone> {
  const path: string[] = [];
  let calls = 0;
  const result = await attemptLoop<BatchPlan, Route>(input.route, {
    plan: async (route, d) => planFor(route, d, input),
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
        undefined,
        clock,
      );
      input.decide(() => `embeddings: ${plan.route.provider.name} answered ${reply.status}`);
      return reply;
    },
    fallback: (alias) => {
      const r = input.models.resolve(alias);
      if (!r || wrongRoute(alias, r.settings, "embedding")) return undefined;
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
  const { plan, reply, deployment } = result;
  try {
    const text = await textOf(reply);
    let json: Json;
    try {
      json = reply.whole ? reply.whole.json : (JSON.parse(text) as Json);
    } catch {
      json = null;
    }
    const read = readReply(plan.dialect, json, input.inputs.length);
    if (typeof read === "string") {
      await result.settle("failed");
      const message = `upstream ${plan.route.provider.name} answered embeddings llmux cannot read: ${read}`;
      return { error: { status: 502, kind: "server", message }, deployment, calls, path };
    }
    await result.settle("ok");
    // Bedrock says the tokens of an InvokeModel call in a header (Cohere Embed's body has none).
    const counted = Number(reply.headers["x-amzn-bedrock-input-token-count"]);
    const tokens = read.tokens ?? (Number.isInteger(counted) && counted >= 0 ? counted : undefined);
    return { reply: { ...read, tokens }, deployment, model: plan.route.upstreamModel, calls, path };
  } catch (err) {
    await result.settle(input.signal.aborted ? "gone" : "failed");
    throw err;
  }
}
