/**
 * The minted-key lane: the same request as msg-small-chat, presented with a key minted through llmux's
 * admin API (identity from the data layer's key cache, allow-list admission) instead of no key.
 */
import type { RequestSpec } from "./types.js";

export const BENCH_ADMIN_KEY = "bench-admin-key-0123456789";

/**
 * The service key (`auth.keys`) the lanes without a minted key present. Once a key is minted, llmux refuses
 * callers it does not know; a service key is what a gateway with minted keys serves its other callers with.
 */
export const BENCH_SERVICE_KEY = "bench-service-key-0123456789";

/** The headers that carry a caller's key. */
const CREDENTIAL_HEADERS = new Set(["authorization", "x-api-key", "api-key", "x-goog-api-key"]);

/** `headers` with their own credentials replaced by the bench's service key (what llmux is called with). */
export function withServiceKey(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) if (!CREDENTIAL_HEADERS.has(k.toLowerCase())) out[k] = v;
  out.authorization = `Bearer ${BENCH_SERVICE_KEY}`;
  return out;
}

/** The build a key was minted on: each keeps its own store (bench/fleet.ts). */
export type KeyStore = "llmux" | "compare";

const minted = new Map<KeyStore, string>();

/** Mints the lane's key on a running llmux (kept in its store across the benchmark's restarts). */
export async function mintBenchKey(origin: string, store: KeyStore = "llmux"): Promise<void> {
  const res = await fetch(`${origin}/admin/v1/keys`, {
    method: "POST",
    headers: { authorization: `Bearer ${BENCH_ADMIN_KEY}`, "content-type": "application/json" },
    body: JSON.stringify({ name: "bench", models: ["bench-*"] }),
  });
  if (res.status !== 201) throw new Error(`minting the bench key failed: ${res.status} ${await res.text()}`);
  minted.set(store, ((await res.json()) as { key: string }).key);
}

/** The request with the key minted on `store`, for lanes that ask for it. */
export function withMintedKey(spec: RequestSpec, store: KeyStore = "llmux"): RequestSpec {
  const key = minted.get(store);
  if (!key) throw new Error(`the bench key is not minted yet on ${store}`);
  return { ...spec, headers: { ...spec.headers, authorization: `Bearer ${key}` } };
}

export function hasMintedKey(store: KeyStore): boolean {
  return minted.has(store);
}
