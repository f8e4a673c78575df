import type { Json } from "../ir/types.js";

/** An upstream event's data parsed as JSON; `undefined` when it is not JSON (see `notJsonMessage`). */
export function eventJson(data: string): Json | undefined {
  try {
    return JSON.parse(data) as Json;
  } catch {
    return undefined;
  }
}

/** What a stream decoder reports when an event's data is not JSON: the stream cannot be read past it. */
export function notJsonMessage(data: string): string {
  return `upstream sent an event that is not JSON: ${data.slice(0, 200)}`;
}
