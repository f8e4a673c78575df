import { randomUUID } from "node:crypto";
import type { Block } from "../guardrails/blocks.js";
import { StreamUnmask, unmask } from "../guardrails/placeholder.js";
import { decodedOr400 } from "../ir/input-error.js";
import type { ErrorInfo } from "../ir/types.js";
import { costHeadersAfter, costHeadersBefore } from "../pipeline/cost-headers.js";
import { answerError, answerJson, type Exchange } from "../pipeline/exchange.js";
import { admitKind, type KindDeps, planKind, redacted } from "../pipeline/kind-admit.js";
import { attemptedOf, type CallPlan, callContext, callThrough } from "../pipeline/kind-call.js";
import { guardKind } from "../pipeline/kind-guard.js";
import { TurnHold } from "../pipeline/turn-hold.js";
import { warningsHeader } from "../pipeline/warnings-header.js";
import type { RequestBody } from "../request/body.js";
import type { Accepted } from "../request/route.js";
import { SSE_DONE, sseData } from "../sse/serialize.js";
import { upstreamCodecs } from "../translate/codecs.js";
import { chunkOf, type FimHead, wholeAnswer } from "./answer.js";
import { decodeFim, type FimAsk } from "./ask.js";
import { piecesOf } from "./pieces.js";
import { cleanAnswer, type FimMode, fimMode, nativeBody, nativeUrl, overChatRequest } from "./upstream.js";

/** The warning an answer made by fill-in-the-middle over chat carries (llmux-warnings, the log row). */
export const OVER_CHAT_WARNING =
  "fill-in-the-middle over chat: the model has no native fill-in-the-middle; its chat answer was cleaned of code fences and of text the suffix holds";

/** What fill-in-the-middle sends that is scanned: the prompt, then the suffix (when there is one). */
function fimBlocks(ask: FimAsk): Block[] {
  const out: Block[] = [{ text: ask.prompt, location: "prompt" }];
  if (ask.suffix !== undefined) out.push({ text: ask.suffix, location: "suffix" });
  return out;
}

function decode(accepted: Accepted, read: RequestBody): FimAsk | ErrorInfo {
  return decodedOr400(() => decodeFim(read.json, accepted.match.fim ? "fim" : "completions"));
}

/**
 * POST /v1/completions and /v1/fim/completions: plan → admit (the key's allow-list, limits and budgets) → the
 * upstream's own fill-in-the-middle call, or a chat request over its dialect's codec, through the attempt
 * loop → the answer in the client's shape, streamed as it comes (native) or once cleaned (over chat). A
 * client that goes away cancels the upstream call (its connection is closed); what was produced is billed,
 * as the upstream reported it or estimated (4 characters a token).
 */
export async function complete(ex: Exchange, accepted: Accepted, read: RequestBody, deps: KindDeps): Promise<void> {
  const { trail } = ex;
  const client = accepted.dialect;
  const asked = decode(accepted, read);
  if (!("prompt" in asked)) return answerError(ex, client, asked);
  trail.requested = asked.model;
  const planned = planKind(asked.model, "completion", client, deps.models, ex, {
    stream: asked.stream,
    maxOutputTokens: asked.maxTokens ?? 256,
  });
  if (!("plan" in planned)) return answerError(ex, client, planned);
  const { route, plan } = planned;
  // the guardrails: the prompt and suffix scanned; a block refuses, a mask sends placeholders (put back below)
  const guarded = await guardKind(deps.guardrails, trail.principal!, route, plan, fimBlocks(asked), trail);
  if (guarded.refused) return answerError(ex, client, guarded.refused, { outcome: "refused" });
  const ask: FimAsk =
    guarded.mapping.size > 0
      ? { ...asked, prompt: guarded.texts[0]!, ...(asked.suffix !== undefined ? { suffix: guarded.texts[1]! } : {}) }
      : asked;
  const restore = guarded.mapping.size > 0 ? new StreamUnmask(guarded.mapping) : undefined;
  const bytes = Buffer.byteLength(ask.prompt) + Buffer.byteLength(ask.suffix ?? "");
  const first = fimMode(route.provider, route.upstreamModel, route.settings);
  trail.decide(
    () =>
      `fim: ${bytes} bytes for '${route.alias}' → ${route.provider.name} (${first.mode === "native" ? first.api : "over chat"})`,
  );
  const let_ = await admitKind(ex, client, deps, route, plan, bytes);
  if (!let_) return;

  const done = await callThrough<FimMode>(
    {
      route,
      kind: "completion",
      plan: (r, target): CallPlan<FimMode> => {
        const mode = fimMode(r.provider, r.upstreamModel, r.settings);
        const t = target(true);
        if (mode.mode === "native")
          return {
            route: r,
            url: nativeUrl(mode.api, t.url),
            headers: t.headers,
            body: JSON.stringify(nativeBody(mode.api, r.upstreamModel, ask)),
            dialect: "openai-chat",
            screen: true,
            meta: mode,
          };
        const encoded = upstreamCodecs[r.provider.dialect].encodeRequest(overChatRequest(r.upstreamModel, ask), {
          ...r.provider.requestOptions(r.upstreamModel),
          noObfuscation: true,
        });
        return {
          route: r,
          url: t.url,
          headers: t.headers,
          body: JSON.stringify(encoded.value.body),
          dialect: r.provider.dialect,
          screen: true,
          meta: mode,
        };
      },
      ...callContext(ex, deps.models, let_),
    },
    deps.attempts,
  );
  trail.attempted = attemptedOf(done);
  if (!done.reply || !done.plan) {
    if (ex.signal.aborted) return;
    return answerError(
      ex,
      client,
      redacted(deps, ex, done.error ?? { status: 502, kind: "server", message: "no answer" }),
    );
  }
  const callPlan = done.plan;
  const overChat = callPlan.meta.mode === "chat";
  if (overChat) plan.warnings.add("fim_over_chat", OVER_CHAT_WARNING);
  plan.warnings.add(
    "fim",
    `prompt ${Buffer.byteLength(ask.prompt)} bytes, suffix ${Buffer.byteLength(ask.suffix ?? "")} bytes`,
  );

  const head: FimHead = {
    id: `${ask.shape === "fim" ? "fim" : "cmpl"}-${randomUUID().replaceAll("-", "")}`,
    model: ask.model,
    created: Math.floor(Date.now() / 1000),
  };
  const headers: Record<string, string> = { ...warningsHeader(plan) };
  if (trail.attempted.route) headers["llmux-route"] = trail.attempted.route.slice(0, 1000);
  const soFar = { sessionNanos: await let_.sessionCost, budgetRemainingNanos: let_.admitted.budgetRemainingNanos };
  if (deps.billing) Object.assign(headers, costHeadersBefore(soFar));

  // Relayed as it comes: a native stream to a streaming client; anything else is gathered first.
  const relay = ask.stream && !overChat;
  // The events made from one upstream chunk (a few characters each) and the end leave in one write (node's own
  // hold of a response's writes lasts one tick, and these come async iterations apart: they left in two).
  const turn = new TurnHold(ex.res);
  if (relay) {
    ex.res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", ...headers });
    trail.answer.status = 200;
  }
  let text = "";
  let finish: "stop" | "length" = "stop";
  let usage: { input: number; output: number } | undefined;
  let failure: string | undefined;
  try {
    for await (const p of piecesOf(callPlan, done.reply)) {
      if (ex.signal.aborted) break;
      if (p.usage) usage = p.usage;
      if (p.finish) finish = p.finish;
      if (p.text) {
        text += p.text;
        trail.answer.outputChars += p.text.length;
        // Relayed with the masked values put back (a placeholder cut between events is held until whole).
        const out = relay && restore ? restore.push(p.text) : p.text;
        if (relay && out) {
          trail.answer.firstByteAt ??= performance.now();
          turn.hold();
          ex.res.write(sseData(JSON.stringify(chunkOf(ask.shape, head, out))));
        }
      }
    }
  } catch (err) {
    failure = (err as Error).message;
  }
  const held = relay && restore ? restore.flush() : "";
  if (held && !ex.signal.aborted) ex.res.write(sseData(JSON.stringify(chunkOf(ask.shape, head, held))));
  const gone = ex.signal.aborted;
  await done.settle?.(gone ? "gone" : failure ? "failed" : "ok");
  // Billed for what the upstream reported, else estimated (4 characters a token) from what was produced.
  const estimated = !usage;
  const used = usage ?? { input: Math.ceil(bytes / 4), output: Math.ceil(text.length / 4) };
  trail.answer.usage = {
    inputTokens: used.input,
    outputTokens: used.output,
    ...(estimated ? { estimated: true } : {}),
  };
  if (gone) return;
  if (failure && !relay)
    return answerError(ex, client, redacted(deps, ex, { status: 502, kind: "server", message: failure }));
  if (relay) {
    if (failure) trail.answer.reason = failure;
    turn.hold();
    ex.res.write(sseData(JSON.stringify(chunkOf(ask.shape, head, "", finish, used))));
    ex.res.end(SSE_DONE);
    return;
  }
  const cleaned = overChat ? cleanAnswer(text, ask.prompt, ask.suffix) : text;
  const answer = guarded.mapping.size > 0 ? unmask(cleaned, guarded.mapping) : cleaned;
  if (ask.stream) {
    ex.res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", ...headers });
    trail.answer.status = 200;
    trail.answer.firstByteAt = performance.now();
    if (answer) ex.res.write(sseData(JSON.stringify(chunkOf(ask.shape, head, answer))));
    ex.res.write(sseData(JSON.stringify(chunkOf(ask.shape, head, "", finish, used))));
    ex.res.end(SSE_DONE);
    return;
  }
  if (deps.billing) Object.assign(headers, costHeadersAfter(deps.billing, plan, trail.answer, soFar));
  answerJson(ex, 200, wholeAnswer(ask.shape, head, answer, finish, used), headers);
}
