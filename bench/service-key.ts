/**
 * The service key (`auth.keys`) the lanes without a minted key present. Once a key is minted, llmux refuses
 * callers it does not know; a service key is what a gateway with minted keys serves its other callers with.
 */
export const BENCH_SERVICE_KEY = "bench-service-key-0123456789";

/**
 * Service keys the idle-socket measure spreads its 1,000 sockets over: a key may hold 32 sockets at once
 * (`server.websocket.max_sockets_per_key`), and a configuration key older builds (`--compare`) understand.
 */
export const BENCH_SOCKET_KEYS = Array.from(
  { length: 32 },
  (_, i) => `bench-socket-key-${String(i).padStart(2, "0")}-0123456789`,
);

/** The headers that carry a caller's key. */
const CREDENTIAL_HEADERS = new Set(["authorization", "x-api-key", "api-key", "x-goog-api-key"]);

/** `headers` with their own credentials replaced by the bench's service key (what llmux is called with). */
export function withServiceKey(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) if (!CREDENTIAL_HEADERS.has(k.toLowerCase())) out[k] = v;
  out.authorization = `Bearer ${BENCH_SERVICE_KEY}`;
  return out;
}
