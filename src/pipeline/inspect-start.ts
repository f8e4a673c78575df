import { isObject } from "../ir/input-error.js";
import type { Json } from "../ir/types.js";
import type { Plan } from "../request/plan.js";
import type { LoopReply } from "../routing/attempt-loop.js";
import { UpstreamFailure } from "../upstream/call.js";
import { type Peeked, peek } from "../upstream/preamble.js";

/**
 * A streamed answer's first events: a failure there (an in-stream error before any output) is one the
 * attempt loop can still act on. A connection that breaks meanwhile is an upstream failure like any. A
 * whole Responses answer passed through is read here (as it would be to answer it) for its id.
 */
export async function inspectStart(
  plan: Plan,
  reply: LoopReply,
): Promise<(LoopReply & { responseId?: string | undefined }) | { status: number; text: string }> {
  const whole = !plan.upstreamStream;
  if (whole && !(plan.passthrough && plan.client === "openai-responses")) return reply;
  let seen: Peeked;
  try {
    seen = whole ? await wholeAnswer(reply.body) : await peek(plan.upstream, reply.body);
  } catch (err) {
    if (err instanceof UpstreamFailure) throw err;
    const message = `upstream ${plan.route.provider.name} broke off its answer: ${(err as Error).message}`;
    throw new UpstreamFailure({ status: 502, kind: "server", message });
  }
  return seen.kind === "failure" ? seen : { ...reply, body: seen.body, responseId: seen.responseId };
}

/** A whole JSON answer, read, given back as it came, with the Response id it names. */
async function wholeAnswer(body: AsyncIterable<Uint8Array>): Promise<Peeked> {
  const chunks: Uint8Array[] = [];
  for await (const c of body) chunks.push(c);
  let id: string | undefined;
  try {
    const parsed = JSON.parse(Buffer.concat(chunks).toString("utf8")) as Json;
    if (isObject(parsed) && typeof parsed.id === "string") id = parsed.id;
  } catch {
    // Not JSON: nothing to bind; it is answered as it came.
  }
  return {
    kind: "answer",
    responseId: id,
    body: (async function* () {
      yield* chunks;
    })(),
  };
}
