import { randomUUID } from "node:crypto";
import { jsonBytes } from "../http/json-bytes.js";
import { readWhole } from "../http/whole-body.js";
import { decodedOr400 } from "../ir/input-error.js";
import type { ErrorInfo, Json, JsonObject } from "../ir/types.js";
import { costHeadersAfter, costHeadersBefore } from "../pipeline/cost-headers.js";
import { answerError, answerJson, type Exchange } from "../pipeline/exchange.js";
import { admitKind, type KindDeps, planKind, redacted } from "../pipeline/kind-admit.js";
import { attemptedOf, callContext, callThrough } from "../pipeline/kind-call.js";
import { guardKind } from "../pipeline/kind-guard.js";
import { warningsHeader } from "../pipeline/warnings-header.js";
import type { RequestBody } from "../request/body.js";
import type { Accepted } from "../request/route.js";
import { decodeRerank, type RerankAsk } from "./ask.js";
import { type RerankApi, readRerank, rerankApi, rerankBody, rerankRefusal, rerankUrl } from "./upstream.js";

function decode(read: RequestBody): RerankAsk | ErrorInfo {
  return decodedOr400(() => decodeRerank(read.json));
}

/**
 * POST /v1/rerank (Cohere v2's shape; Jina's and Voyage's are the same fields): plan → admit → the
 * upstream's rerank call through the attempt loop → the results, best first, in Cohere v2's shape (with the
 * documents when `return_documents` asks). Billed per search unit or per token, as the price list says.
 */
export async function rerank(ex: Exchange, accepted: Accepted, read: RequestBody, deps: KindDeps): Promise<void> {
  const { trail } = ex;
  const client = accepted.dialect;
  const ask = decode(read);
  if (!("query" in ask)) return answerError(ex, client, ask);
  trail.requested = ask.model;
  const planned = planKind(ask.model, "rerank", client, deps.models, ex, { stream: false, maxOutputTokens: 0 });
  if (!("plan" in planned)) return answerError(ex, client, planned);
  const { route, plan } = planned;
  // the guardrails: the query and documents scanned; a block refuses, a mask sends placeholders (the answer
  // names documents by index, and returns the client's own)
  const guarded = await guardKind(
    deps.guardrails,
    trail.principal!,
    route,
    plan,
    [
      { text: ask.query, location: "query" },
      ...ask.documents.map((d, i) => ({ text: d, location: `documents[${i}]` })),
    ],
    trail,
  );
  if (guarded.refused) return answerError(ex, client, guarded.refused, { outcome: "refused" });
  const sent: RerankAsk =
    guarded.mapping.size > 0 ? { ...ask, query: guarded.texts[0]!, documents: guarded.texts.slice(1) } : ask;
  const bytes = ask.documents.reduce((n, d) => n + Buffer.byteLength(d), Buffer.byteLength(ask.query));
  trail.decide(() => `rerank: ${ask.documents.length} documents (${bytes} bytes) for '${route.alias}'`);
  const let_ = await admitKind(ex, client, deps, route, plan, bytes);
  if (!let_) return;

  const done = await callThrough<RerankApi>(
    {
      route,
      kind: "rerank",
      plan: (r, target) => {
        const refused = rerankRefusal(r.provider);
        if (refused) return { status: 400, kind: "invalid_request", message: refused, param: "model" };
        const t = target(false);
        const api = rerankApi(t.url, r.settings, r.provider.type);
        return {
          route: r,
          url: rerankUrl(t.url, api),
          headers: t.headers,
          // A long list of documents is serialised one by one (src/http/json-bytes.ts), as a chat body is.
          body: jsonBytes(rerankBody(api, r.upstreamModel, sent)),
          dialect: api === "bedrock-cohere" ? r.provider.dialect : "openai-chat",
          screen: false,
          meta: api,
        };
      },
      ...callContext(ex, deps.models, let_),
    },
    deps.attempts,
  );
  trail.attempted = attemptedOf(done);
  plan.warnings.add("rerank", `${ask.documents.length} documents, ${bytes} bytes`);
  if (ex.signal.aborted) return;
  if (!done.reply)
    return answerError(
      ex,
      client,
      redacted(deps, ex, done.error ?? { status: 502, kind: "server", message: "no answer" }),
    );
  let json: Json = null;
  try {
    json = done.reply.whole
      ? done.reply.whole.json
      : (JSON.parse((await readWhole(done.reply.body, 64 << 20, "keep")).toString("utf8")) as Json);
  } catch {}
  const got = readRerank(json, ask.documents.length);
  await done.settle?.(typeof got === "string" ? "failed" : "ok");
  if (typeof got === "string") {
    const message = `upstream ${route.provider.name} answered a rerank llmux cannot read: ${got}`;
    return answerError(ex, client, { status: 502, kind: "server", message });
  }
  const estimated = got.tokens === undefined && got.searchUnits === undefined;
  trail.answer.usage = {
    inputTokens: got.tokens ?? Math.ceil(bytes / 4),
    outputTokens: 0,
    ...(got.searchUnits !== undefined ? { searchUnits: got.searchUnits } : {}),
    ...(estimated ? { estimated: true } : {}),
  };
  const top = ask.topN !== undefined ? got.results.slice(0, ask.topN) : got.results;
  const results = top.map((r) => {
    const one: JsonObject = { index: r.index, relevance_score: r.score };
    if (ask.returnDocuments) one.document = { text: ask.documents[r.index]! };
    return one;
  });
  const billed: JsonObject = {};
  if (got.searchUnits !== undefined) billed.search_units = got.searchUnits;
  if (got.tokens !== undefined) billed.input_tokens = got.tokens;
  const headers: Record<string, string> = { ...warningsHeader(plan) };
  if (trail.attempted.route) headers["llmux-route"] = trail.attempted.route.slice(0, 1000);
  if (deps.billing) {
    const soFar = { sessionNanos: await let_.sessionCost, budgetRemainingNanos: let_.admitted.budgetRemainingNanos };
    Object.assign(headers, costHeadersBefore(soFar), costHeadersAfter(deps.billing, plan, trail.answer, soFar));
  }
  answerJson(
    ex,
    200,
    {
      id: randomUUID(),
      model: ask.model,
      results,
      meta: { billed_units: billed },
      usage: { total_tokens: trail.answer.usage.inputTokens },
    },
    headers,
  );
}
