import { deserializeMessage } from "@modelcontextprotocol/sdk/shared/stdio.js";
import type { JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";

/**
 * The lines a stdio MCP server writes, each one JSON-RPC message, with the SDK's ReadBuffer interface
 * (`append`, `readMessage`, `clear`) and its error past the bound. The SDK's own concatenates everything
 * unread on every chunk: a 16 MB line in 64 KB chunks copied 2 GB on the event loop. Here a line's pieces are
 * kept apart and joined once, when its end comes.
 */
export class LineBuffer {
  private pieces: Buffer[] = [];
  private size = 0;
  private lines: Buffer[] = [];

  constructor(private readonly maxBytes: number) {}

  append(chunk: Buffer): void {
    let start = 0;
    for (let nl = chunk.indexOf(10); nl !== -1; nl = chunk.indexOf(10, start)) {
      this.pieces.push(chunk.subarray(start, nl));
      this.lines.push(this.pieces.length === 1 ? this.pieces[0]! : Buffer.concat(this.pieces));
      this.pieces = [];
      this.size = 0;
      start = nl + 1;
    }
    if (start >= chunk.length) return;
    this.size += chunk.length - start;
    if (this.size > this.maxBytes) {
      this.clear();
      throw new Error(`ReadBuffer exceeded maximum size of ${this.maxBytes} bytes`);
    }
    this.pieces.push(chunk.subarray(start));
  }

  readMessage(): JSONRPCMessage | null {
    const line = this.lines.shift();
    if (line === undefined) return null;
    return deserializeMessage(line.toString("utf8").replace(/\r$/, ""));
  }

  clear(): void {
    this.pieces = [];
    this.size = 0;
    this.lines = [];
  }
}

/** Puts a LineBuffer in place of the SDK stdio transport's own read buffer (when the SDK has one where it is expected). */
export function withLineBuffer<T extends object>(transport: T, maxBytes: number): T {
  const slot = transport as unknown as { _readBuffer?: { append?: unknown; readMessage?: unknown } };
  if (typeof slot._readBuffer?.append === "function" && typeof slot._readBuffer.readMessage === "function")
    (slot as { _readBuffer: unknown })._readBuffer = new LineBuffer(maxBytes);
  return transport;
}
