/**
 * SSE serialisation. Payloads are JSON text, which never contains a raw line break, so the fast path is a
 * single `data:` line; anything else is split into one `data:` line per line.
 */
export function sseData(data: string): string {
  if (data.indexOf("\n") === -1 && data.indexOf("\r") === -1) return `data: ${data}\n\n`;
  return `${data
    .split(/\r\n|\r|\n/)
    .map((l) => `data: ${l}`)
    .join("\n")}\n\n`;
}

export function sseEvent(event: string, data: string): string {
  return `event: ${event}\n${sseData(data)}`;
}

export function sseComment(text: string): string {
  return `: ${text.replace(/[\r\n]+/g, " ")}\n\n`;
}

export const SSE_DONE = "data: [DONE]\n\n";
