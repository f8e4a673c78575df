/**
 * `server.websocket`'s defaults and the settings the gateway reads from it: plain values, so that a started
 * gateway need not load the configuration's schema (schema-websocket.ts) to read them.
 */

export const WEBSOCKET_DEFAULTS = {
  enabled: true,
  idle_timeout_ms: 300_000,
  max_lifetime_ms: 3_600_000,
  max_sockets_per_key: 32,
} as const;

export interface WebsocketSettings {
  readonly enabled: boolean;
  readonly idleMs: number;
  readonly maxMs: number;
  readonly maxPerKey: number;
}

/** The settings of `server.websocket`, with defaults filled in. */
export function websocketSettings(
  v:
    | boolean
    | {
        enabled: boolean;
        idle_timeout_ms: number;
        max_lifetime_ms: number;
        max_sockets_per_key: number;
      }
    | undefined,
): WebsocketSettings {
  const o = typeof v === "object" ? v : { ...WEBSOCKET_DEFAULTS, enabled: v ?? true };
  return {
    enabled: o.enabled,
    idleMs: o.idle_timeout_ms,
    maxMs: o.max_lifetime_ms,
    maxPerKey: o.max_sockets_per_key,
  };
}
