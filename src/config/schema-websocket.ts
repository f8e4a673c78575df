import { z } from "zod";

export const WEBSOCKET_DEFAULTS = {
  enabled: true,
  idle_timeout_ms: 300_000,
  max_lifetime_ms: 3_600_000,
  max_sockets_per_key: 32,
} as const;

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

export interface WebsocketSettings {
  readonly enabled: boolean;
  readonly idleMs: number;
  readonly maxMs: number;
  readonly maxPerKey: number;
}

/** The settings of `server.websocket`, with defaults filled in. */
export function websocketSettings(v: z.output<typeof WebsocketSchema> | undefined): WebsocketSettings {
  const o = typeof v === "object" ? v : { ...WEBSOCKET_DEFAULTS, enabled: v ?? true };
  return {
    enabled: o.enabled,
    idleMs: o.idle_timeout_ms,
    maxMs: o.max_lifetime_ms,
    maxPerKey: o.max_sockets_per_key,
  };
}
