import { createRequire } from "node:module";

/**
 * Whether llmux at `url` serves Responses over WebSocket for this key: an upgrade on /v1/responses that is
 * accepted (then closed at once, no turn sent). A 426 (server.websocket: false), any other refusal, or no
 * answer within `timeoutMs` is a no.
 */
export function acceptsResponsesSocket(url: string, key: string, timeoutMs = 2000): Promise<boolean> {
  return new Promise((resolve) => {
    // ws is loaded here, when a launcher asks: `llmux start` loads the commands but never probes.
    const { WebSocket } = createRequire(import.meta.url)("ws") as typeof import("ws");
    const ws = new WebSocket(`${url.replace(/^http/, "ws")}/v1/responses`, {
      headers: { authorization: `Bearer ${key}` },
      handshakeTimeout: timeoutMs,
    });
    const done = (ok: boolean) => {
      ws.removeAllListeners();
      ws.on("error", () => undefined);
      if (ok) ws.close(1000);
      else ws.terminate();
      resolve(ok);
    };
    ws.once("open", () => done(true));
    ws.once("unexpected-response", () => done(false));
    ws.once("error", () => done(false));
  });
}
