import { jsonText } from "../http/json-text.js";
import { forwardedHeaders, sendJson } from "../http/reply.js";
import { readWhole } from "../http/whole-body.js";
import { isErrorInfo, ResponseCollector } from "../ir/collect.js";
import { sanitizeAnthropicToolId } from "../ir/ids.js";
import type { ErrorInfo, Json, Response, StreamEvent } from "../ir/types.js";
import type { Answer } from "../request/answer.js";
import { fromError } from "../request/error-class.js";
import type { Plan } from "../request/plan.js";
import { codecs, upstreamCodecs } from "../translate/codecs.js";
import { responseEvents } from "../translate/replay.js";
import { StreamTranslator } from "../translate/stream-translator.js";
import type { UpstreamReply } from "../upstream/call.js";
import { MAX_TOOL_USES } from "../upstream/usage-tap.js";
import { answerFailure, streamFailure } from "./answer-failure.js";
import { BudgetCut, meterOutput } from "./budget-cut.js";
import { ClientStream } from "./client-stream.js";
import type { RespondInput } from "./respond-input.js";
import { PING, pingText, withSilencePings } from "./silence-pings.js";
import { warningsHeader } from "./warnings-header.js";

function isJsonReply(reply: UpstreamReply): boolean {
  return String(reply.headers["content-type"] ?? "").includes("application/json");
}

/** Notes a complete answer on the request's answer, and has the settle stage keep what it leaves behind. */
async function complete(input: RespondInput, plan: Plan, result: Response, encoded?: Answer["complete"]) {
  const { answer } = input;
  if (typeof result.id === "string" && plan.client === "openai-responses") answer.responseId = result.id;
  answer.complete = encoded ?? { result };
  await input.keep?.(answer);
}

/**
 * A translated answer: the upstream's stream decoded and encoded in the client's dialect as it comes (or
 * collected into one body for a client that did not ask for a stream).
 */
export async function translated(input: RespondInput, plan: Plan, reply: UpstreamReply): Promise<void> {
  const { res, answer } = input;
  // A Responses upstream that keeps the answer (plan.upstreamKeeps): its id is read from the whole answer, to be
  // claimed for the caller.
  const keeps =
    input.keep !== undefined &&
    (plan.captureScope !== undefined || plan.storeAs !== undefined || plan.upstreamKeeps === true);
  const collector = !plan.clientStream || keeps ? new ResponseCollector() : undefined;
  // Once the answer is complete, what follows (its closing events) is held back until its state is
  // kept: a client that sends the next turn the moment it sees the end, perhaps to another instance,
  // must find it there.
  let ended = false;
  let held = "";
  // An error before any other event (the upstream's stream opened with one, or broke before its first event)
  // is answered with its status, as if the upstream had answered it: nothing was sent yet.
  let events = 0;
  let opening: ErrorInfo | undefined;
  const toolUses = input.onToolUse && plan.client === "anthropic" ? { n: 0, tell: input.onToolUse } : undefined;
  const tap = (e: StreamEvent) => {
    if (events++ === 0 && e.type === "error" && plan.clientStream && !plan.response.errorsAsText) opening = e.error;
    if (e.type === "delta") answer.outputChars += e.text.length;
    else if (e.type === "block_start" && e.block.type === "tool_call" && toolUses) {
      // The id as the Anthropic encoder writes it for the client (Claude Code's MCP calls name that one).
      if (toolUses.n++ < MAX_TOOL_USES) toolUses.tell(sanitizeAnthropicToolId(e.block.id));
    } else if (e.type === "end") {
      ended = true;
      if (e.usage) {
        answer.usage = e.usage;
        answer.usagePartial = false;
      }
    } else if (e.type === "start" && e.usage) {
      // Only the input so far: the output is counted when the answer ends (or estimated if it never does).
      answer.usage = e.usage;
      answer.usagePartial = true;
    } else if (e.type === "error") {
      answer.outcome = "error";
      answer.reason = e.error.message;
      answer.errorClass ??= fromError(e.error, false);
    }
    collector?.handle(e);
  };
  const translator = new StreamTranslator(plan.upstream, plan.client, {
    decode: { tools: plan.tools },
    encode: plan.response,
    tap,
    rewrite: input.rewrite,
  });
  const headers = { ...forwardedHeaders(reply.headers), ...warningsHeader(plan) };
  const out = plan.clientStream ? new ClientStream(res, answer, headers, input.timing) : undefined;
  const emit = async (text: string) => {
    if (!out || opening) return true;
    if (keeps && ended) {
      held += text;
      return true;
    }
    if (ended) out.last();
    return out.write(text);
  };

  try {
    if (input.webRounds) {
      for await (const e of input.webRounds(plan, reply)) {
        if (e === PING) {
          if (out && events > 0 && !ended && !opening && !(await out.write(pingText(plan.client)))) return;
          continue;
        }
        if (!(await emit(translator.inject(e)))) return;
        const asked = input.meter ? meterOutput(input.meter, answer.outputChars) : undefined;
        if (asked) await asked;
      }
    } else if (isJsonReply(reply)) {
      // Asked to stream, the upstream answered with one body: replay it as events.
      const body = reply.whole?.json ?? (JSON.parse(jsonText(await readWhole(reply.body))) as Json);
      const ir = upstreamCodecs[plan.upstream].decodeResponse(body, { tools: plan.tools });
      for (const e of responseEvents(ir)) if (!(await emit(translator.inject(e)))) return;
    } else {
      const { meter } = input;
      const interval = out ? (input.pingIntervalMs ?? 0) : 0;
      const body = interval > 0 ? withSilencePings(reply.body, interval, input.timer) : reply.body;
      for await (const chunk of body) {
        if (chunk === PING) {
          // Only between events: a stream's first event must be the dialect's own opening.
          if (events > 0 && !ended && !opening && !(await out!.write(pingText(plan.client)))) return;
          continue;
        }
        if (!(await emit(translator.push(chunk)))) return;
        if (meter) {
          const asked = meterOutput(meter, answer.outputChars);
          if (asked) await asked;
        }
      }
      if (!(await emit(translator.end()))) return;
    }
  } catch (err) {
    if (res.destroyed) throw err;
    const info = err instanceof BudgetCut ? err.info : streamFailure(err);
    await emit(translator.inject({ type: "error", error: info }));
  }
  if (out) {
    if (opening && !res.headersSent) {
      answerFailure(res, answer, plan.client, opening, headers);
      return;
    }
    const result = collector?.result();
    if (result && !isErrorInfo(result)) await complete(input, plan, result);
    if (held) {
      out.last();
      if (!(await out.write(held))) return;
    }
    out.end();
    return;
  }
  const result = collector!.result();
  if (isErrorInfo(result)) {
    answerFailure(res, answer, plan.client, result, headers);
    return;
  }
  const encoded = codecs[plan.client].encodeResponse(result, plan.response);
  await complete(input, plan, result, {
    result,
    encoded: plan.client === "openai-responses" ? encoded.value : undefined,
  });
  answer.status = 200;
  answer.firstByteAt ??= performance.now();
  sendJson(res, 200, encoded.value, { ...headers, ...input.costHeaders?.(answer) });
}
