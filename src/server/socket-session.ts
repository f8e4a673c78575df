import type { IncomingMessage } from "node:http";
import type { WebSocket } from "ws";
import type { WebsocketSettings } from "../config/websocket-settings.js";
import { decodeJson } from "../http/decode-json.js";
import { errorReply } from "../http/reply.js";
import { isRefusal } from "../identity/identify.js";
import { describe, isObject } from "../ir/input-error.js";
import type { ErrorInfo, Json, JsonObject } from "../ir/types.js";
import { type ServeParts, serve } from "./serve.js";
import { prewarmEvents, TurnMemory } from "./socket-memory.js";
import { asServerResponse, TurnResponse, turnRequest } from "./socket-turn.js";

/** The in-band error a Responses socket sends (Codex reads `status` and `error`). */
export function errorFrame(info: ErrorInfo): string {
  const { status, body } = errorReply("openai-responses", info);
  return JSON.stringify({ type: "error", status, error: (body as { error?: Json }).error ?? body });
}

/** Turns a socket holds waiting behind the one it serves; one more `response.create` is refused with an error frame. */
export const MAX_QUEUED_TURNS = 1;

/**
 * Bytes a socket may have waiting for its client (`bufferedAmount`) before llmux writes another frame; past
 * them the client is not reading and the socket is cut instead of written to.
 */
export const WEBSOCKET_BACKLOG_BYTES = 8 * 1024 * 1024;

const invalid = (message: string, param?: string): ErrorInfo => ({
  status: 400,
  kind: "invalid_request",
  message,
  param: param ?? null,
});

/** Headers a frame carries in its `client_metadata` (Codex's turn metadata, on a socket). */
function turnHeaders(frame: JsonObject): Record<string, string> {
  const meta = frame.client_metadata;
  const out: Record<string, string> = {};
  if (isObject(meta) && typeof meta["x-codex-turn-metadata"] === "string")
    out["x-codex-turn-metadata"] = meta["x-codex-turn-metadata"];
  return out;
}

/** A frame as a turn to serve, or why it is not one (undefined: nothing to answer). */
function parseFrame(data: Buffer, isBinary: boolean): JsonObject | string | undefined {
  if (isBinary) return "Binary frames are not accepted; send response.create as text.";
  // As a request body is read: within its count of arrays and objects and its depth (a frame nested 16,000
  // deep overflowed the stack when its turn was serialised, and nothing caught it: the process ended).
  const decoded = decodeJson(data);
  if (!decoded.ok)
    return decoded.error.message.startsWith("Request body is not valid JSON")
      ? "The frame is not valid JSON."
      : decoded.error.message.replace(/^Request body/, "The frame");
  const msg = decoded.json;
  if (!isObject(msg)) return "A frame must be a JSON object.";
  // The client saying it has read a Response: nothing to answer.
  if (msg.type === "response.processed") return undefined;
  if (msg.type !== "response.create")
    // Named without converting it: a type of `[{"toString": false}]` threw from String(), and nothing caught it.
    return typeof msg.type === "object" && msg.type !== null
      ? `Unsupported frame type (${describe(msg.type)}); send response.create.`
      : `Unsupported frame type '${String(msg.type).slice(0, 64)}'; send response.create.`;
  return msg;
}

/**
 * One Responses WebSocket: `response.create` frames, each a turn served by the same pipeline as an HTTP
 * request (identify → read → plan → admit → restore → attempts → respond → settle, once per turn), one
 * at a time, in the order they came. The socket remembers its last Response, so a turn that names it in
 * `previous_response_id` carries the conversation so far to any upstream (as OpenAI's socket does, also
 * with `store: false`). `generate: false` (a prewarm) is answered here: no upstream call.
 */
export class SocketSession {
  private readonly queue: JsonObject[] = [];
  private running = false;
  private readonly memory = new TurnMemory();
  private readonly openedAt = Date.now();
  private idle: NodeJS.Timeout | undefined;
  private current: TurnResponse | undefined;
  /** Turns served (for the close's log line). */
  turns = 0;

  constructor(
    private readonly ws: WebSocket,
    private readonly upgrade: IncomingMessage,
    private readonly path: string,
    private readonly parts: ServeParts,
    private readonly settings: WebsocketSettings,
    private readonly closed: (code: number) => void,
  ) {
    ws.on("message", (data, isBinary) => this.frame(data as Buffer, isBinary));
    ws.on("close", (code) => {
      clearTimeout(this.idle);
      this.current?.destroy();
      // Nothing of the socket's is kept once it closed: its queued turn, what it remembered.
      this.queue.length = 0;
      this.memory.clear();
      this.closed(code);
    });
    ws.on("error", () => undefined);
    this.armIdle();
  }

  /** Whether a turn is being served. */
  get busy(): boolean {
    return this.running;
  }

  /** Turns waiting behind the one being served. */
  get queued(): number {
    return this.queue.length;
  }

  /** Closes the socket once its turn (if one is running) is over. */
  closeWhenIdle(code: number, reason: string): void {
    this.closing = { code, reason };
    if (!this.running) this.ws.close(code, reason);
  }

  private closing: { code: number; reason: string } | undefined;

  /** Cuts the socket (its turn, if one runs, is aborted). */
  terminate(): void {
    this.ws.terminate();
  }

  private armIdle(): void {
    clearTimeout(this.idle);
    this.idle = setTimeout(() => this.ws.close(1000, "idle timeout"), this.settings.idleMs);
    this.idle.unref();
  }

  private send(text: string): void {
    if (this.ws.readyState === this.ws.OPEN && this.roomFor()) this.ws.send(text);
  }

  /** Whether the client reads what it is sent; one that does not is cut (and false answered). */
  private roomFor(): boolean {
    if (this.ws.bufferedAmount <= WEBSOCKET_BACKLOG_BYTES) return true;
    this.parts.logger.warn(
      { path: this.path, buffered: this.ws.bufferedAmount },
      `websocket cut: its client does not read (over ${WEBSOCKET_BACKLOG_BYTES / 1024 / 1024} MB waiting for it)`,
    );
    this.ws.terminate();
    return false;
  }

  private frame(data: Buffer, isBinary: boolean): void {
    const msg = parseFrame(data, isBinary);
    if (typeof msg === "string") this.send(errorFrame(invalid(msg, msg.includes("frame type") ? "type" : undefined)));
    else if (msg) {
      if (this.running && this.queue.length >= MAX_QUEUED_TURNS) {
        this.send(
          errorFrame({
            status: 429,
            kind: "rate_limit",
            code: "websocket_turn_queue_full",
            message: `A turn is being served and ${MAX_QUEUED_TURNS} more is waiting on this socket; send response.create once a turn has ended.`,
          }),
        );
        return;
      }
      this.queue.push(msg);
      void this.drain();
    }
  }

  private async drain(): Promise<void> {
    if (this.running) return;
    this.running = true;
    clearTimeout(this.idle);
    try {
      for (let next = this.queue.shift(); next; next = this.queue.shift()) await this.guarded(next);
    } finally {
      this.running = false;
      if (this.closing) this.ws.close(this.closing.code, this.closing.reason);
      else if (this.ws.readyState === this.ws.OPEN) this.armIdle();
    }
  }

  /**
   * One turn, whatever it throws: a failure is logged and answered with an error frame (as an HTTP request's is
   * answered 500), never left to end the process.
   */
  private async guarded(frame: JsonObject): Promise<void> {
    try {
      await this.turn(frame);
    } catch (err) {
      this.parts.logger.error({ err, path: this.path }, "websocket turn failed");
      this.send(errorFrame({ status: 500, kind: "server", message: "internal error" }));
    }
  }

  private async turn(frame: JsonObject): Promise<void> {
    if (this.ws.readyState !== this.ws.OPEN) return;
    if (Date.now() - this.openedAt > this.settings.maxMs) {
      this.send(
        errorFrame({
          status: 400,
          kind: "invalid_request",
          code: "websocket_connection_limit_reached",
          message: `This socket is older than server.websocket.max_lifetime_ms (${this.settings.maxMs} ms); open a new one to continue.`,
        }),
      );
      this.closeWhenIdle(1000, "maximum lifetime reached");
      return;
    }
    this.turns++;
    const { type: _type, generate, ...body } = frame;
    const expanded = this.memory.expand(body);
    if (generate === false) return this.prewarm(expanded);
    expanded.stream = true;
    const res = new TurnResponse({
      send: (text, done) => {
        if (this.ws.readyState !== this.ws.OPEN) return done(new Error("the socket closed"));
        if (!this.roomFor()) return done(new Error("the client does not read"));
        this.ws.send(text, done);
      },
    });
    res.on("error", () => undefined);
    const seen = this.memory.watch(expanded);
    res.onEvent = (data) => seen.event(data);
    this.current = res;
    try {
      const req = turnRequest(this.upgrade, this.path, Buffer.from(JSON.stringify(expanded)), turnHeaders(frame));
      await serve(this.parts, req, asServerResponse(res), "websocket");
    } finally {
      this.current = undefined;
    }
    seen.done();
  }

  /** A prewarm: the caller is checked, the request remembered, an empty Response answered. */
  private async prewarm(body: JsonObject): Promise<void> {
    const who = await this.parts.identifier.identify(this.upgrade.headers);
    if (isRefusal(who)) return this.send(errorFrame({ status: 401, kind: "authentication", message: who.message }));
    const model = typeof body.model === "string" ? body.model : "";
    const events = prewarmEvents(model);
    this.memory.remember(events.id, body, []);
    for (const e of events.frames) this.send(e);
  }
}
