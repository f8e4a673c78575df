import type { IncomingMessage } from "node:http";
import type { ErrorInfo } from "../ir/types.js";
import { callWheel, wheelTimeout } from "./timer-wheel.js";

/** How much of a request body llmux reads, and for how long. */
export interface BodyLimits {
  /** Largest body accepted, in bytes (413 above). */
  bytes: number;
  /** Time the whole body may take to arrive, in ms (408 after). */
  timeoutMs: number;
}

/** A body that could not be read: answered with this error, and the connection is not reused. */
export class BodyRefused extends Error {
  constructor(readonly info: ErrorInfo) {
    super(info.message);
  }
}

function tooLarge(limit: number): BodyRefused {
  const mb = Math.round((limit / 1024 / 1024) * 100) / 100;
  return new BodyRefused({
    status: 413,
    kind: "request_too_large",
    message: `Request body is larger than ${mb} MB (server.body_limit_mb)`,
  });
}

function tooSlow(ms: number): BodyRefused {
  return new BodyRefused({
    status: 408,
    kind: "timeout",
    message: `The request body did not arrive within ${ms} ms (server.body_timeout_ms)`,
    code: "request_timeout",
  });
}

/**
 * Reads a request body within its limits, failing fast (without buffering the rest) once it passes
 * `limits.bytes`, or once `limits.timeoutMs` have passed. Its listeners are removed once it settles: the
 * request object lives as long as the answer streams, and listeners left on it would keep the body's chunks
 * (and the body) alive with it. Throws BodyRefused, or the stream's own error when the client went away.
 */
export function readBody(req: IncomingMessage, limits: BodyLimits): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers["content-length"]);
    if (Number.isFinite(declared) && declared > limits.bytes) {
      reject(tooLarge(limits.bytes));
      return;
    }
    // Gone already (its close came before anyone listened): nothing more will arrive.
    if (req.destroyed) {
      reject(new Error("the client closed the connection while sending its request"));
      return;
    }
    let chunks: Buffer[] = [];
    let size = 0;
    const settle = (): Buffer[] => {
      callWheel.cancel(deadline);
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("error", onError);
      req.off("close", onClose);
      const taken = chunks;
      chunks = [];
      return taken;
    };
    const onData = (c: Buffer): void => {
      size += c.length;
      if (size > limits.bytes) {
        settle();
        reject(tooLarge(limits.bytes));
        return;
      }
      chunks.push(c);
    };
    const onEnd = (): void => {
      const taken = settle();
      resolve(taken.length === 1 ? taken[0]! : Buffer.concat(taken, size));
    };
    const onError = (err: Error): void => {
      settle();
      reject(err);
    };
    const onClose = (): void => {
      settle();
      reject(new Error("the client closed the connection while sending its request"));
    };
    // On the wheel of the calls in flight (src/http/timer-wheel.ts): no timer of its own per request.
    const deadline = wheelTimeout(callWheel, limits.timeoutMs, () => {
      settle();
      reject(tooSlow(limits.timeoutMs));
    });
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("error", onError);
    req.on("close", onClose);
  });
}

/**
 * Reads at most `bytes` of a body, for at most `timeoutMs`, and returns what came (and whether that was
 * all of it). The rest stays unread: the caller answers, and `discardBody` bounds what follows.
 */
export function readPrefix(
  req: IncomingMessage,
  bytes: number,
  timeoutMs: number,
): Promise<{ prefix: Buffer; complete: boolean }> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = (complete: boolean): void => {
      callWheel.cancel(deadline);
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("error", onFail);
      req.off("close", onFail);
      req.pause();
      const all = Buffer.concat(chunks, size);
      resolve({ prefix: all.length > bytes ? all.subarray(0, bytes) : all, complete });
    };
    const onData = (c: Buffer): void => {
      chunks.push(c);
      size += c.length;
      if (size >= bytes) done(false);
    };
    const onEnd = (): void => done(true);
    const onFail = (): void => done(false);
    const deadline = wheelTimeout(callWheel, timeoutMs, () => done(false));
    if (req.readableEnded) {
      done(true);
      return;
    }
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("error", onFail);
    req.on("close", onFail);
  });
}

/** The requests whose body is being discarded (a second call, the refusal's after the route's, adds nothing). */
const discarding = new WeakSet<IncomingMessage>();

/**
 * After an answer given without reading the body (a refusal, a 404): the rest of the body is discarded
 * as it arrives, never buffered, and the connection is cut once more than `limits.bytes` arrive or the body
 * takes longer than `limits.timeoutMs` (a client trickling bytes holds nothing for long).
 */
export function discardBody(req: IncomingMessage, limits: BodyLimits): void {
  if (req.readableEnded || req.destroyed || discarding.has(req)) return;
  discarding.add(req);
  let size = 0;
  const cut = (): void => {
    finish();
    req.socket.destroy();
  };
  const onData = (c: Buffer): void => {
    size += c.length;
    if (size > limits.bytes) cut();
  };
  const finish = (): void => {
    callWheel.cancel(deadline);
    req.off("data", onData);
    req.off("end", finish);
    req.off("close", finish);
  };
  const deadline = wheelTimeout(callWheel, limits.timeoutMs, cut);
  req.on("data", onData);
  req.on("end", finish);
  req.on("close", finish);
  req.resume();
}
