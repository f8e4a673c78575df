import { jsonText } from "../http/json-text.js";
import { readWhole } from "../http/whole-body.js";
import type { ErrorInfo, Json } from "../ir/types.js";
import type { AttemptsDeps } from "../pipeline/attempts.js";
import { type CallInput, type CallPlan, callThrough } from "../pipeline/kind-call.js";
import type { UpstreamTarget } from "../providers/types.js";
import type { LoopReply } from "../routing/attempt-loop.js";
import type { Deployment } from "../routing/deployments.js";
import type { Route } from "../routing/model-table.js";
import type { EmbedAsk, EmbedInput } from "./ask.js";
import { type EmbedReply, embedBody, embedUrl, readReply } from "./upstream-body.js";
import { type EmbedDialect, embedUpstream } from "./upstream-shape.js";

/** A batch's result: its vectors (or the error), the deployment that served and the calls made. */
export interface BatchDone {
  readonly reply?: EmbedReply | undefined;
  readonly error?: ErrorInfo | undefined;
  readonly deployment?: Deployment | undefined;
  readonly model?: string | undefined;
  readonly calls: number;
  readonly path: readonly string[];
}

/** One batch of a request: its inputs, and what every call of the request shares (src/pipeline/kind-call.ts). */
export interface BatchInput
  extends Pick<
    CallInput<EmbedDialect>,
    "route" | "principal" | "headers" | "signal" | "early" | "beforeSend" | "models" | "decide" | "timing"
  > {
  readonly inputs: readonly EmbedInput[];
  readonly ask: EmbedAsk;
}

/** Upstreams that answer base64 float32 when asked (OpenAI's own API and Azure's). */
const base64 = (type: string) => type === "openai" || type === "azure";

/** One batch's call planned for a deployment: the embeddings URL and body of its upstream's shape. */
function planFor(
  route: Route,
  target: (stream: boolean) => UpstreamTarget,
  input: BatchInput,
): CallPlan<EmbedDialect> | ErrorInfo {
  const up = embedUpstream(route.provider, route.upstreamModel, route.settings);
  if (typeof up === "string") return { status: 400, kind: "invalid_request", message: up, param: "model" };
  const chat = target(false);
  const url = embedUrl(up.dialect, chat, route.upstreamModel);
  return {
    route,
    url,
    headers: chat.headers,
    body: embedBody(up.dialect, route.upstreamModel, input.inputs, input.ask, url, base64(route.provider.type)),
    dialect: route.provider.dialect,
    screen: false,
    meta: up.dialect,
  };
}

async function textOf(reply: LoopReply): Promise<string> {
  if (reply.whole) return reply.whole.text;
  // jsonText: the same string JSON.parse reads, made without decoding the (ASCII) base64 vectors as UTF-8.
  return jsonText(await readWhole(reply.body, 1 << 20, "keep"));
}

/**
 * One batch of inputs through the attempt loop (src/pipeline/kind-call.ts): the alias's deployments in its
 * routing's order, retries and fallback aliases (of the embedding kind), each deployment's health and
 * cooldowns, as a chat request gets; the serving answer read as its upstream's vectors.
 */
export async function embedBatch(input: BatchInput, deps: AttemptsDeps): Promise<BatchDone> {
  const result = await callThrough<EmbedDialect>(
    { ...input, kind: "embedding", label: "embeddings", plan: (route, target) => planFor(route, target, input) },
    deps,
  );
  const { calls, path } = result;
  if (!result.reply || !result.plan) return { error: result.error, deployment: result.deployment, calls, path };
  const { plan, reply, deployment } = result;
  const settle = result.settle!;
  try {
    const text = await textOf(reply);
    let json: Json;
    try {
      json = reply.whole ? reply.whole.json : (JSON.parse(text) as Json);
    } catch {
      json = null;
    }
    const read = readReply(plan.meta, json, input.inputs.length);
    if (typeof read === "string") {
      await settle("failed");
      const message = `upstream ${plan.route.provider.name} answered embeddings llmux cannot read: ${read}`;
      return { error: { status: 502, kind: "server", message }, deployment, calls, path };
    }
    await settle("ok");
    // Bedrock says the tokens of an InvokeModel call in a header (Cohere Embed's body has none).
    const counted = Number(reply.headers["x-amzn-bedrock-input-token-count"]);
    const tokens = read.tokens ?? (Number.isInteger(counted) && counted >= 0 ? counted : undefined);
    return { reply: { ...read, tokens }, deployment, model: plan.route.upstreamModel, calls, path };
  } catch (err) {
    await settle(input.signal.aborted ? "gone" : "failed");
    throw err;
  }
}
