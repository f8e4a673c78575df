import type { ServerResponse } from "node:http";

/**
 * Makes the head node:http keeps for a response one flat string. Node builds the head of a response by
 * appending each header line to a string, which V8 keeps as a tree of pieces (about forty for llmux's event
 * streams, 1.1 KB), and node holds it on the response until the response ends: with hours of streams open,
 * every stream held that tree. Reading one character flattens a string in place (the same text, in one
 * piece, about 300 bytes here), and the pieces are free. Node reads the head only to send it and to know it
 * was made; neither changes.
 */
export function flattenHead(res: ServerResponse): void {
  const head = (res as unknown as { _header?: unknown })._header;
  if (typeof head === "string" && head.length > 0) head.charCodeAt(0);
}
