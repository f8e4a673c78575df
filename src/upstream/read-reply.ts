import type { IncomingMessage } from "node:http";
import { BodyTooLarge } from "../http/whole-body.js";

/** What the call that owns a response learns while its body is read whole. */
export interface ReplyWatch {
  /** A chunk came. */
  chunk(c: Buffer): void;
  /** The body ended (`err` undefined) or failed: the call is over. Gives the error to reject with, if any. */
  over(err: Error | undefined): Error | undefined;
}

/** A response that ended before its declared length, or closed without ending (read whole or chunk by chunk). */
export const cutMidResponse = (): Error => new Error("the upstream closed the connection mid-response");

/**
 * Reads the rest of an upstream response whole, by its events: a JSON answer is usually one or two chunks,
 * and reading it through the stream's async iterator and a generator cost a few promises, an iterator and
 * its listeners a request for nothing. Past `max` bytes it stops with BodyTooLarge and destroys the response
 * (the connection is not reused), as a consumer leaving a for-await loop did. A response that ends before its
 * declared length, or closes without ending, is an error. Its listeners are removed once it settles.
 */
export function readReply(res: IncomingMessage, max: number, watch: ReplyWatch): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    let chunks: Buffer[] = [];
    let size = 0;
    const finish = (err: Error | undefined): void => {
      res.off("data", onData);
      res.off("end", onEnd);
      res.off("error", onError);
      res.off("close", onClose);
      const failed = watch.over(err);
      if (failed) {
        // A late error of a response given up on has no one else to hear it.
        res.on("error", ignore);
        reject(failed);
        return;
      }
      const taken = chunks;
      chunks = [];
      resolve(taken.length === 1 ? taken[0]! : Buffer.concat(taken, size));
    };
    const onData = (c: Buffer): void => {
      if (size + c.length > max) {
        finish(new BodyTooLarge(max));
        res.destroy();
        return;
      }
      chunks.push(c);
      size += c.length;
      watch.chunk(c);
    };
    const onEnd = (): void => finish(res.complete ? undefined : cutMidResponse());
    const onError = (err: Error): void => finish(err);
    const onClose = (): void => finish(res.errored ?? cutMidResponse());
    if (res.destroyed) {
      finish(res.errored ?? cutMidResponse());
      return;
    }
    res.on("data", onData);
    res.on("end", onEnd);
    res.on("error", onError);
    res.on("close", onClose);
  });
}

function ignore(): void {}
