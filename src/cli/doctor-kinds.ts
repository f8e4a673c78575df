/**
 * `llmux doctor` on the aliases that are not chat models: one tiny call to each one's first deployment,
 * written as llmux's own route for that kind writes it (src/embeddings, src/completions, src/rerank: rooms
 * above the doctor's, so the call is made here and handed to it as its KindProbe).
 * - embedding: one short text, read back as one vector;
 * - completion: a few characters of code with a suffix, natively (OpenAI-compatible `/completions`,
 *   Mistral's `/fim/completions`) or over chat (`completions.mode: chat`), at most 16 tokens;
 * - rerank: a query and two documents, read back as their scores.
 */

import { fimMode, nativeBody, nativePiece, nativeUrl, overChatRequest } from "../completions/upstream.js";
import type { PlannedKind } from "../doctor/plan.js";
import { probe } from "../doctor/probe.js";
import type { KindProbe } from "../doctor/run.js";
import type { CheckResult, Usage } from "../doctor/types.js";
import { embedBody, embedUrl, readReply } from "../embeddings/upstream-body.js";
import { embedUpstream } from "../embeddings/upstream-shape.js";
import { readWhole } from "../http/whole-body.js";
import type { Json } from "../ir/types.js";
import { Warnings } from "../ir/warnings.js";
import { readRerank, rerankApi, rerankBody, rerankRefusal, rerankUrl } from "../rerank/upstream.js";
import { callUpstream, UpstreamFailure } from "../upstream/call.js";

const EMBED_TEXT = "llmux doctor";
const FIM = { prompt: "def add(a, b):\n    return ", suffix: "\n", maxTokens: 16 } as const;
const RERANK = { query: "Which one is a fruit?", documents: ["an apple", "a bicycle"] } as const;

type Ctx = Parameters<KindProbe>[1];
type Found = { result: CheckResult; used: Usage };

/** No call sent. */
const none: Usage = { requests: 0, input: 0, output: 0, nanos: 0 };
/** One call sent, nothing counted from its answer. */
const sent: Usage = { requests: 1, input: 0, output: 0, nanos: 0 };

const short = (s: string, n = 300) => (s.length > n ? `${s.slice(0, n)}…` : s);

function usedOf(k: PlannedKind, ctx: Ctx, input: number, output: number, searchUnits = 0): Usage {
  const price = ctx.prices.find(k.model);
  const nanos = price
    ? Math.round((input * price.input + output * price.output + searchUnits * (price.search_unit ?? 0) * 1e6) * 1000)
    : 0;
  return { requests: 1, input, output, nanos };
}

const fail = (summary: string, upstream: string | undefined, k: PlannedKind): CheckResult => ({
  mark: "fail",
  summary,
  ...(upstream ? { upstream } : {}),
  fix: `check models.${k.alias} (provider ${k.provider.name}, model ${k.model}) and the provider's key; llmux doctor --model ${k.alias} probes it alone`,
});

/** Sends one call and reads its whole answer: the status and text, or why no answer came. */
async function send(
  k: PlannedKind,
  ctx: Ctx,
  target: { url: string; headers: Record<string, string> },
  body: string | Buffer,
): Promise<{ status: number; text: string; headers: Record<string, unknown> } | { error: string }> {
  const signal = AbortSignal.timeout(ctx.timeoutMs);
  try {
    const reply = await callUpstream(ctx.pool, k.provider, target, body, signal);
    const text = (await readWhole(reply.body, 1 << 20, "keep")).toString("utf8");
    return { status: reply.status, text, headers: reply.headers };
  } catch (err) {
    if (signal.aborted) return { error: `no answer in ${ctx.timeoutMs} ms` };
    return { error: err instanceof UpstreamFailure ? err.info.message : (err as Error).message };
  }
}

function target(k: PlannedKind, stream: boolean) {
  return k.provider.target(k.model, { stream, clientHeaders: {}, sameDialect: false, warnings: new Warnings() });
}

const parse = (text: string): Json => {
  try {
    return JSON.parse(text) as Json;
  } catch {
    return null;
  }
};

async function embedding(k: PlannedKind, ctx: Ctx): Promise<Found> {
  const up = embedUpstream(k.provider, k.model, k.settings);
  if (typeof up === "string") return { result: fail("llmux cannot embed with this upstream", up, k), used: none };
  const chat = target(k, false);
  const url = embedUrl(up.dialect, chat, k.model);
  const base64 = k.provider.type === "openai" || k.provider.type === "azure";
  const body = embedBody(up.dialect, k.model, [EMBED_TEXT], {}, url, base64);
  const r = await send(k, ctx, { url, headers: chat.headers }, body);
  if ("error" in r) return { result: fail("no answer", r.error, k), used: sent };
  const tokensGuess = Math.ceil(EMBED_TEXT.length / 4);
  if (r.status >= 400) return { result: fail(`the upstream answered ${r.status}`, short(r.text), k), used: sent };
  const read = readReply(up.dialect, parse(r.text), 1);
  if (typeof read === "string") return { result: fail("an answer llmux cannot read", read, k), used: sent };
  const tokens = read.tokens ?? (Number(r.headers["x-amzn-bedrock-input-token-count"]) || tokensGuess);
  return {
    result: { mark: "ok", summary: `one input embedded: a vector of ${read.vectors[0]?.length ?? 0} dimensions` },
    used: usedOf(k, ctx, tokens, 0),
  };
}

/** The text and usage of a native FIM stream (or whole answer). */
function readNative(text: string): { text: string; usage?: { input: number; output: number } | undefined } {
  let out = "";
  let usage: { input: number; output: number } | undefined;
  const take = (json: Json) => {
    const p = nativePiece(json);
    if (p?.text) out += p.text;
    if (p?.usage) usage = p.usage;
  };
  if (text.trimStart().startsWith("{")) take(parse(text));
  else
    for (const line of text.split("\n")) {
      const data = line.startsWith("data:") ? line.slice(5).trim() : "";
      if (data && data !== "[DONE]") take(parse(data));
    }
  return { text: out, usage };
}

async function completion(k: PlannedKind, ctx: Ctx): Promise<Found> {
  const ask = { model: k.alias, ...FIM, stream: true, shape: "completions" as const };
  const mode = fimMode(k.provider, k.model, k.settings);
  if (mode.mode === "chat") {
    const o = await probe({
      pool: ctx.pool,
      provider: k.provider,
      model: k.model,
      request: overChatRequest(k.model, ask),
      timeoutMs: ctx.timeoutMs,
    });
    if (!o.ok) {
      const words = o.upstreamText || o.error.message;
      return { result: fail(`over chat: the upstream answered ${o.status ?? "nothing"}`, words, k), used: sent };
    }
    const u = o.response.usage;
    return {
      result: { mark: "ok", summary: "filled in over chat (completions.mode: chat)" },
      used: usedOf(k, ctx, u?.inputTokens ?? 0, u?.outputTokens ?? 0),
    };
  }
  const chat = target(k, true);
  const url = nativeUrl(mode.api, chat.url);
  const r = await send(k, ctx, { url, headers: chat.headers }, JSON.stringify(nativeBody(mode.api, k.model, ask)));
  const where = mode.api === "mistral" ? "/fim/completions" : "/completions";
  if ("error" in r) return { result: fail(`no answer at ${where}`, r.error, k), used: sent };
  if (r.status >= 400) {
    const hint = r.status === 404 ? ` (no ${where} here: set completions.mode: chat for a chat-only model)` : "";
    return { result: fail(`the upstream answered ${r.status} at ${where}${hint}`, short(r.text), k), used: sent };
  }
  const read = readNative(r.text);
  return {
    result: { mark: "ok", summary: `filled in natively (${where}, ${read.text.length} characters)` },
    used: usedOf(k, ctx, read.usage?.input ?? 0, read.usage?.output ?? 0),
  };
}

async function rerank(k: PlannedKind, ctx: Ctx): Promise<Found> {
  const chat = target(k, false);
  const refused = rerankRefusal(k.provider);
  if (refused) return { result: fail("llmux cannot rerank with this upstream", refused, k), used: none };
  const api = rerankApi(chat.url, k.settings, k.provider.type);
  const url = rerankUrl(chat.url, api);
  const body = rerankBody(api, k.model, { model: k.alias, ...RERANK, returnDocuments: false });
  const r = await send(k, ctx, { url, headers: chat.headers }, JSON.stringify(body));
  if ("error" in r) return { result: fail("no answer", r.error, k), used: sent };
  if (r.status >= 400) return { result: fail(`the upstream answered ${r.status}`, short(r.text), k), used: sent };
  const read = readRerank(parse(r.text), RERANK.documents.length);
  if (typeof read === "string") return { result: fail("an answer llmux cannot read", read, k), used: sent };
  return {
    result: { mark: "ok", summary: `${read.results.length} documents scored (${api} API)` },
    used: usedOf(k, ctx, read.tokens ?? 0, 0, read.searchUnits ?? 0),
  };
}

/** The doctor's probe of embedding, completion and rerank aliases. */
export const kindProbe: KindProbe = async (k, ctx) => {
  const fn = k.kind === "embedding" ? embedding : k.kind === "completion" ? completion : rerank;
  try {
    return await fn(k, ctx);
  } catch (err) {
    return {
      result: fail("the probe failed", (err as Error).message, k),
      used: { requests: 1, input: 0, output: 0, nanos: 0 },
    };
  }
};
