/**
 * What a running llmux says about the key a tool will present: the model names it lists with their limits,
 * or a refusal.
 */
import type { ModelLimits } from "./tool-spec.js";

export type KeyCheck =
  | { ok: true; models: string[]; limits: Record<string, ModelLimits> }
  | { ok: false; status: number; message: string }
  | { ok: "unknown"; why: string };

/** GET {url}/v1/models with the key, as the tools send it (Authorization: Bearer). */
export async function checkKey(url: string, key: string, timeoutMs = 5000): Promise<KeyCheck> {
  let res: Response;
  try {
    res = await fetch(`${url}/v1/models`, {
      headers: { authorization: `Bearer ${key}` },
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    return { ok: "unknown", why: (err as Error).message };
  }
  const text = await res.text().catch(() => "");
  let body: { data?: Record<string, unknown>[]; error?: { message?: unknown } } = {};
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    // the status says enough
  }
  if (res.status === 401 || res.status === 403) {
    const message = typeof body.error?.message === "string" ? body.error.message : text.slice(0, 200);
    return { ok: false, status: res.status, message };
  }
  if (!res.ok || !Array.isArray(body.data)) return { ok: "unknown", why: `GET /v1/models answered ${res.status}` };
  const models: string[] = [];
  const limits: Record<string, ModelLimits> = {};
  for (const m of body.data) {
    if (!m || typeof m.id !== "string") continue;
    models.push(m.id);
    const l = limitsOf(m);
    if (l.contextWindow !== undefined || l.maxOutputTokens !== undefined) limits[m.id] = l;
  }
  return { ok: true, models, limits };
}

/** A token count llmux could have sent: a positive integer within any model's reach. */
const tokens = (v: unknown): number | undefined =>
  typeof v === "number" && Number.isSafeInteger(v) && v > 0 && v <= 100_000_000 ? v : undefined;

/** The limits an entry of GET /v1/models carries (llmux's `context_window` and `max_output_tokens`). */
function limitsOf(m: Record<string, unknown>): ModelLimits {
  const out: ModelLimits = {};
  const window = tokens(m.context_window);
  const output = tokens(m.max_output_tokens);
  if (window !== undefined) out.contextWindow = window;
  if (output !== undefined) out.maxOutputTokens = output;
  return out;
}
