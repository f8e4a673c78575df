import type { ServerResponse } from "node:http";
import { errorReply, forwardedHeaders, sendJson, sendReply } from "../http/reply.js";
import { isObject } from "../ir/input-error.js";
import type { Dialect, ErrorInfo, Json, JsonObject, Response, StreamEvent } from "../ir/types.js";
import { fromError, fromRouting } from "../request/error-class.js";
import { decide, type RequestRecord } from "../request/record.js";
import { classifyReply } from "../routing/error-class.js";
import { answerMarks } from "../routing/reasoning-marks.js";
import { codecs, upstreamCodecs } from "../translate/codecs.js";
import { isErrorInfo, ResponseCollector } from "../translate/collect.js";
import { responseEvents } from "../translate/replay.js";
import { StreamTranslator } from "../translate/stream-translator.js";
import { readAll, type UpstreamReply } from "../upstream/call.js";
import { ModelRenamer, renameModelInBody } from "../upstream/model-rename.js";
import { type PassthroughShape, shapePassthrough } from "../upstream/passthrough-shape.js";
import { AnswerTooLarge, capTotal } from "../upstream/screen.js";
import { outputItemIds, UsageTap, usageFromBody } from "../upstream/usage-tap.js";
import type { Plan, State } from "./plan.js";

const MAX_ERROR_BODY = 1 << 20;

/** The llmux-warnings header: what was clamped or dropped, in one ASCII line. */
export function warningsHeader(plan: Plan): Record<string, string> {
  if (plan.warnings.list.length === 0) return {};
  const text = plan.warnings.list
    .map((w) => w.message)
    .join("; ")
    .replace(/[^\x20-\x7e]/g, "?");
  return { "llmux-warnings": text.length > 4000 ? `${text.slice(0, 3997)}...` : text };
}

/** Answers an error in the client's dialect, its status recorded first (the request settles as its answer ends). */
function answerFailure(
  res: ServerResponse,
  rec: RequestRecord,
  dialect: Dialect,
  info: ErrorInfo,
  headers: Record<string, string>,
): void {
  const reply = errorReply(dialect, info, headers);
  rec.status = reply.status;
  sendReply(res, reply);
}

/** Writes to the client, honouring backpressure; resolves false once the client has gone. */
class ClientStream {
  private started = false;
  constructor(
    private readonly res: ServerResponse,
    private readonly rec: RequestRecord,
    private readonly headers: Record<string, string>,
  ) {}

  private head(): void {
    if (this.started) return;
    this.started = true;
    this.rec.status = 200;
    this.res.writeHead(200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache",
      connection: "keep-alive",
      "x-accel-buffering": "no",
      ...this.headers,
    });
  }

  async write(chunk: string | Uint8Array): Promise<boolean> {
    if (chunk.length === 0) return !this.res.destroyed;
    this.head();
    this.rec.firstByteAt ??= performance.now();
    if (this.res.destroyed) return false;
    if (this.res.write(chunk)) return true;
    const since = performance.now();
    return new Promise<boolean>((resolve) => {
      const done = (ok: boolean) => {
        this.res.off("drain", onDrain);
        this.res.off("close", onClose);
        // Waiting for a slow client is not llmux's time (llmux-overhead-ms).
        if (this.rec.timing) this.rec.timing.clientWaitMs += performance.now() - since;
        resolve(ok);
      };
      const onDrain = () => done(true);
      const onClose = () => done(false);
      this.res.once("drain", onDrain);
      this.res.once("close", onClose);
    });
  }

  end(): void {
    this.head();
    this.res.end();
  }
}

/** The in-stream error a client of `dialect` understands, for failures after the stream started. */
function inStreamError(dialect: Dialect, error: ErrorInfo, lastSequence: number): string {
  if (dialect === "openai-responses") {
    const body = JSON.stringify({
      type: "error",
      sequence_number: lastSequence + 1,
      code: error.code ?? "server_error",
      message: error.message,
      param: null,
    });
    return `event: error\ndata: ${body}\n\n`;
  }
  const enc = codecs[dialect].createEncoder();
  enc.write({ type: "error", error });
  const text = enc.take();
  // The Anthropic and Chat encoders emit nothing before the error when nothing started.
  return text;
}

async function upstreamError(plan: Plan, reply: UpstreamReply, res: ServerResponse, rec: RequestRecord): Promise<void> {
  let text = "";
  try {
    text = (await readAll(reply.body)).slice(0, MAX_ERROR_BODY);
  } catch {
    // the status alone will do
  }
  const forwarded = forwardedHeaders(reply.headers);
  rec.outcome = "error";
  rec.reason = `upstream ${reply.status}: ${text.slice(0, 300)}`;
  rec.errorClass = fromRouting(classifyReply(reply.status, reply.headers, text).class);
  let parsed: Json | string = text;
  try {
    parsed = JSON.parse(text) as Json;
  } catch {
    // not JSON: keep the text
  }
  if (plan.passthrough && isErrorBody(parsed)) {
    // Same dialect: the client gets the provider's own error, status and body.
    rec.status = reply.status;
    res.writeHead(reply.status, {
      "content-type": String(reply.headers["content-type"] ?? "application/json"),
      ...forwarded,
      ...warningsHeader(plan),
    });
    res.end(text);
    return;
  }
  const info = upstreamCodecs[plan.upstream].decodeError(reply.status, parsed);
  if (forwarded["retry-after"]) info.retryAfter = forwarded["retry-after"];
  answerFailure(res, rec, plan.client, info, { ...forwarded, ...warningsHeader(plan) });
}

/** An error object as the dialects write one (`{error: …}`, Anthropic's `{type: "error", …}`). */
function isErrorBody(v: Json | string): boolean {
  return isObject(v) && ((v.error !== undefined && v.error !== null) || v.type === "error");
}

function isJsonReply(reply: UpstreamReply): boolean {
  const ct = String(reply.headers["content-type"] ?? "");
  return ct.includes("application/json");
}

async function passthrough(plan: Plan, reply: UpstreamReply, res: ServerResponse, rec: RequestRecord): Promise<void> {
  const headers = { ...forwardedHeaders(reply.headers), ...warningsHeader(plan) };
  // An alias: the answer names the model the client asked for, as translated answers do.
  const { requested, upstreamModel } = plan.route;
  const rename = requested !== upstreamModel ? requested : undefined;
  if (!plan.clientStream || isJsonReply(reply)) {
    let raw: string;
    try {
      raw = await readAll(reply.body);
    } catch (err) {
      if (res.destroyed) throw err;
      const info = streamFailure(err);
      rec.outcome = "error";
      rec.reason = (err as Error).message;
      rec.errorClass = fromError(info, false);
      answerFailure(res, rec, plan.client, info, headers);
      return;
    }
    const text = rename ? renameModelInBody(raw, rename) : raw;
    rec.status = reply.status;
    rec.firstByteAt ??= performance.now();
    try {
      const parsed = JSON.parse(text) as Json;
      // A passthrough: the upstream speaks the client's dialect.
      rec.usage = usageFromBody(plan.client, parsed);
      rec.reasoningMarks = answerMarks(plan.client, parsed);
      if (plan.client === "openai-responses" && isObject(parsed) && typeof parsed.id === "string") {
        rec.responseId = parsed.id;
        rec.responseItems = outputItemIds(parsed);
      }
    } catch {
      // not JSON; usage will be estimated
    }
    rec.outputChars += text.length;
    res.writeHead(reply.status, {
      "content-type": String(reply.headers["content-type"] ?? "application/json"),
      ...headers,
    });
    res.end(text);
    return;
  }
  const tap = new UsageTap(plan.client);
  const out = new ClientStream(res, rec, headers);
  const renamer = rename ? new ModelRenamer(rename) : undefined;
  try {
    for await (const chunk of reply.body) {
      tap.push(chunk);
      if (!(await out.write(renamer ? renamer.push(chunk) : chunk))) return;
    }
    tap.end();
    if (renamer && !(await out.write(renamer.end()))) return;
    if (!tap.ended) throw new Error("the upstream ended its stream before the answer's end");
  } catch (err) {
    if (res.destroyed) throw err;
    const info = streamFailure(err);
    rec.outcome = "error";
    rec.reason = info.message;
    rec.errorClass = fromError(info, false);
    if (renamer) await out.write(renamer.end());
    await out.write(inStreamError(plan.client, info, tap.lastSequence));
  } finally {
    if (tap.usage) {
      rec.usage = tap.usage;
      rec.usagePartial = !tap.final;
    }
    if (tap.responseId) rec.responseId = tap.responseId;
    if (tap.responseItems) rec.responseItems = tap.responseItems;
    if (tap.reasoningMarks.length > 0) rec.reasoningMarks = tap.reasoningMarks;
    rec.outputChars += tap.textChars;
  }
  out.end();
}

/**
 * Keeps what a complete answer leaves behind: its reasoning (Chat clients), the stored response (Responses),
 * under the caller's owner. The client has its answer by then: a store that fails is a warning in the log.
 */
async function remember(
  plan: Plan,
  result: Response,
  state: State | undefined,
  rec: RequestRecord,
  encoded?: JsonObject,
): Promise<void> {
  if (typeof result.id === "string" && plan.client === "openai-responses") rec.responseId = result.id;
  if (!state) return;
  try {
    if (plan.captureScope) await state.cache.capture(result.content, plan.origin, plan.captureScope);
    if (plan.storeAs) {
      const response = encoded ?? codecs["openai-responses"].encodeResponse(result, plan.response).value;
      await state.responses().put(state.owner, {
        id: String(response.id),
        previousId: plan.storeAs.previousId,
        createdAt: typeof response.created_at === "number" ? response.created_at : Math.floor(Date.now() / 1000),
        input: plan.storeAs.input,
        response,
      });
    }
  } catch (err) {
    rec.warnings.push({
      code: "state_not_kept",
      message: `the answer's state was not stored: ${(err as Error).message}`,
    });
  }
}

async function translated(
  plan: Plan,
  reply: UpstreamReply,
  res: ServerResponse,
  rec: RequestRecord,
  state: State | undefined,
): Promise<void> {
  const keeps = state !== undefined && (plan.captureScope !== undefined || plan.storeAs !== undefined);
  const collector = !plan.clientStream || keeps ? new ResponseCollector() : undefined;
  // Once the answer is complete, what follows (its closing events) is held back until its state is
  // stored: a client that sends the next turn the moment it sees the end, perhaps to another instance,
  // must find it there.
  let ended = false;
  let held = "";
  // An error before any other event (the upstream's stream opened with one, or broke before its first event)
  // is answered with its status, as if the upstream had answered it: nothing was sent yet.
  let events = 0;
  let opening: ErrorInfo | undefined;
  const tap = (e: StreamEvent) => {
    if (events++ === 0 && e.type === "error" && plan.clientStream && !plan.response.errorsAsText) opening = e.error;
    if (e.type === "delta") rec.outputChars += e.text.length;
    else if (e.type === "end") {
      ended = true;
      if (e.usage) {
        rec.usage = e.usage;
        rec.usagePartial = false;
      }
    } else if (e.type === "start" && e.usage) {
      // Only the input so far: the output is counted when the answer ends (or estimated if it never does).
      rec.usage = e.usage;
      rec.usagePartial = true;
    } else if (e.type === "error") {
      rec.outcome = "error";
      rec.reason = e.error.message;
      rec.errorClass ??= fromError(e.error, false);
    }
    collector?.handle(e);
  };
  const translator = new StreamTranslator(plan.upstream, plan.client, {
    decode: { tools: plan.tools },
    encode: plan.response,
    tap,
  });
  const headers = { ...forwardedHeaders(reply.headers), ...warningsHeader(plan) };
  const out = plan.clientStream ? new ClientStream(res, rec, headers) : undefined;
  const emit = async (text: string) => {
    if (!out || opening) return true;
    if (keeps && ended) {
      held += text;
      return true;
    }
    return out.write(text);
  };

  try {
    if (isJsonReply(reply)) {
      // Asked to stream, the upstream answered with one body: replay it as events.
      const body = JSON.parse(await readAll(reply.body)) as Json;
      const ir = upstreamCodecs[plan.upstream].decodeResponse(body, { tools: plan.tools });
      for (const e of responseEvents(ir)) if (!(await emit(translator.inject(e)))) return;
    } else {
      for await (const chunk of reply.body) {
        if (!(await emit(translator.push(chunk)))) return;
      }
      if (!(await emit(translator.end()))) return;
    }
  } catch (err) {
    if (res.destroyed) throw err;
    const info = streamFailure(err);
    await emit(translator.inject({ type: "error", error: info }));
  }
  if (out) {
    if (opening && !res.headersSent) {
      answerFailure(res, rec, plan.client, opening, headers);
      return;
    }
    const result = collector?.result();
    if (result && !isErrorInfo(result)) await remember(plan, result, state, rec);
    if (held && !(await out.write(held))) return;
    out.end();
    return;
  }
  const result = collector!.result();
  if (isErrorInfo(result)) {
    answerFailure(res, rec, plan.client, result, headers);
    return;
  }
  const encoded = codecs[plan.client].encodeResponse(result, plan.response);
  await remember(plan, result, state, rec, plan.client === "openai-responses" ? encoded.value : undefined);
  rec.status = 200;
  rec.firstByteAt ??= performance.now();
  sendJson(res, 200, encoded.value, headers);
}

/** Answers the client from the upstream reply, in the client's dialect. */
export async function respond(
  state: State | undefined,
  plan: Plan,
  reply: UpstreamReply,
  res: ServerResponse,
  rec: RequestRecord,
): Promise<void> {
  if (plan.passthrough && reply.status < 400) {
    let shaped: PassthroughShape;
    try {
      shaped = await shapePassthrough(plan.client, plan.clientStream, reply, `'${plan.route.provider.name}'`);
    } catch (err) {
      if (res.destroyed) throw err;
      const info = streamFailure(err);
      rec.outcome = "error";
      rec.reason = info.message;
      answerFailure(res, rec, plan.client, info, { ...forwardedHeaders(reply.headers), ...warningsHeader(plan) });
      return;
    }
    reply = shaped.reply;
    if (shaped.recode) {
      const why = shaped.recode;
      decide(rec, () => `decoded and re-encoded as ${plan.client}: ${why}`);
      plan = { ...plan, passthrough: false };
    }
  }
  if (reply.status >= 400) return upstreamError(plan, reply, res, rec);
  // A client that waits for the whole answer has it held in memory: bounded, the limit named when passed.
  if (!plan.clientStream && reply.limits) reply = { ...reply, body: capTotal(reply.body, reply.limits.answerBytes) };
  if (plan.passthrough) return passthrough(plan, reply, res, rec);
  return translated(plan, reply, res, rec, state);
}

/** The error a client is told when the upstream stream breaks mid-way. */
function streamFailure(err: unknown): ErrorInfo {
  if (err instanceof AnswerTooLarge) return { status: 502, kind: "server", message: err.message };
  return { status: 502, kind: "server", message: `upstream stream failed: ${(err as Error).message}` };
}
