import type { Matched } from "../request/route.js";
import { decodePathSegment } from "../text/path-segment.js";

/**
 * The route with the name its path carries, decoded; a segment whose percent-encoding is malformed is kept as
 * sent in `malformed`, and the request is refused with a 400 in the route's dialect (never a throw: a 500).
 */
export function named(route: Matched, field: "model" | "responseId" | "server", segment: string): Matched {
  const text = decodePathSegment(segment);
  return text === undefined ? { ...route, malformed: segment } : { ...route, [field]: text };
}
