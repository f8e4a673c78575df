/**
 * The routing settings' values and defaults, as plain values: a started gateway reads them without loading
 * the configuration's schema (schema-routing.ts, whose defaults are the same: test/config/plain-defaults.test.ts).
 */
/** Error classes the attempt loop tells apart (src/routing/error-class.ts). */
export const ERROR_CLASSES = [
  "rate_limited",
  "overloaded",
  "server",
  "timeout",
  "connection",
  "context_window",
  "content_filter",
] as const;

/** What the attempt loop does with a failure of a class, before the first byte reached the client. */
export const ACTIONS = ["retry", "fallback", "surface"] as const;

export const DEFAULT_ACTIONS: Record<(typeof ERROR_CLASSES)[number], (typeof ACTIONS)[number]> = {
  rate_limited: "retry",
  overloaded: "retry",
  server: "retry",
  timeout: "retry",
  connection: "retry",
  context_window: "fallback",
  content_filter: "surface",
};

/** An alias's `routing:` when it says nothing: RoutingSchema's defaults. */
export const ROUTING_DEFAULTS = {
  strategy: "weighted",
  retries: 2,
  cooldown_s: 30,
  allowed_fails: 3,
  window_s: 60,
  max_total_ms: 120_000,
  actions: {},
  affinity: true,
} as const;
