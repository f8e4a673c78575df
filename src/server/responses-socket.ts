import { type IncomingMessage, type Server, STATUS_CODES } from "node:http";
import { createRequire } from "node:module";
import type { Duplex } from "node:stream";
import { TLSSocket } from "node:tls";
import type { WebSocketServer } from "ws";
import type { WebsocketSettings } from "../config/websocket-settings.js";
import { errorReply } from "../http/reply.js";
import { isRefusal } from "../identity/identify.js";
import { newId } from "../ir/ids.js";
import type { ErrorInfo } from "../ir/types.js";
import { matchRoute } from "./routes.js";
import type { ServeParts } from "./serve.js";
import { SocketSession } from "./socket-session.js";

/** Hands a request that asked for another protocol back to the server, as the request it is without that. */
function asPlainRequest(req: IncomingMessage, socket: Duplex, head: Buffer, server: Server): void {
  const lines = [`${req.method ?? "GET"} ${req.url ?? "/"} HTTP/${req.httpVersion}`];
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i]!;
    if (/^(upgrade|connection|http2-settings)$/i.test(name)) continue;
    lines.push(`${name}: ${req.rawHeaders[i + 1]}`);
  }
  socket.unshift(Buffer.concat([Buffer.from(`${lines.join("\r\n")}\r\n\r\n`, "latin1"), head]));
  server.emit(socket instanceof TLSSocket ? "secureConnection" : "connection", socket);
}

/** Refuses an upgrade with a plain HTTP answer (a Responses error body) and closes the connection. */
function refuseUpgrade(socket: Duplex, info: ErrorInfo, headers: Record<string, string> = {}): void {
  const { status, body } = errorReply("openai-responses", info);
  const text = JSON.stringify(body);
  const head = [
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ""}`,
    "content-type: application/json",
    `content-length: ${Buffer.byteLength(text)}`,
    "connection: close",
    ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
  ];
  socket.end(`${head.join("\r\n")}\r\n\r\n${text}`);
}

/**
 * Responses over WebSocket: the upgrade on a Responses path (`/v1/responses`, `/responses`,
 * `/openai/v1/responses`, `/openai/responses`), and the sockets it opened. The caller is identified at the
 * upgrade and again on every turn (a key revoked while its socket is open is refused on its next turn).
 * Off (`server.websocket: false`), the upgrade is answered 426 at once: the client falls back to HTTP.
 */
export class ResponsesSockets {
  /** The WebSocket server, made at the first upgrade (a gateway no client talks WebSocket to does not load `ws`). */
  private server: WebSocketServer | undefined;
  private readonly open = new Set<SocketSession>();
  /** Sockets open per caller (its `owner`: a key, a sign-in, `open`), held to `max_sockets_per_key`. */
  private readonly perKey = new Map<string, number>();
  private stopping = false;

  constructor(
    private readonly parts: ServeParts,
    private readonly settings: WebsocketSettings,
    private readonly maxFrameBytes: number,
  ) {}

  private get wss(): WebSocketServer {
    if (this.server) return this.server;
    const { WebSocketServer } = createRequire(import.meta.url)("ws") as typeof import("ws");
    this.server = new WebSocketServer({
      noServer: true,
      maxPayload: this.maxFrameBytes,
      clientTracking: false,
      // Codex offers permessage-deflate; without context takeover no compressor outlives its frame, so an
      // idle socket holds none.
      perMessageDeflate: { serverNoContextTakeover: true, clientNoContextTakeover: true, threshold: 1024 },
    });
    return this.server;
  }

  /** Sockets open now. */
  get size(): number {
    return this.open.size;
  }

  /**
   * The server's `upgrade` event. Any other upgrade asked for (`Upgrade: h2c`, as curl --http2 sends) is
   * served as the plain HTTP request it also is: its head, without the upgrade, is put back before what is
   * left of it, and the connection handed to the server again.
   */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, server: Server): void {
    if (String(req.headers.upgrade ?? "").toLowerCase() !== "websocket") {
      asPlainRequest(req, socket, head, server);
      return;
    }
    socket.on("error", () => undefined);
    void this.accept(req, socket, head).catch((err: unknown) => {
      this.parts.logger.error({ err }, "websocket upgrade failed");
      socket.destroy();
    });
  }

  private async accept(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const url = req.url ?? "/";
    const match = req.method === "GET" ? matchRoute("POST", url) : undefined;
    if (match?.kind !== "generate" || match.dialect !== "openai-responses")
      return refuseUpgrade(socket, { status: 404, kind: "not_found", message: `No WebSocket on ${url.split("?")[0]}` });
    if (!this.settings.enabled)
      return refuseUpgrade(socket, {
        status: 426,
        kind: "invalid_request",
        message: "Responses over WebSocket are off on this llmux (server.websocket: false); use HTTP.",
      });
    if (this.stopping || this.parts.stopping())
      return refuseUpgrade(socket, { status: 503, kind: "overloaded", message: "llmux is shutting down" });
    const who = await this.parts.identifier.identify(req.headers);
    if (isRefusal(who)) return refuseUpgrade(socket, { status: 401, kind: "authentication", message: who.message });
    const tooMany = () =>
      `This key has ${this.settings.maxPerKey} WebSockets open (server.websocket.max_sockets_per_key); close one, or use HTTP.`;
    if ((this.perKey.get(who.owner) ?? 0) >= this.settings.maxPerKey)
      return refuseUpgrade(socket, { status: 429, kind: "rate_limit", message: tooMany() });
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      // Another upgrade of the same key may have been accepted while this one was being made.
      const held = this.perKey.get(who.owner) ?? 0;
      if (held >= this.settings.maxPerKey) {
        ws.close(1008, tooMany().slice(0, 120));
        return;
      }
      this.perKey.set(who.owner, held + 1);
      const path = url.split("?")[0]!;
      const id = newId("ws_", 16);
      const openedAt = performance.now();
      const log = this.parts.logger;
      log.info({ socket_id: id, path, key: who.name }, "websocket opened");
      const session = new SocketSession(ws, req, path, this.parts, this.settings, (code) => {
        this.open.delete(session);
        const left = (this.perKey.get(who.owner) ?? 1) - 1;
        if (left > 0) this.perKey.set(who.owner, left);
        else this.perKey.delete(who.owner);
        const ms = Math.round(performance.now() - openedAt);
        log.info({ socket_id: id, path, turns: session.turns, code, ms }, "websocket closed");
      });
      this.open.add(session);
      if (this.stopping) session.closeWhenIdle(1001, "llmux is shutting down");
    });
  }

  /**
   * A graceful stop: idle sockets close now, the others once their turn is over; resolves once every socket
   * closed, or after `graceMs`.
   */
  async stop(graceMs: number): Promise<void> {
    this.stopping = true;
    for (const s of this.open) s.closeWhenIdle(1001, "llmux is shutting down");
    const end = Date.now() + graceMs;
    while (this.open.size > 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
  }

  /** Closes every socket at once. */
  close(): void {
    this.stopping = true;
    for (const s of this.open) s.terminate();
    this.open.clear();
    this.server?.close();
  }
}
