import { type ClientRequest, Agent as HttpAgent, request as httpRequest, type IncomingMessage } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import { type AbortLike, signalOf } from "../http/abort-flag.js";
import { callWheel, type TimerWheel, wheelTimeout } from "../http/timer-wheel.js";
import { type ReadsWhole, readWhole } from "../http/whole-body.js";
import type { ErrorInfo, UpstreamDialect } from "../ir/types.js";
import { isEventStream } from "../providers/aws-event-stream.js";
import type { OutgoingCall, Provider, UpstreamTarget } from "../providers/types.js";
import { type AttemptClock, chunkArrived, timedBody } from "../request/timing.js";
import { capFrames } from "./cap-frames.js";
import { headerList } from "./header-list.js";
import { IdleWatch } from "./idle-watch.js";
import type { StartVerdict } from "./inspect.js";
import { closingWhenIdle, withoutRequestFields } from "./lean-agent.js";
import { parsedUrl } from "./parsed-url.js";
import { cutMidResponse, readReply } from "./read-reply.js";
import { type AnswerLimits, AnswerTooLarge, capTotal, MB, screenReply, type WholeAnswer } from "./screen.js";
import type { UsageTap } from "./usage-tap.js";

export interface UpstreamReply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: AsyncIterable<Uint8Array>;
  /** Discards the rest of the body. */
  dump(): Promise<void>;
  /** A 2xx JSON answer as the screen read it: its text and parse (the body replays the same text). */
  whole?: WholeAnswer | undefined;
  /** What llmux holds of one answer at most (the pool's limits). */
  limits?: AnswerLimits | undefined;
  /**
   * The start of its stream as the attempt loop's inspection judged it (src/upstream/inspect.ts): the wire
   * format's verdict, and the tap that watches the rest as it is relayed (passthrough streams).
   */
  inspected?: { readonly screen?: StartVerdict | undefined; readonly tap?: UsageTap | undefined } | undefined;
}

/**
 * Keep-alive connection pools, shared by every provider: node's own HTTP client, whose native parser costs
 * a fraction of the memory of a userland one (llmux's idle footprint is a target). No cap on connections
 * per origin: every open client stream holds one upstream connection, and a cap would queue streams
 * behind others. Idle connections close after 30 s; the most recently used is reused first.
 */
export class UpstreamPool {
  readonly http: HttpAgent;
  readonly https: HttpsAgent;
  /** The deadlines of the calls in flight (one coarse timer for all of them). */
  readonly wheel: TimerWheel = callWheel;

  /** `idleMs`: how long a pooled connection may stay unused (closingWhenIdle in lean-agent.ts). */
  constructor(
    readonly limits: AnswerLimits = DEFAULT_LIMITS,
    idleMs = 30_000,
  ) {
    const options = {
      keepAlive: true,
      maxSockets: Number.POSITIVE_INFINITY,
      maxFreeSockets: 256,
      scheduling: "lifo" as const,
    };
    this.http = closingWhenIdle(withoutRequestFields(new HttpAgent(options)), idleMs);
    this.https = closingWhenIdle(withoutRequestFields(new HttpsAgent(options)), idleMs);
  }

  close(): void {
    this.http.destroy();
    this.https.destroy();
  }
}

export const DEFAULT_LIMITS: AnswerLimits = { eventBytes: 16 * MB, answerBytes: 64 * MB };

export function createPool(limits: AnswerLimits = DEFAULT_LIMITS): UpstreamPool {
  return new UpstreamPool(limits);
}

export class UpstreamFailure extends Error {
  constructor(readonly info: ErrorInfo) {
    super(info.message);
  }
}

class UpstreamTimeout extends Error {}

function failure(err: unknown, provider: Provider, url: URL): UpstreamFailure {
  const e = err as Error & { code?: string };
  const where = `${provider.name} (${url.host})`;
  if (e instanceof UpstreamTimeout) {
    return new UpstreamFailure({ status: 504, kind: "timeout", message: `upstream ${where} did not answer in time` });
  }
  return new UpstreamFailure({
    status: 502,
    kind: "server",
    message: `upstream ${where} is unreachable: ${e.code ?? e.message}`,
  });
}

/**
 * POSTs a body to a provider (or runs its in-process handler) and returns the streaming reply. The
 * provider's timeout bounds the wait for the response headers and every silence of the upstream after them:
 * only while llmux waits for the next chunk, never while the client is slow to take the last one.
 */
export async function callUpstream(
  pool: UpstreamPool,
  provider: Provider,
  target: UpstreamTarget,
  body: string | Buffer,
  signal: AbortLike,
  expect?: UpstreamDialect,
  clock?: AttemptClock,
): Promise<UpstreamReply> {
  if (provider.prepareCall) ({ body, ...target } = await prepared(provider, { ...target, body }, signal, pool.wheel));
  let reply = await send(pool, provider, target, body, signal, clock);
  if (clock) {
    clock.headersAt = performance.now();
    clock.waitMs += clock.headersAt - clock.startAt;
    clock.status = reply.status;
  }
  // An event stream's messages are bounded by their declared length, before AWS's decoder holds any of them.
  if (isEventStream(reply)) reply = { ...reply, body: capFrames(reply.body, pool.limits.eventBytes) };
  if (provider.adaptReply) reply = { ...(await provider.adaptReply(reply)) };
  const where = provider.local ? provider.name : `${provider.name} (${parsedUrl(target.url).url.host})`;
  const screened = await screenReply(reply, provider.dialect, expect, pool.limits, where);
  return { ...screened, limits: pool.limits };
}

/**
 * The call after the provider's last step (its auth, its body quirks), bounded like the call itself by the
 * provider's timeout (a token endpoint that does not answer) and by the client going away; a failure there
 * names the provider.
 */
async function prepared(
  provider: Provider,
  call: OutgoingCall,
  signal: AbortLike,
  wheel: TimerWheel,
): Promise<OutgoingCall> {
  // The client's signal and the provider's timeout (a deadline on the wheel, not a timer of its own) in one.
  const bound = new AbortController();
  const bounded = bound.signal;
  const leave = (): void => bound.abort(signal.reason);
  if (signal.aborted) leave();
  else signal.addEventListener("abort", leave, { once: true });
  const deadline = wheelTimeout(wheel, provider.timeoutMs, () =>
    bound.abort(new DOMException("The operation was aborted due to timeout", "TimeoutError")),
  );
  let stop: (() => void) | undefined;
  const stopped = new Promise<never>((_, reject) => {
    stop = () => reject(bounded.reason);
    if (bounded.aborted) stop();
    else bounded.addEventListener("abort", stop, { once: true });
  });
  try {
    return await Promise.race([provider.prepareCall!(call, bounded), stopped]);
  } catch (err) {
    if (signal.aborted || err instanceof UpstreamFailure) throw err;
    if (bounded.aborted)
      throw new UpstreamFailure({
        status: 504,
        kind: "timeout",
        message: `upstream ${provider.name}: its credentials did not come in time`,
      });
    throw new UpstreamFailure({
      status: 502,
      kind: "server",
      message: `upstream ${provider.name}: the request could not be prepared: ${(err as Error).message}`,
    });
  } finally {
    wheel.cancel(deadline);
    signal.removeEventListener("abort", leave);
    if (stop) bounded.removeEventListener("abort", stop);
    stopped.catch(() => undefined);
  }
}

async function send(
  pool: UpstreamPool,
  provider: Provider,
  target: UpstreamTarget,
  body: string | Buffer,
  signal: AbortLike,
  clock: AttemptClock | undefined,
): Promise<UpstreamReply> {
  if (provider.local) {
    const r = await provider.local(JSON.parse(body.toString()), signalOf(signal), target);
    const b = clock ? timedBody(r.body, clock) : r.body;
    return { status: r.status, headers: r.headers, body: b, dump: async () => undefined };
  }
  const to = parsedUrl(target.url);
  const payload = typeof body === "string" ? Buffer.from(body) : body;
  const req = (to.secure ? httpsRequest : httpRequest)({
    protocol: to.protocol,
    hostname: to.hostname,
    port: to.port,
    path: to.path,
    method: "POST",
    agent: to.secure ? pool.https : pool.http,
    // Compressed answers would be decoded (see screenReply), but llmux asks for none: it relays streams as they come.
    headers: headerList(
      { "accept-encoding": "identity", ...target.headers, "content-length": String(payload.length) },
      to.url.host,
    ),
  });
  const call = new WireCall(req, provider, to.url, signal, clock, pool.wheel);
  const reply = call.reply();
  req.end(payload);
  return reply;
}

/**
 * One request on the wire and its reply. Every wait for the upstream (the connection and the response
 * headers, then each next chunk of the body) is bounded by the provider's timeout through one IdleWatch on
 * the pool's timer wheel, and the client going away (the signal) destroys the request; both are dropped
 * when the call is over. The listeners live as long as the request does (the whole stream), so they are
 * made here, where the request body is out of reach: an open stream does not hold its request.
 */
class WireCall {
  private res: IncomingMessage | undefined;
  private readonly idle: IdleWatch;
  /** Bytes the socket had written when the headers' wait was last extended (a body still being sent). */
  private written = 0;

  constructor(
    private readonly req: ClientRequest,
    private readonly provider: Provider,
    private readonly url: URL,
    private readonly signal: AbortLike,
    private readonly clock: AttemptClock | undefined,
    wheel: TimerWheel,
  ) {
    this.idle = new IdleWatch(provider.timeoutMs, () => this.timedOut(), wheel);
    signal.addEventListener("abort", this);
    if (signal.aborted) this.handleEvent();
  }

  reply(): Promise<UpstreamReply> {
    const { req, signal } = this;
    this.idle.begin();
    return new Promise<UpstreamReply>((resolve, reject) => {
      req.on("error", (err) => {
        this.over();
        reject(signal.aborted ? err : failure(err, this.provider, this.url));
      });
      // A 101 (an upstream switching protocols) is no answer: the socket is closed and screenReply makes it a 502.
      req.on("upgrade", (res: IncomingMessage, socket) => {
        this.over();
        socket.destroy();
        resolve({
          status: res.statusCode ?? 101,
          headers: res.headers,
          body: emptyBody(),
          dump: async () => undefined,
        });
      });
      req.on("response", (res: IncomingMessage) => {
        // From here the watch times the upstream's silences only (bodyOf), never a paused reader's.
        this.idle.end();
        this.res = res;
        const body: AsyncIterable<Uint8Array> & ReadsWhole = {
          [Symbol.asyncIterator]: () => this.body(),
          readWhole: (max) => this.whole(max),
        };
        resolve({
          status: res.statusCode ?? 502,
          headers: res.headers,
          body,
          dump: () => this.drain(),
        });
      });
    });
  }

  /** The client went away (the signal's abort event): the request goes, as http.request's own signal did. */
  handleEvent(): void {
    const err = new Error("The operation was aborted", { cause: this.signal.reason });
    Object.assign(err, { name: "AbortError", code: "ABORT_ERR" });
    this.req.destroy(err);
  }

  /** The call is over: no deadline and no listener are left behind. */
  private over(): void {
    this.idle.stop();
    this.signal.removeEventListener("abort", this);
  }

  /** The upstream was silent for the provider's timeout while llmux waited for it. */
  private timedOut(): void {
    if (this.res) {
      this.res.destroy(new UpstreamTimeout());
      return;
    }
    // A request body still being written (a large one, a slow link) is not the upstream's silence.
    const socket = this.req.socket;
    if (socket && !this.req.writableFinished && socket.bytesWritten !== this.written) {
      this.written = socket.bytesWritten;
      this.idle.begin();
      return;
    }
    this.req.destroy(new UpstreamTimeout());
  }

  /**
   * The reply's body; a stall or a broken connection mid-way is a failure naming the provider. The watch
   * runs only while the next chunk is awaited: between two pulls the consumer (and the client behind it)
   * holds the stream, and however long it takes is not the upstream's silence.
   */
  private async *body(): AsyncGenerator<Uint8Array> {
    const res = this.res!;
    const { idle, clock } = this;
    const chunks = res[Symbol.asyncIterator]();
    let finished = false;
    try {
      for (;;) {
        const t0 = clock ? performance.now() : 0;
        let next: IteratorResult<unknown>;
        idle.begin();
        try {
          next = await chunks.next();
        } finally {
          idle.end();
        }
        if (clock) {
          // The time llmux had nothing to do but wait for the upstream (the llmux-overhead-ms definition).
          const at = performance.now();
          if (next.done) clock.waitMs += at - t0;
          else chunkArrived(clock, next.value as Buffer, at - t0, at);
        }
        if (next.done) break;
        yield next.value as Buffer;
      }
      finished = true;
    } catch (err) {
      finished = true;
      throw err instanceof UpstreamTimeout ? failure(err, this.provider, this.url) : err;
    } finally {
      this.over();
      // A consumer that stops early (the client went away) lets go of the upstream connection, as for-await did.
      if (!finished) await chunks.return?.();
    }
    if (!res.complete) throw cutMidResponse();
  }

  /**
   * The reply's body read whole (readWhole in src/http/whole-body.ts): the same watch and clock as body(),
   * without an iterator; the upstream keeps llmux waiting from the first byte to the last.
   */
  private whole(max: number): Promise<Buffer> {
    const { idle, clock } = this;
    let t0 = clock ? performance.now() : 0;
    idle.begin();
    return readReply(this.res!, max, {
      chunk: (c) => {
        idle.begin();
        if (!clock) return;
        const at = performance.now();
        chunkArrived(clock, c, at - t0, at);
        t0 = at;
      },
      over: (err) => {
        this.over();
        if (clock && !err) clock.waitMs += performance.now() - t0;
        return err instanceof UpstreamTimeout ? failure(err, this.provider, this.url) : err;
      },
    });
  }

  private drain(): Promise<void> {
    this.over();
    const res = this.res!;
    return new Promise((resolve) => {
      if (res.complete || res.destroyed) {
        resolve();
        return;
      }
      res.once("end", resolve);
      res.once("close", resolve);
      res.resume();
    });
  }
}

async function* emptyBody(): AsyncGenerator<Uint8Array> {}

/**
 * Reads a whole answer of the upstream within the pool's answer limit; a body cut mid-way or too large is
 * an UpstreamFailure (502) naming why.
 */
export async function readAnswer(pool: UpstreamPool, body: AsyncIterable<Uint8Array>): Promise<string> {
  try {
    return (await readWhole(capTotal(body, pool.limits.answerBytes))).toString("utf8");
  } catch (err) {
    const why = err instanceof AnswerTooLarge ? err.message : `its answer was cut mid-body (${(err as Error).message})`;
    throw new UpstreamFailure({ status: 502, kind: "server", message: `upstream: ${why}` });
  }
}
