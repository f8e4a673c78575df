import type { Transport, TransportSendOptions } from "@modelcontextprotocol/sdk/shared/transport.js";
import { ErrorCode, type JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";
import { BOUNDED_RESULTS, MCP_MESSAGE_BYTES, resultProblem } from "./result-bounds.js";

type Id = string | number;
type MessageExtra = Parameters<NonNullable<Transport["onmessage"]>>[1];

/** The error a stdio transport of the SDK reports when a line passes its `maxBufferSize`. */
const STDIO_OVERFLOW = /ReadBuffer exceeded maximum size/;

/**
 * An upstream MCP server's transport with llmux's bounds in front of the SDK's client: the result of a tool
 * call, a prompt or a resource over `MCP_RESULT_LIMITS` reaches the SDK as a JSON-RPC error naming the bound,
 * before the SDK validates it (zod, over every part) and before llmux scrubs it; a message over
 * `MCP_MESSAGE_BYTES` as sent fails the requests it answers (or, on stdio, those on their way: the connection
 * is closed) with an error naming that bound.
 */
export class BoundedTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: Transport["onmessage"];
  /** Requests whose results are bounded, by id, with their method. */
  private readonly pending = new Map<Id, string>();

  constructor(readonly inner: Transport) {
    inner.onmessage = (m, extra) => this.receive(m, extra);
    inner.onerror = (err) => {
      if (STDIO_OVERFLOW.test(err.message)) this.failAll(oversized());
      this.onerror?.(err);
    };
    inner.onclose = () => {
      this.pending.clear();
      this.onclose?.();
    };
  }

  get sessionId(): string | undefined {
    return this.inner.sessionId;
  }

  /** A stdio server's process id (the admin view, tests). */
  get pid(): number | null | undefined {
    return (this.inner as { pid?: number | null }).pid;
  }

  /** A stdio server's stderr (logged at debug level). */
  get stderr(): NodeJS.ReadableStream | null | undefined {
    return (this.inner as { stderr?: NodeJS.ReadableStream | null }).stderr;
  }

  setProtocolVersion(version: string): void {
    this.inner.setProtocolVersion?.(version);
  }

  start(): Promise<void> {
    return this.inner.start();
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    const m = message as { id?: Id; method?: string; params?: { requestId?: Id } };
    if (m.id !== undefined && m.method !== undefined && m.method in BOUNDED_RESULTS) this.pending.set(m.id, m.method);
    else if (m.method === "notifications/cancelled" && m.params?.requestId !== undefined)
      this.pending.delete(m.params.requestId);
    return this.inner.send(message, options);
  }

  /** Answers the given requests (those of an HTTP answer over the bound) with an error naming the bound. */
  fail(ids: readonly Id[], message: string): void {
    for (const id of ids) if (this.pending.delete(id)) this.deliver(errorFor(id, message));
  }

  private failAll(message: string): void {
    this.fail([...this.pending.keys()], message);
  }

  private receive(message: JSONRPCMessage, extra?: MessageExtra): void {
    const m = message as { id?: Id; result?: unknown; error?: unknown; method?: string };
    if (m.method === undefined && m.id !== undefined) {
      const method = this.pending.get(m.id);
      if (method !== undefined) {
        this.pending.delete(m.id);
        const problem = m.result !== undefined ? resultProblem(m.result, method) : undefined;
        if (problem) {
          this.deliver(errorFor(m.id, problem), extra);
          return;
        }
      }
    }
    this.deliver(message, extra);
  }

  private deliver(message: JSONRPCMessage, extra?: MessageExtra): void {
    this.onmessage?.(message, extra);
  }
}

export const oversized = () =>
  `The MCP server sent a message larger than ${MCP_MESSAGE_BYTES / 1024 / 1024} MB; llmux reads none larger (its connection was closed)`;

const errorFor = (id: Id, message: string): JSONRPCMessage => ({
  jsonrpc: "2.0",
  id,
  error: { code: ErrorCode.InternalError, message },
});
