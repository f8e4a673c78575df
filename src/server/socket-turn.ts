import type { IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeader, ServerResponse } from "node:http";
import { Readable, Writable } from "node:stream";
import { SseParser } from "../sse/parser.js";

/** Where a turn's events go: one text frame each (the socket's send, with its completion callback). */
export interface FrameSink {
  send(text: string, done: (err?: Error) => void): void;
}

/** Headers of the answer a turn's error frame carries (what a client acts on: retry hints, rate limits). */
const FRAME_HEADERS = /^(retry-after|retry-after-ms|x-should-retry|x-request-id|request-id)$|ratelimit/;

/**
 * One turn on a socket, as the HTTP request the pipeline serves: a POST of the `response.create` frame's
 * body on the socket's path, with the upgrade request's headers (its key is checked again on every turn).
 */
export function turnRequest(
  upgrade: IncomingMessage,
  path: string,
  body: Buffer,
  more: Record<string, string> = {},
): IncomingMessage {
  const req = Readable.from([body], { objectMode: false }) as Readable & Record<string, unknown>;
  const headers: IncomingHttpHeaders = { ...upgrade.headers, ...more, "content-type": "application/json" };
  for (const h of [
    "upgrade",
    "connection",
    "content-encoding",
    "sec-websocket-key",
    "sec-websocket-version",
    "sec-websocket-extensions",
  ])
    delete headers[h];
  headers["content-length"] = String(body.length);
  req.headers = headers;
  req.method = "POST";
  req.url = path;
  req.httpVersion = "1.1";
  // The pipeline may cut a request's connection (a refused body): a turn has none of its own to cut.
  req.socket = { destroy() {}, remoteAddress: upgrade.socket.remoteAddress };
  return req as unknown as IncomingMessage;
}

/**
 * The answer to a turn, as the pipeline writes it (the subset of ServerResponse it uses), turned into frames:
 * each event of an event stream becomes one text frame (its `data`, a Responses stream event); a JSON answer
 * (an error, or a whole Response) becomes one frame: `{type: "error", status, error, headers}`, the in-band
 * error Codex reads, or `response.completed`. Backpressure is the socket's: a write completes once its frames
 * were handed to the network. Destroying it (the socket closed) is the client's abort.
 */
export class TurnResponse extends Writable {
  statusCode = 200;
  headersSent = false;
  private readonly headers = new Map<string, OutgoingHttpHeader>();
  private sse: SseParser | undefined;
  private readonly json: Buffer[] = [];
  /** Each frame of a stream's events, as sent (the socket keeps the Response it completes). */
  onEvent: ((data: string) => void) | undefined;

  constructor(private readonly sink: FrameSink) {
    super({ decodeStrings: true });
  }

  setHeader(name: string, value: OutgoingHttpHeader): this {
    this.headers.set(name.toLowerCase(), value);
    return this;
  }

  getHeader(name: string): OutgoingHttpHeader | undefined {
    return this.headers.get(name.toLowerCase());
  }

  hasHeader(name: string): boolean {
    return this.headers.has(name.toLowerCase());
  }

  removeHeader(name: string): void {
    this.headers.delete(name.toLowerCase());
  }

  getHeaders(): Record<string, OutgoingHttpHeader> {
    return Object.fromEntries(this.headers);
  }

  writeHead(status: number, ...rest: unknown[]): this {
    const last = rest[rest.length - 1];
    if (last && typeof last === "object" && !Array.isArray(last))
      for (const [k, v] of Object.entries(last as Record<string, OutgoingHttpHeader>)) this.setHeader(k, v);
    this.statusCode = status;
    this.headersSent = true;
    if (String(this.getHeader("content-type") ?? "").includes("text/event-stream")) this.sse = new SseParser();
    return this;
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, done: (err?: Error | null) => void): void {
    if (!this.headersSent) this.writeHead(this.statusCode);
    if (!this.sse) {
      this.json.push(chunk);
      done();
      return;
    }
    const frames: string[] = [];
    this.sse.push(chunk, (e) => {
      if (e.data && e.data !== "[DONE]") frames.push(e.data);
    });
    this.sendAll(frames, done);
  }

  override _final(done: (err?: Error | null) => void): void {
    if (!this.headersSent) this.writeHead(this.statusCode);
    if (this.sse) {
      const frames: string[] = [];
      this.sse.end((e) => {
        if (e.data && e.data !== "[DONE]") frames.push(e.data);
      });
      this.sendAll(frames, done);
    } else this.sendAll([this.wholeFrame(Buffer.concat(this.json).toString("utf8"))], done);
  }

  /** A whole JSON answer as one frame. */
  private wholeFrame(text: string): string {
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON: said as the error's message
    }
    if (this.statusCode < 400) return JSON.stringify({ type: "response.completed", response: body });
    const error =
      body && typeof body === "object" && "error" in body
        ? (body as { error: unknown }).error
        : { type: "server_error", message: typeof body === "string" ? body : `HTTP ${this.statusCode}` };
    const headers: Record<string, string> = {};
    for (const [k, v] of this.headers) if (FRAME_HEADERS.test(k) && v !== undefined) headers[k] = String(v);
    return JSON.stringify({ type: "error", status: this.statusCode, error, headers });
  }

  private sendAll(frames: string[], done: (err?: Error | null) => void): void {
    if (frames.length === 0) {
      done();
      return;
    }
    let left = frames.length;
    let failed: Error | undefined;
    for (const f of frames) {
      this.onEvent?.(f);
      this.sink.send(f, (err) => {
        failed ??= err;
        if (--left === 0) done(failed ?? null);
      });
    }
  }
}

/** The turn's answer where the pipeline expects a ServerResponse. */
export function asServerResponse(r: TurnResponse): ServerResponse {
  return r as unknown as ServerResponse;
}
