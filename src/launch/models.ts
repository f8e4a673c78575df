/** What a running llmux says about the key a tool will present: the model names it lists, or a refusal. */

export type KeyCheck =
  | { ok: true; models: string[] }
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
  let body: { data?: { id?: unknown }[]; error?: { message?: unknown } } = {};
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
  return { ok: true, models: body.data.flatMap((m) => (typeof m.id === "string" ? [m.id] : [])) };
}
