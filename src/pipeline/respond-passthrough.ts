import { forwardedHeaders } from "../http/reply.js";
import { readWhole } from "../http/whole-body.js";
import { isObject } from "../ir/input-error.js";
import type { Json } from "../ir/types.js";
import { fromError } from "../request/error-class.js";
import type { Plan } from "../request/plan.js";
import { answerMarks } from "../routing/reasoning-marks.js";
import type { UpstreamReply } from "../upstream/call.js";
import { ModelRenamer, renameModelInBody } from "../upstream/model-rename.js";
import { ResponseIdKeeper } from "../upstream/response-id-keeper.js";
import { MAX_TOOL_USES, outputItemIds, type UsageTap, usageFromBody } from "../upstream/usage-tap.js";
import { answerFailure, streamFailure } from "./answer-failure.js";
import { BudgetCut, meterOutput } from "./budget-cut.js";
import { ClientStream } from "./client-stream.js";
import { inStreamError } from "./in-stream-error.js";
import type { RespondInput } from "./respond-input.js";
import { warningsHeader } from "./warnings-header.js";

function isJsonReply(reply: UpstreamReply): boolean {
  return String(reply.headers["content-type"] ?? "").includes("application/json");
}

/** A whole JSON answer of the client's own dialect, relayed as it came (the model renamed to the alias). */
async function wholeAnswer(input: RespondInput, plan: Plan, reply: UpstreamReply, rename: string | undefined) {
  const { res, answer } = input;
  const headers = { ...forwardedHeaders(reply.headers), ...warningsHeader(plan) };
  let raw: string;
  try {
    // Read and parsed by the screen already (src/upstream/screen.ts), or read here.
    raw = reply.whole?.text ?? (await readWhole(reply.body)).toString("utf8");
  } catch (err) {
    if (res.destroyed) throw err;
    const info = streamFailure(err);
    answer.outcome = "error";
    answer.reason = (err as Error).message;
    answer.errorClass = fromError(info, false);
    answerFailure(res, answer, plan.client, info, headers);
    return;
  }
  const text = rename ? renameModelInBody(raw, rename) : raw;
  answer.status = reply.status;
  answer.firstByteAt ??= performance.now();
  try {
    // The usage, ids and marks are the same in the renamed text.
    const parsed = reply.whole?.json ?? (JSON.parse(text) as Json);
    // A passthrough: the upstream speaks the client's dialect.
    answer.usage = usageFromBody(plan.client, parsed);
    answer.reasoningMarks = answerMarks(plan.client, parsed);
    if (input.onToolUse && plan.client === "anthropic" && isObject(parsed) && Array.isArray(parsed.content))
      for (const b of parsed.content.slice(0, MAX_TOOL_USES))
        if (isObject(b) && b.type === "tool_use" && typeof b.id === "string") input.onToolUse(b.id);
    if (plan.client === "openai-responses" && isObject(parsed) && typeof parsed.id === "string") {
      answer.responseId = parsed.id;
      answer.responseItems = outputItemIds(parsed);
    }
  } catch {
    // not JSON; usage will be estimated
  }
  answer.outputChars += text.length;
  // Its length, as a translated answer has (sendJson): one write of head and body, no chunk framing.
  res.writeHead(reply.status, {
    "content-type": String(reply.headers["content-type"] ?? "application/json"),
    ...headers,
    ...(reply.status < 400 ? input.costHeaders?.(answer) : undefined),
    "content-length": Buffer.byteLength(text),
  });
  res.end(text);
}

/**
 * A passthrough answer: the upstream's bytes relayed as they come (an alias's model renamed to what the
 * client asked for), watched for usage, ids and reasoning marks on the way; a stream that breaks off ends
 * with the dialect's own error event.
 */
export async function passthrough(
  input: RespondInput,
  plan: Plan,
  reply: UpstreamReply,
  watched: UsageTap | undefined,
): Promise<void> {
  // An alias: the answer names the model the client asked for, as translated answers do.
  const { requested, upstreamModel } = plan.route;
  const rename = requested !== upstreamModel ? requested : undefined;
  if (!plan.clientStream || isJsonReply(reply)) return wholeAnswer(input, plan, reply, rename);
  const { res, answer } = input;
  const headers = { ...forwardedHeaders(reply.headers), ...warningsHeader(plan) };
  // The inspection of the stream's start watches the rest as it is relayed (src/upstream/inspect.ts).
  const tap = watched;
  if (!tap) throw new Error("a stream relayed byte for byte is always watched by its inspection");
  if (input.onToolUse && plan.client === "anthropic") tap.watchToolUses(input.onToolUse);
  const out = new ClientStream(res, answer, headers, input.timing);
  const renamer = rename ? new ModelRenamer(rename) : undefined;
  // A Responses stream names one response id, whatever its upstream's lifecycle events say.
  const keeper = plan.client === "openai-responses" ? new ResponseIdKeeper() : undefined;
  const shape = (chunk: Uint8Array) => {
    const kept = keeper ? keeper.push(chunk) : chunk;
    return renamer ? renamer.push(kept) : kept;
  };
  const flush = () => {
    const kept = keeper ? keeper.end() : new Uint8Array(0);
    const tail = renamer ? renamer.push(kept) : kept;
    return renamer ? Buffer.concat([tail, renamer.end()]) : tail;
  };
  const { meter } = input;
  try {
    for await (const chunk of reply.body) {
      // The tap has read this chunk: it holds the stream's last event.
      if (tap.ended) out.last();
      if (!(await out.write(shape(chunk)))) return;
      if (meter) {
        const asked = meterOutput(meter, tap.textChars);
        if (asked) await asked;
      }
    }
    if ((renamer || keeper) && !(await out.write(flush()))) return;
    if (!tap.ended) throw new Error("the upstream ended its stream before the answer's end");
  } catch (err) {
    if (res.destroyed) throw err;
    const info = err instanceof BudgetCut ? err.info : streamFailure(err);
    answer.outcome = "error";
    answer.reason = info.message;
    answer.errorClass = fromError(info, false);
    if (renamer || keeper) await out.write(flush());
    await out.write(inStreamError(plan.client, info, tap.lastSequence));
  } finally {
    if (tap.usage) {
      answer.usage = tap.usage;
      answer.usagePartial = !tap.final;
    }
    if (keeper?.id ?? tap.responseId) answer.responseId = keeper?.id ?? tap.responseId;
    if (tap.responseItems) answer.responseItems = tap.responseItems;
    if (tap.reasoningMarks.length > 0) answer.reasoningMarks = tap.reasoningMarks;
    answer.outputChars += tap.textChars;
  }
  out.end();
}
