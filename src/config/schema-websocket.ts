import { z } from "zod";
import { WEBSOCKET_DEFAULTS } from "./websocket-settings.js";

const WebsocketObject = z
  .object({
    enabled: z
      .boolean()
      .default(WEBSOCKET_DEFAULTS.enabled)
      .describe("Accept the upgrade; false answers 426 at once, so a client falls back to HTTP without delay."),
    idle_timeout_ms: z
      .number()
      .int()
      .positive()
      .default(WEBSOCKET_DEFAULTS.idle_timeout_ms)
      .describe("Milliseconds a socket may stay open between turns before llmux closes it."),
    max_lifetime_ms: z
      .number()
      .int()
      .positive()
      .default(WEBSOCKET_DEFAULTS.max_lifetime_ms)
      .describe(
        "Milliseconds a socket may live; a turn asked for after that is answered with the error that makes the client reconnect.",
      ),
    max_sockets_per_key: z
      .number()
      .int()
      .positive()
      .default(WEBSOCKET_DEFAULTS.max_sockets_per_key)
      .describe(
        "Sockets one key (or sign-in) may have open at once, per llmux process; one more upgrade is answered 429.",
      ),
  })
  .strict();

/** `server.websocket`: Responses over WebSocket (`true`, `false`, or its settings). */
export const WebsocketSchema = z
  .union([z.boolean(), WebsocketObject])
  .default(true)
  .describe(
    "Responses over WebSocket on /v1/responses (Codex's transport): true (default), false (the upgrade is answered 426, so clients fall back to HTTP at once), or {enabled, idle_timeout_ms, max_lifetime_ms, max_sockets_per_key}.",
  );
