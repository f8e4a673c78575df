import { jsonText } from "../http/json-text.js";
import { bodyOf, readWhole } from "../http/whole-body.js";
import { isObject } from "../ir/input-error.js";
import type { Json } from "../ir/types.js";
import type { Plan } from "../request/plan.js";
import type { LoopReply } from "../routing/attempt-loop.js";
import { UpstreamFailure, type UpstreamReply } from "../upstream/call.js";
import { StreamInspector } from "../upstream/inspect.js";

/**
 * The start of a successful reply, for the attempt loop: a streamed answer's first events are judged once
 * (src/upstream/inspect.ts) — a failure there (an in-stream error before any output) is one the loop can still
 * act on; a passthrough stream is also screened for its wire format, and watched for usage as it is relayed.
 * A connection that breaks meanwhile is an upstream failure like any. A whole Responses answer passed
 * through is read here (as it would be to answer it) for its id.
 */
export async function inspectStart(
  plan: Plan,
  reply: LoopReply,
): Promise<(UpstreamReply & { responseId?: string | undefined }) | { status: number; text: string }> {
  const whole = !plan.upstreamStream;
  if (whole && !(plan.passthrough && plan.client === "openai-responses")) return reply;
  try {
    if (whole) {
      const json = reply.whole?.json;
      if (json !== undefined) return { ...reply, responseId: isObject(json) ? idOf(json) : undefined };
      return { ...reply, ...(await wholeAnswer(reply.body)) };
    }
    const relayed = plan.passthrough && plan.clientStream;
    const inspector = new StreamInspector(plan.upstream, { screen: relayed, tap: relayed });
    const seen = await inspector.start(reply.body);
    if (seen.kind === "failure") return seen;
    return {
      ...reply,
      body: seen.body,
      responseId: seen.responseId,
      inspected: { screen: seen.screen, tap: inspector.tap },
    };
  } catch (err) {
    if (err instanceof UpstreamFailure) throw err;
    const message = `upstream ${plan.route.provider.name} broke off its answer: ${(err as Error).message}`;
    throw new UpstreamFailure({ status: 502, kind: "server", message });
  }
}

/** A whole JSON answer, read, given back as it came, with the Response id it names. */
async function wholeAnswer(
  body: AsyncIterable<Uint8Array>,
): Promise<{ body: AsyncIterable<Uint8Array>; responseId?: string }> {
  const bytes = await readWhole(body);
  let id: string | undefined;
  try {
    const parsed = JSON.parse(jsonText(bytes)) as Json;
    if (isObject(parsed)) id = idOf(parsed);
  } catch {
    // Not JSON: nothing to bind; it is answered as it came.
  }
  return { body: bodyOf(bytes), responseId: id };
}

const idOf = (v: { [k: string]: Json }): string | undefined => (typeof v.id === "string" ? v.id : undefined);
