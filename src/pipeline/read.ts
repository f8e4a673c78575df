import { decodeJson } from "../http/decode-json.js";
import { InflateRefused, inflateBody } from "../http/inflate.js";
import { type BodyLimits, BodyRefused, readBody } from "../http/read-body.js";
import { header } from "../http/reply.js";
import type { Dialect } from "../ir/types.js";
import type { RequestBody } from "../request/body.js";
import { answerError, type Exchange } from "./exchange.js";

/**
 * The read+decode stage: the body within its limits (413 past its size, 408 past its time), decompressed by
 * its content-encoding (413 once it would inflate past the same size), as JSON; the error is answered in the
 * client's dialect and undefined returned when it is not acceptable.
 */
export async function read(ex: Exchange, dialect: Dialect, limits: BodyLimits): Promise<RequestBody | undefined> {
  // A client that left while it was being identified (a key looked up in a database) has no body to wait for.
  if (ex.signal.aborted || ex.req.destroyed) return undefined;
  let raw: Buffer;
  try {
    raw = await readBody(ex.req, limits);
  } catch (err) {
    if (err instanceof BodyRefused) {
      answerError(ex, dialect, err.info, { close: true });
      return undefined;
    }
    if (ex.signal.aborted || ex.req.destroyed) return undefined;
    throw err;
  }
  const encoding = header(ex.req.headers, "content-encoding");
  if (encoding) {
    try {
      raw = await inflateBody(raw, encoding, limits.bytes);
    } catch (err) {
      if (!(err instanceof InflateRefused)) throw err;
      answerError(ex, dialect, err.info);
      return undefined;
    }
  }
  ex.trail.capture?.request(raw);
  const decoded = decodeJson(raw);
  if (!decoded.ok) {
    answerError(ex, dialect, decoded.error);
    return undefined;
  }
  return { json: decoded.json, raw };
}
