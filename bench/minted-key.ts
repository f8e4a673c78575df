/**
 * The minted-key lane: the same request as msg-small-chat, presented with a key minted through llmux's
 * admin API (identity from the data layer's key cache, allow-list admission) instead of no key.
 */
import type { RequestSpec } from "./types.js";

export const BENCH_ADMIN_KEY = "bench-admin-key-0123456789";

/**
 * The store a key was minted on: each build keeps its own (bench/fleet.ts), and each team server its own
 * ("team-pg:compare", bench/team-servers.ts).
 */
export type KeyStore = string;

/** What the key is minted with besides its name: the team lanes add a budget and limits. */
export interface KeyTerms {
  models?: string[] | null;
  budget?: { usd: number; period: "day" | "week" | "month" | "total" };
  limits?: { rpm?: number; tpm?: number; concurrency?: number };
}

const minted = new Map<KeyStore, string>();

/** Mints the lane's key on a running llmux (kept in its store across the benchmark's restarts). */
export async function mintBenchKey(
  origin: string,
  store: KeyStore = "llmux",
  terms: KeyTerms = { models: ["bench-*"] },
): Promise<void> {
  const res = await fetch(`${origin}/admin/v1/keys`, {
    method: "POST",
    headers: { authorization: `Bearer ${BENCH_ADMIN_KEY}`, "content-type": "application/json" },
    body: JSON.stringify({ name: "bench", ...terms }),
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
