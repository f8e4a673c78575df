import { signalOf } from "../http/abort-flag.js";
import { decodedOr400 } from "../ir/input-error.js";
import type { ErrorInfo } from "../ir/types.js";
import { costHeadersAfter, costHeadersBefore } from "../pipeline/cost-headers.js";
import { answerError, answerJsonBytes, type Exchange } from "../pipeline/exchange.js";
import { admitKind, type KindDeps, redacted } from "../pipeline/kind-admit.js";
import { callContext } from "../pipeline/kind-call.js";
import { guardKind } from "../pipeline/kind-guard.js";
import { warningsHeader } from "../pipeline/warnings-header.js";
import type { RequestBody } from "../request/body.js";
import type { Accepted } from "../request/route.js";
import { answerBytes } from "./answer.js";
import { type EmbedAsk, inputBytes } from "./ask.js";
import { type BatchDone, embedBatch } from "./batch-call.js";
import { type CacheSettings, digestOf, type VectorStore } from "./cache.js";
import { batchesOf, fanOut } from "./fan-out.js";
import { decodeGemini, decodeOpenAI } from "./inbound.js";
import { planEmbed } from "./plan.js";
import { fromBase64, toBase64, type Vector } from "./vectors.js";

/** What the embeddings route needs from the gateway: the generation's admission, routing and billing parts. */
export interface EmbedDeps extends KindDeps {
  /** Where cached vectors live: the data layer's table (when llmux has a database) and the hot state. */
  readonly vectors: { readonly data?: VectorStore | undefined; readonly hot: VectorStore };
}

/** The response header that counts the inputs answered from the embeddings cache. */
export const CACHE_HITS_HEADER = "llmux-embeddings-cached";

function decode(accepted: Accepted, body: RequestBody): EmbedAsk | ErrorInfo {
  return decodedOr400(() =>
    accepted.dialect === "gemini"
      ? decodeGemini(body.json, accepted.match.model ?? "", accepted.match.batch === true)
      : decodeOpenAI(body.json, accepted.match.model),
  );
}

/** The inputs with the texts at `at` replaced by their masked forms. */
function maskedInputs(ask: EmbedAsk, at: readonly number[], texts: readonly string[]): EmbedAsk["inputs"] {
  const out = [...ask.inputs];
  at.forEach((i, k) => {
    out[i] = texts[k]!;
  });
  return out;
}

function storeOf(deps: EmbedDeps, s: CacheSettings): VectorStore {
  return s.store === "data" && deps.vectors.data ? deps.vectors.data : deps.vectors.hot;
}

/**
 * POST /v1/embeddings, Azure's deployment path, Gemini's `:embedContent` and `:batchEmbedContents`: plan →
 * admit (the key's allow-list, limits and budgets) → the cache (opt-in) → the inputs not cached, in batches
 * the upstream takes, through the attempt loop with bounded concurrency → the answer in the client's shape.
 * The request's usage (inputs paid for; cached ones cost nothing) is left on the trail for the settle stage.
 */
export async function embed(ex: Exchange, accepted: Accepted, read: RequestBody, deps: EmbedDeps): Promise<void> {
  const { trail } = ex;
  const client = accepted.dialect;
  const principal = trail.principal!;
  const asked = decode(accepted, read);
  if (!("inputs" in asked)) return answerError(ex, client, asked);
  trail.requested = asked.model;
  if (trail.duplicateTag !== undefined)
    return answerError(ex, client, {
      status: 400,
      kind: "invalid_request",
      message: `The llmux-tags header names the tag key '${trail.duplicateTag}' more than once: give each key one value.`,
      param: "llmux-tags",
    });
  const planned = planEmbed(asked, client, deps.models, principal);
  if (!("plan" in planned)) return answerError(ex, client, planned);
  const { route, upstream, plan } = planned;
  trail.plan = plan;
  // the guardrails: the text inputs scanned; a block refuses, a mask sends placeholders (vectors need no restore)
  const texts = asked.inputs.flatMap((x, i) => (typeof x === "string" ? [i] : []));
  const guarded = await guardKind(
    deps.guardrails,
    principal,
    route,
    plan,
    texts.map((i) => ({ text: asked.inputs[i] as string, location: asked.inputs.length > 1 ? `input ${i}` : "input" })),
    trail,
  );
  if (guarded.refused) return answerError(ex, client, guarded.refused, { outcome: "refused" });
  const ask: EmbedAsk =
    guarded.mapping.size > 0 ? { ...asked, inputs: maskedInputs(asked, texts, guarded.texts) } : asked;
  const count = ask.inputs.length;
  const bytes = ask.inputs.reduce((n, i) => n + inputBytes(i), 0);
  trail.decide(() => `embeddings: ${count} inputs (${bytes} bytes) for '${route.alias}' → ${route.provider.name}`);

  // admit: the key's allow-list, limits and budgets, as a chat request's
  const let_ = await admitKind(ex, client, deps, route, plan, bytes);
  if (!let_) return;
  const { admitted, sessionCost } = let_;

  // the cache: identical (upstream model, dimensions, input) answered without a call
  const vectors: (Vector | undefined)[] = new Array(count);
  const cache = route.settings.embeddings?.cache;
  const digests = cache ? ask.inputs.map((i) => digestOf(route.upstreamModel, ask.dimensions, i)) : undefined;
  let hits = 0;
  if (cache && digests) {
    const found = await storeOf(deps, cache)
      .get(route.alias, digests, cache)
      .catch(() => [] as (string | undefined)[]);
    found.forEach((v, i) => {
      const vec = v === undefined ? undefined : fromBase64(v);
      if (vec) {
        vectors[i] = vec;
        hits++;
      }
    });
    trail.decide(() => `embeddings cache: ${hits} of ${count} inputs held`);
  }

  // the rest, each distinct input once, in batches the upstream takes, a few calls at once
  const missing = new Map<string, number[]>();
  ask.inputs.forEach((input, i) => {
    if (vectors[i]) return;
    const key = typeof input === "string" ? `s${input}` : `t${input.join(",")}`;
    const at = missing.get(key);
    if (at) at.push(i);
    else missing.set(key, [i]);
  });
  const todo = [...missing.values()];
  const batches = batchesOf(todo, upstream.maxBatch);
  let tokens = 0;
  let estimated = false;
  let done: BatchDone[] = [];
  const cacheable: number[] = [];
  let failure: ErrorInfo | undefined;
  const stop = new AbortController();
  const signal = AbortSignal.any([signalOf(ex.signal), stop.signal]);
  if (batches.length > 0) {
    const concurrency = route.settings.embeddings?.concurrency ?? 4;
    done = await fanOut(batches, concurrency, async (batch, b) => {
      const inputs = batch.map((at) => ask.inputs[at[0]!]!);
      const r = await embedBatch(
        {
          ...callContext(ex, deps.models, let_),
          route,
          inputs,
          ask,
          signal,
          early: b === 0 ? let_.early : undefined,
        },
        deps.attempts,
      );
      if (r.error) {
        failure ??= r.error;
        stop.abort();
        return r;
      }
      const reply = r.reply!;
      // Only vectors of the model the cache is keyed by are kept (a deployment of another model may serve).
      const keep = r.model === route.upstreamModel;
      batch.forEach((at, k) => {
        for (const i of at) vectors[i] = reply.vectors[k];
        if (keep) cacheable.push(at[0]!);
      });
      if (reply.tokens !== undefined) tokens += reply.tokens;
      else {
        tokens += inputs.reduce<number>((n, i) => n + Math.ceil(inputBytes(i) / 4), 0);
        estimated = true;
      }
      return r;
    });
  }
  const served = done.find((d) => d.deployment && d.reply)?.deployment ?? done.find((d) => d.deployment)?.deployment;
  const calls = done.reduce((n, d) => n + d.calls, 0);
  const path = done.flatMap((d) => d.path);
  trail.attempted = {
    deployment: served,
    attempts: calls,
    route: served ? [...new Set(path), `served by ${served.name}`].join("; ") : path.join("; ") || undefined,
  };
  trail.answer.usage = { inputTokens: tokens, outputTokens: 0, ...(estimated ? { estimated: true } : {}) };
  // The request-log row says what was embedded (the inputs' count and size, never the texts or vectors) and
  // what the cache answered, at no cost.
  plan.warnings.add(
    "embeddings",
    `${count} inputs, ${bytes} bytes${cache ? `; ${hits} answered from the embeddings cache at no cost` : ""}`,
  );
  if (ex.signal.aborted) return;
  if (failure) return answerError(ex, client, redacted(deps, ex, failure));

  // fresh vectors kept for the next time (a store that fails costs the answer nothing)
  if (cache && digests) {
    const fresh = cacheable.map((i) => ({ digest: digests[i]!, vector: toBase64(vectors[i]!) }));
    if (fresh.length > 0)
      await storeOf(deps, cache)
        .put(route.alias, fresh, cache)
        .catch(() => undefined);
  }
  const headers: Record<string, string> = { ...warningsHeader(plan) };
  if (cache) headers[CACHE_HITS_HEADER] = String(hits);
  if (trail.attempted.route) headers["llmux-route"] = trail.attempted.route.slice(0, 1000);
  if (deps.billing) {
    const soFar = { sessionNanos: await sessionCost, budgetRemainingNanos: admitted.budgetRemainingNanos };
    Object.assign(headers, costHeadersBefore(soFar), costHeadersAfter(deps.billing, plan, trail.answer, soFar));
  }
  answerJsonBytes(ex, 200, answerBytes(ask, { vectors, tokens }), headers);
}
