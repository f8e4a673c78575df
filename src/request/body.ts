import type { Json } from "../ir/types.js";

/**
 * A request body as the read+decode stage returns it: parsed once, and the bytes as they came (a passthrough
 * copies what it does not change).
 */
export interface RequestBody {
  json: Json;
  raw: Buffer;
}
