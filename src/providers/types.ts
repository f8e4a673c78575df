import type { IncomingHttpHeaders } from "node:http";
import type { ProviderConfig } from "../config/schema.js";
import type { Dialect } from "../ir/types.js";
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

/** A body produced in process (the built-in mock), in place of an HTTP upstream. */
export interface LocalReply {
  status: number;
  headers: Record<string, string>;
  body: AsyncIterable<Uint8Array>;
}

/** An upstream: a dialect, where and how to call it, and its quirks. */
export interface Provider {
  readonly name: string;
  readonly type: ProviderConfig["type"];
  readonly dialect: Dialect;
  readonly timeoutMs: number;
  /** Options for writing requests to this upstream (field names, reasoning echo, custom tools…). */
  requestOptions(model: string): RequestOptions;
  /** Why `model` cannot be sent to this upstream (answered 400, naming `model`); undefined when it can. */
  modelProblem?(model: string): string | undefined;
  /** URL and headers for a generation call. */
  target(model: string, ctx: CallContext): UpstreamTarget;
  /** URL and headers for a token count (Anthropic only). */
  countTarget?(model: string, ctx: CallContext): UpstreamTarget;
  /** In-process upstream (mock provider). */
  local?(body: unknown, signal: AbortSignal): Promise<LocalReply>;
  /**
   * The upstream's stream deviates from its dialect's wire format (content as parts, tool-call deltas
   * without `index`, a first chunk without `role`): never pass it through; decode and re-encode it.
   */
  readonly normalizeStream?: boolean;
}

export const DEFAULT_TIMEOUT_MS = 600_000;
