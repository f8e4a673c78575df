/**
 * A URL path segment's text, or undefined when its percent-encoding is malformed (`%ZZ`, a lone `%`, bytes that
 * are not UTF-8). Every route that takes a name from the path decodes through here: `decodeURIComponent` throws
 * on such input, and a throw while routing was a 500 with a stack in the log.
 */
export function decodePathSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}
