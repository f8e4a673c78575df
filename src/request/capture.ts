import type { IncomingHttpHeaders, ServerResponse } from "node:http";
import { presentedKey } from "../identity/identify.js";
import type { AttemptClock } from "./timing.js";

/**
 * The one capture of a request's four bodies: the client's request, what llmux sent upstream (the last
 * attempt's), the upstream's raw answer to it, and what the client was sent. It exists only when something
 * reads it (body logging, live conversations, recording); each reader takes what it wants of it, up to its
 * own cap: the request log (src/requestlog/bodies.ts) and the recorder (src/observe/recorder.ts).
 */

/** What a recording keeps of each body at most (beyond it the recording is marked truncated). */
export const RECORD_LIMIT = 16 * 1024 * 1024;

/** Bytes kept past a reader's cap, so that a secret the cap cuts through is still redacted whole before the cut. */
export const MARGIN = 1024;

/** Query parameters a recording keeps of an upstream URL (never a key). */
const KEPT_QUERY = new Set(["api-version", "alt"]);

/** The path (and harmless query) of an upstream URL: what a replay matches on. */
export function upstreamPathOf(url: string): string {
  const u = new URL(url);
  const kept = [...u.searchParams].filter(([k]) => KEPT_QUERY.has(k));
  return kept.length > 0 ? `${u.pathname}?${new URLSearchParams(kept).toString()}` : u.pathname;
}

/** One body: its bytes kept up to a limit, counting what came beyond. */
export class Bounded {
  private readonly parts: Buffer[] = [];
  private kept = 0;
  /** Bytes that passed, kept or not. */
  total = 0;

  constructor(private readonly limit: number) {}

  push(chunk: string | Uint8Array, encoding?: BufferEncoding): void {
    const n = typeof chunk === "string" ? Buffer.byteLength(chunk, encoding) : chunk.length;
    this.total += n;
    const room = this.limit - this.kept;
    if (room <= 0 || n === 0) return;
    const buf =
      typeof chunk === "string" ? Buffer.from(chunk, encoding) : Buffer.from(chunk.buffer, chunk.byteOffset, n);
    // Bodies and stream chunks are not reused once written: kept as they are, or (cut) as a copy of the part
    // kept, so that the rest of a large chunk is not held.
    const part = n > room ? Buffer.from(buf.subarray(0, room)) : buf;
    this.parts.push(part);
    this.kept += part.length;
  }

  /** Whether more than `cap` bytes passed. */
  cut(cap: number): boolean {
    return this.total > cap;
  }

  /** The first `max` bytes kept. */
  bytes(max = this.kept): Buffer {
    const all = this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts);
    return all.length > max ? all.subarray(0, max) : all;
  }

  /** The text up to `cap` bytes (and the margin), redacted, then cut at `cap` characters when more came. */
  text(cap: number, redact: (s: string) => string): string {
    const all = redact(this.bytes(cap + MARGIN).toString("utf8"));
    return this.cut(cap) && all.length > cap ? all.slice(0, cap) : all;
  }
}

export class ExchangeCapture {
  /** Secrets this request carries (the caller's key, a minted key's upstream credentials): redacted by every reader. */
  readonly secrets: string[] = [];
  clientRequest: Bounded | undefined;
  upstreamRequest: Bounded | undefined;
  /** Where the last attempt went (a recording's path and harmless query). */
  upstreamPath: string | undefined;
  upstreamResponse: Bounded | undefined;
  upstreamType: string | undefined;
  /** The last attempt's clock (its status). */
  attempt: AttemptClock | undefined;
  readonly clientResponse: Bounded;
  clientType: string | undefined;
  private readonly limit: number;

  /** `cap`: the most any reader wants of one body, in bytes. */
  constructor(cap: number) {
    this.limit = cap + MARGIN;
    this.clientResponse = new Bounded(this.limit);
  }

  /** A secret of this request, redacted wherever it appears (short values would redact words: skipped). */
  secret(value: string | undefined): void {
    if (value && value.length >= 8 && !this.secrets.includes(value)) this.secrets.push(value);
  }

  /** The client's request body as it came. */
  request(raw: Uint8Array): void {
    this.clientRequest = new Bounded(this.limit);
    this.clientRequest.push(raw);
  }

  /**
   * An attempt starts: its request, and (through the clock's tap, which the upstream reader calls with each
   * raw chunk) its answer. A later attempt (a retry, a fallback) replaces an earlier one: what is kept is
   * the attempt that answered.
   */
  upstream(url: string, body: string | Uint8Array, clock: AttemptClock | undefined): void {
    this.upstreamPath = upstreamPathOf(url);
    this.upstreamRequest = new Bounded(this.limit);
    this.upstreamRequest.push(body);
    const into = new Bounded(this.limit);
    this.upstreamResponse = into;
    this.upstreamType = undefined;
    this.attempt = clock;
    if (clock) clock.tap = (chunk) => into.push(chunk);
  }

  /** The upstream's answer came: its content type. */
  answered(contentType: string | string[] | undefined): void {
    this.upstreamType = String(contentType ?? "");
  }

  /** Keeps what is written to the client (the one wrapper of `res.write` and `res.end`). */
  watch(res: ServerResponse): void {
    const into = this.clientResponse;
    const write = res.write;
    const end = res.end;
    const keep = (chunk: unknown, encoding: unknown) => {
      if (typeof chunk === "string" || chunk instanceof Uint8Array)
        into.push(chunk, typeof encoding === "string" ? (encoding as BufferEncoding) : undefined);
    };
    const capture = this;
    res.write = function (this: ServerResponse, chunk: unknown, ...rest: unknown[]) {
      keep(chunk, rest[0]);
      return (write as (...a: unknown[]) => boolean).call(this, chunk, ...rest);
    } as ServerResponse["write"];
    res.end = function (this: ServerResponse, chunk?: unknown, ...rest: unknown[]) {
      keep(chunk, rest[0]);
      capture.clientType ??= String(this.getHeader("content-type") ?? "");
      return (end as (...a: unknown[]) => ServerResponse).call(this, chunk, ...rest);
    } as ServerResponse["end"];
  }
}

/** Starts capturing a request (its answer, and the key it presented), keeping up to `cap` bytes of each body. */
export function startCapture(headers: IncomingHttpHeaders, res: ServerResponse, cap: number): ExchangeCapture {
  const capture = new ExchangeCapture(cap);
  capture.secret(presentedKey(headers));
  capture.watch(res);
  return capture;
}
