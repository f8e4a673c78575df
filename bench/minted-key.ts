/**
 * The minted-key lane: the same request as msg-small-chat, presented with a key minted through llmux's
 * admin API (identity from the data layer's key cache, allow-list admission) instead of no key.
 */
import type { RequestSpec } from "./types.js";

export const BENCH_ADMIN_KEY = "bench-admin-key-0123456789";

let minted: string | undefined;

/** Mints the lane's key on a running llmux (kept in its store across the benchmark's restarts). */
export async function mintBenchKey(origin: string): Promise<void> {
  const res = await fetch(`${origin}/admin/v1/keys`, {
    method: "POST",
    headers: { authorization: `Bearer ${BENCH_ADMIN_KEY}`, "content-type": "application/json" },
    body: JSON.stringify({ name: "bench", models: ["bench-*"] }),
  });
  if (res.status !== 201) throw new Error(`minting the bench key failed: ${res.status} ${await res.text()}`);
  minted = ((await res.json()) as { key: string }).key;
}

/** The request with the minted key, for lanes that ask for it. */
export function withMintedKey(spec: RequestSpec): RequestSpec {
  if (!minted) throw new Error("the bench key is not minted yet");
  return { ...spec, headers: { ...spec.headers, authorization: `Bearer ${minted}` } };
}
