import { forwardedHeaders } from "../http/reply.js";
import { readWhole } from "../http/whole-body.js";
import { isObject } from "../ir/input-error.js";
import type { Json } from "../ir/types.js";
import type { Answer } from "../request/answer.js";
import { fromRouting } from "../request/error-class.js";
import type { Plan } from "../request/plan.js";
import { classifyReply } from "../routing/error-class.js";
import { upstreamCodecs } from "../translate/codecs.js";
import type { UpstreamReply } from "../upstream/call.js";
import { type PassthroughShape, shapePassthrough } from "../upstream/passthrough-shape.js";
import { capTotal } from "../upstream/screen.js";
import type { UsageTap } from "../upstream/usage-tap.js";
import { answerFailure, streamFailure } from "./answer-failure.js";
import type { RespondInput } from "./respond-input.js";
import { passthrough } from "./respond-passthrough.js";
import { translated } from "./respond-translated.js";
import { warningsHeader } from "./warnings-header.js";

const MAX_ERROR_BODY = 1 << 20;

/** An error object as the dialects write one (`{error: …}`, Anthropic's `{type: "error", …}`). */
function isErrorBody(v: Json | string): boolean {
  return isObject(v) && ((v.error !== undefined && v.error !== null) || v.type === "error");
}

/** Every string of a JSON value redacted (the decoded text, whatever escapes the bytes used). */
function redactJson(v: Json, redact: (s: string) => string): Json {
  if (typeof v === "string") return redact(v);
  if (Array.isArray(v)) return v.map((x) => redactJson(x, redact));
  if (!isObject(v)) return v;
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, redactJson(x, redact)]));
}

/** An upstream's error text with the secrets llmux knows removed: on its decoded strings when it is JSON. */
function redactError(text: string, redact: ((s: string) => string) | undefined): string {
  if (!redact) return text;
  try {
    const parsed = JSON.parse(text) as Json;
    const clean = JSON.stringify(redactJson(parsed, redact));
    // Nothing to remove: the body goes on byte for byte (clients' recovery matches on it as written).
    return clean === JSON.stringify(parsed) ? text : clean;
  } catch {
    return redact(text);
  }
}

async function upstreamError(input: RespondInput, plan: Plan, reply: UpstreamReply): Promise<void> {
  const { res, answer } = input;
  let text = "";
  try {
    text = redactError((await readWhole(reply.body, MAX_ERROR_BODY, "keep")).toString("utf8"), input.redact);
  } catch {
    // the status alone will do
  }
  const forwarded = forwardedHeaders(reply.headers);
  answer.outcome = "error";
  answer.reason = `upstream ${reply.status}: ${text.slice(0, 300)}`;
  answer.errorClass = fromRouting(classifyReply(reply.status, reply.headers, text).class);
  let parsed: Json | string = text;
  try {
    parsed = JSON.parse(text) as Json;
  } catch {
    // not JSON: keep the text
  }
  if (plan.passthrough && isErrorBody(parsed)) {
    // Same dialect: the client gets the provider's own error, status and body.
    answer.status = reply.status;
    res.writeHead(reply.status, {
      "content-type": String(reply.headers["content-type"] ?? "application/json"),
      ...forwarded,
      ...warningsHeader(plan),
      "content-length": Buffer.byteLength(text),
    });
    res.end(text);
    return;
  }
  const info = upstreamCodecs[plan.upstream].decodeError(reply.status, parsed);
  if (forwarded["retry-after"]) info.retryAfter = forwarded["retry-after"];
  answerFailure(res, answer, plan.client, info, { ...forwarded, ...warningsHeader(plan) });
}

/**
 * The respond stage: answers the client from the upstream reply, in the client's dialect — the bytes as they
 * came on a passthrough, translated otherwise — and returns what it answered.
 */
export async function respond(input: RespondInput): Promise<Answer> {
  let { plan, reply } = input;
  let tap: UsageTap | undefined;
  const { res, answer } = input;
  if (plan.passthrough && reply.status < 400) {
    let shaped: PassthroughShape;
    try {
      shaped = await shapePassthrough(plan.client, plan.clientStream, reply, `'${plan.route.provider.name}'`);
    } catch (err) {
      if (res.destroyed) throw err;
      const info = streamFailure(err);
      answer.outcome = "error";
      answer.reason = info.message;
      answerFailure(res, answer, plan.client, info, { ...forwardedHeaders(reply.headers), ...warningsHeader(plan) });
      return answer;
    }
    reply = shaped.reply;
    tap = shaped.tap;
    if (shaped.recode) {
      const why = shaped.recode;
      input.decide(() => `decoded and re-encoded as ${plan.client}: ${why}`);
      plan = { ...plan, passthrough: false };
    }
  }
  if (reply.status >= 400) {
    await upstreamError(input, plan, reply);
    return answer;
  }
  // A client that waits for the whole answer has it held in memory: bounded, the limit named when passed.
  if (!plan.clientStream && reply.limits) reply = { ...reply, body: capTotal(reply.body, reply.limits.answerBytes) };
  // Returned, not awaited: the stream's relay is the only frame that waits as long as the stream lasts.
  return (plan.passthrough ? passthrough(input, plan, reply, tap) : translated(input, plan, reply)).then(() => answer);
}
