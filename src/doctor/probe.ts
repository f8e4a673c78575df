/**
 * One small request to one deployment, made with llmux's own machinery: the provider's codec writes the body,
 * the provider says where and how to send it, the upstream pool sends it, and the codec reads the answer
 * (streamed or not) or the upstream's error.
 */

import type { DecodeOptions } from "../dialects/types.js";
import { readWhole } from "../http/whole-body.js";
import { isErrorInfo, ResponseCollector } from "../ir/collect.js";
import type { ErrorInfo, Json, Request, Response } from "../ir/types.js";
import { Warnings } from "../ir/warnings.js";
import type { Provider } from "../providers/types.js";
import { SseParser } from "../sse/parser.js";
import { type RequestOptions, upstreamCodecs } from "../translate/codecs.js";
import { callUpstream, UpstreamFailure, type UpstreamPool } from "../upstream/call.js";

/** Where a request that got no HTTP answer failed. */
export type NetworkStage = "dns" | "tls" | "connect" | "timeout" | "other";

export type Outcome =
  | { ok: true; status: number; response: Response; streamed: boolean }
  | {
      ok: false;
      /** The HTTP status, when the upstream answered. */
      status?: number | undefined;
      error: ErrorInfo;
      /** The upstream's own answer (its error body), shortened. */
      upstreamText: string;
      network?: { stage: NetworkStage; code: string } | undefined;
    };

const DNS = /ENOTFOUND|EAI_AGAIN|EAI_NONAME|EAI_FAIL/;
const TLS = /CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS|EPROTO|HOSTNAME_MISMATCH|ALTNAME/;
const CONNECT = /ECONNREFUSED|ECONNRESET|EHOSTUNREACH|ENETUNREACH|ETIMEDOUT|EPIPE|ENOTCONN/;

/** The stage of a failure without an answer, from the code in its message (`… is unreachable: ENOTFOUND`). */
export function networkStage(message: string, status: number): { stage: NetworkStage; code: string } {
  const code = /unreachable: (\S+)/.exec(message)?.[1] ?? message;
  if (status === 504) return { stage: "timeout", code: "no answer in time" };
  if (DNS.test(code)) return { stage: "dns", code };
  if (TLS.test(code)) return { stage: "tls", code };
  if (CONNECT.test(code)) return { stage: "connect", code };
  return { stage: "other", code };
}

const short = (s: string, n = 600) => (s.length > n ? `${s.slice(0, n)}…` : s);

export interface ProbeInput {
  pool: UpstreamPool;
  provider: Provider;
  model: string;
  request: Request;
  /** Request options over the provider's own (e.g. the thinking forms to use). */
  options?: RequestOptions;
  timeoutMs: number;
}

async function readStream(
  body: AsyncIterable<Uint8Array>,
  input: ProbeInput,
  tools: DecodeOptions,
): Promise<Response | ErrorInfo> {
  const collector = new ResponseCollector();
  const decoder = upstreamCodecs[input.provider.dialect].createDecoder(tools);
  const parser = new SseParser();
  const onEvent = (ev: Parameters<typeof decoder.event>[0]) => decoder.event(ev, collector.sink);
  for await (const chunk of body) parser.push(chunk, onEvent);
  parser.end(onEvent);
  decoder.end(collector.sink);
  return collector.result();
}

/** Sends `request` to `model` at `provider` and reads the whole answer. Never throws for upstream failures. */
export async function probe(input: ProbeInput): Promise<Outcome> {
  const { provider, model } = input;
  const warnings = new Warnings();
  const encoded = upstreamCodecs[provider.dialect].encodeRequest(
    { ...input.request, model },
    { ...provider.requestOptions(model), noObfuscation: true, ...input.options },
  );
  const target = provider.target(model, {
    stream: input.request.stream,
    clientHeaders: {},
    sameDialect: false,
    warnings,
  });
  const signal = AbortSignal.timeout(input.timeoutMs);
  let reply: Awaited<ReturnType<typeof callUpstream>>;
  try {
    reply = await callUpstream(
      input.pool,
      provider,
      target,
      JSON.stringify(encoded.value.body),
      signal,
      provider.dialect,
    );
  } catch (err) {
    if (err instanceof UpstreamFailure) {
      return { ok: false, error: err.info, upstreamText: "", network: networkStage(err.message, err.info.status) };
    }
    const e = err as Error & { code?: string };
    const timedOut = signal.aborted;
    return {
      ok: false,
      error: { status: timedOut ? 504 : 502, kind: timedOut ? "timeout" : "server", message: e.message },
      upstreamText: "",
      network: timedOut ? { stage: "timeout", code: "no answer in time" } : networkStage(e.code ?? e.message, 502),
    };
  }
  const tools: DecodeOptions = { tools: encoded.value.tools };
  try {
    if (reply.status >= 400) {
      const text = await readWhole(reply.body).then(
        (b) => b.toString("utf8"),
        () => "",
      );
      let parsed: Json | string = text;
      try {
        parsed = JSON.parse(text) as Json;
      } catch {
        // not JSON: the text is the message
      }
      const error = upstreamCodecs[provider.dialect].decodeError(reply.status, parsed);
      return { ok: false, status: reply.status, error, upstreamText: short(text) };
    }
    const type = String(reply.headers["content-type"] ?? "");
    let result: Response | ErrorInfo;
    let streamed = false;
    if (type.includes("application/json")) {
      const body = JSON.parse((await readWhole(reply.body)).toString("utf8")) as Json;
      result = upstreamCodecs[provider.dialect].decodeResponse(body, tools);
    } else {
      streamed = true;
      result = await readStream(reply.body, input, tools);
    }
    if (isErrorInfo(result)) {
      return { ok: false, status: reply.status, error: result, upstreamText: short(result.message) };
    }
    return { ok: true, status: reply.status, response: result, streamed };
  } catch (err) {
    const message = `the answer could not be read: ${(err as Error).message}`;
    return { ok: false, status: reply.status, error: { status: 502, kind: "server", message }, upstreamText: "" };
  }
}
