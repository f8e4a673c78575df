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

/**
 * The limits of one model name llmux routes but does not list (a name a pattern such as `claude-*` matches):
 * GET {url}/v1/models/{name}. Undefined when llmux knows none, refuses, or does not answer.
 */
export async function oneModelLimits(
  url: string,
  key: string,
  name: string,
  timeoutMs = 5000,
): Promise<ModelLimits | undefined> {
  try {
    const res = await fetch(`${url}/v1/models/${encodeURIComponent(name)}`, {
      headers: { authorization: `Bearer ${key}` },
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (!res.ok) return undefined;
    const body = (await res.json()) as unknown;
    if (!body || typeof body !== "object" || Array.isArray(body)) return undefined;
    const l = limitsOf(body as Record<string, unknown>);
    return l.contextWindow !== undefined || l.maxOutputTokens !== undefined ? l : undefined;
  } catch {
    return undefined;
  }
}

/** The limits of the listed names, with those of `names` llmux routes without listing them. */
export async function limitsFor(
  url: string,
  key: string,
  listed: Readonly<Record<string, ModelLimits>>,
  names: readonly (string | undefined)[],
  timeoutMs?: number,
): Promise<Record<string, ModelLimits>> {
  const out = { ...listed };
  for (const name of names) {
    if (!name || out[name]) continue;
    const l = await oneModelLimits(url, key, name, timeoutMs);
    if (l) out[name] = l;
  }
  return out;
}
