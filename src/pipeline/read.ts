import { decodeJson } from "../http/decode-json.js";
import { type BodyLimits, BodyRefused, readBody } from "../http/read-body.js";
import type { Dialect } from "../ir/types.js";
import { answerError, type Exchange } from "./exchange.js";
import type { RequestBody } from "./generate.js";

/**
 * The read+decode stage: the body within its limits (413 past its size, 408 past its time), as JSON; the
 * error is answered in the client's dialect and undefined returned when it is not acceptable.
 */
export async function read(ex: Exchange, dialect: Dialect, limits: BodyLimits): Promise<RequestBody | undefined> {
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
  ex.trail.capture?.request(raw);
  const decoded = decodeJson(raw);
  if (!decoded.ok) {
    answerError(ex, dialect, decoded.error);
    return undefined;
  }
  return { json: decoded.json, raw };
}
