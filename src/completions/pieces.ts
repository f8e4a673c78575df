import type { StreamEvent } from "../ir/types.js";
import type { CallPlan } from "../pipeline/kind-call.js";
import type { LoopReply } from "../routing/attempt-loop.js";
import { eventJson } from "../sse/event-json.js";
import { SseParser } from "../sse/parser.js";
import { upstreamCodecs } from "../translate/codecs.js";
import { type FimMode, type FimPiece, nativePiece } from "./upstream.js";

/**
 * The pieces of an upstream's answer as they come: a native FIM stream's events (or a whole JSON answer), or
 * a chat stream's text deltas, finish and usage read by the upstream dialect's own stream decoder.
 */
export async function* piecesOf(plan: CallPlan<FimMode>, reply: LoopReply): AsyncGenerator<FimPiece> {
  if (reply.whole) {
    const p = nativePiece(reply.whole.json);
    if (p) yield p;
    return;
  }
  const parser = new SseParser();
  const out: FimPiece[] = [];
  let onEvent: (ev: { data: string; event?: string }) => void;
  let finish: () => void;
  if (plan.meta.mode === "native") {
    onEvent = (ev) => {
      if (ev.data === "[DONE]") return;
      const p = nativePiece(eventJson(ev.data));
      if (p) out.push(p);
    };
    finish = () => undefined;
  } else {
    const decoder = upstreamCodecs[plan.dialect].createDecoder({});
    const sink = (e: StreamEvent) => {
      if (e.type === "delta" && e.kind === "text") out.push({ text: e.text });
      else if (e.type === "usage") out.push({ usage: { input: e.usage.inputTokens, output: e.usage.outputTokens } });
      else if (e.type === "end") {
        const u = e.usage;
        out.push({
          finish: e.stopReason === "max_tokens" ? "length" : "stop",
          usage: u ? { input: u.inputTokens, output: u.outputTokens } : undefined,
        });
      } else if (e.type === "error") throw new Error(e.error.message);
    };
    onEvent = (ev) => decoder.event(ev, sink);
    finish = () => decoder.end(sink);
  }
  for await (const chunk of reply.body) {
    parser.push(chunk, onEvent);
    while (out.length > 0) yield out.shift()!;
  }
  parser.end(onEvent);
  finish();
  while (out.length > 0) yield out.shift()!;
}
