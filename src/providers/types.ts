import type { IncomingHttpHeaders } from "node:http";
import type { ProviderConfig } from "../config/schema.js";
import type { UpstreamDialect } from "../ir/types.js";
import type { Warnings } from "../ir/warnings.js";
import type { RequestOptions } from "../translate/codecs.js";

export interface CallContext {
  stream: boolean;
  /** The caller's own upstream key (pass-through auth mode). Never stored or logged. */
  callerKey?: string | undefined;
  /** Headers the client sent (anthropic-beta and anthropic-version are forwarded to Anthropic). */
  clientHeaders: IncomingHttpHeaders;
  /** True when the client speaks this provider's dialect. */
  sameDialect: boolean;
  warnings: Warnings;
}

export interface UpstreamTarget {
  url: string;
  headers: Record<string, string>;
}

import type { LocalReply } from "../http/local-reply.js";

export type { LocalReply };

/** A call as it leaves llmux: where, with which headers, and the body. */
export interface OutgoingCall {
  url: string;
  headers: Record<string, string>;
  body: string | Buffer;
}

/** An upstream's reply as it came (status, headers, body bytes). */
export interface RawUpstreamReply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: AsyncIterable<Uint8Array>;
  dump(): Promise<void>;
}

/** An upstream: a dialect, where and how to call it, and its quirks. */
export interface Provider {
  readonly name: string;
  readonly type: ProviderConfig["type"];
  readonly dialect: UpstreamDialect;
  readonly timeoutMs: number;
  /** Options for writing requests to this upstream (field names, reasoning echo, custom tools…). */
  requestOptions(model: string): RequestOptions;
  /** Why `model` cannot be sent to this upstream (answered 400, naming `model`); undefined when it can. */
  modelProblem?(model: string): string | undefined;
  /** URL and headers for a generation call. */
  target(model: string, ctx: CallContext): UpstreamTarget;
  /** URL and headers for a token count (Anthropic only). */
  countTarget?(model: string, ctx: CallContext): UpstreamTarget;
  /** In-process upstream (the mock and Cursor providers); `target` is what target() gave for this call. */
  local?(body: unknown, signal: AbortSignal, target?: UpstreamTarget): Promise<LocalReply>;
  /**
   * The upstream's stream deviates from its dialect's wire format (content as parts, tool-call deltas
   * without `index`, a first chunk without `role`): never pass it through; decode and re-encode it.
   */
  readonly normalizeStream?: boolean;
  /**
   * The last step before a call is sent (after `target`): quirks of the body (Vertex and Bedrock take the
   * model in the URL and an `anthropic_version` in the body) and authentication that needs I/O or the body
   * itself (an OAuth access token, a SigV4 signature). Rejects with UpstreamFailure-worthy errors.
   */
  prepareCall?(call: OutgoingCall, signal: AbortSignal): Promise<OutgoingCall>;
  /**
   * The reply in the wire form of this provider's dialect, before anything reads it: an AWS event stream
   * becomes SSE text, an AWS error (its type in a header) an error body that names it.
   */
  adaptReply?(reply: RawUpstreamReply): Promise<RawUpstreamReply>;
  /** This provider as it serves `model`, when that changes its dialect (Vertex: Gemini or Claude). */
  forModel?(model: string): Provider;
}

export const DEFAULT_TIMEOUT_MS = 600_000;

/**
 * What every provider says the same way: its name, type and dialect, its timeout (`timeout_ms`, else
 * DEFAULT_TIMEOUT_MS), and no request options of its own (a provider that has some sets requestOptions after).
 */
export function providerBasics(
  name: string,
  type: ProviderConfig["type"],
  dialect: UpstreamDialect,
  cfg: { timeout_ms?: number | undefined },
): Pick<Provider, "name" | "type" | "dialect" | "timeoutMs" | "requestOptions"> {
  return { name, type, dialect, timeoutMs: cfg.timeout_ms ?? DEFAULT_TIMEOUT_MS, requestOptions: () => ({}) };
}
