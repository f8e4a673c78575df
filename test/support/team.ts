import type { TestLocation } from "./engines.js";
import { type Harness, startHarness } from "./gateway.js";

export const ADMIN = "admin-key-0123456789abcdef";
export const SERVICE = "svc-key-0123456789";
export const MASTER = "master-key-for-tests-0123456789";

export const CHAT = (model: string) => ({ model, messages: [{ role: "user", content: "hi" }] });

/**
 * A gateway with an admin key, a service key and a master key, on the given engine. `more` is merged over
 * that (a function of the mock upstream's URL, for providers of its own on the mock).
 */
export function teamHarness(
  where: TestLocation,
  more: Record<string, unknown> | ((mockUrl: string) => Record<string, unknown>) = {},
): Promise<Harness> {
  return startHarness((mockUrl) => ({
    store: where.url ? { url: where.url } : { path: where.path },
    auth: { keys: [SERVICE] },
    admin: { keys: [ADMIN] },
    secrets: { master_key: MASTER },
    ...(typeof more === "function" ? more(mockUrl) : more),
  }));
}

export interface Answer {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: test assertions walk arbitrary JSON
  body: any;
}

export async function call(base: string, method: string, path: string, key?: string, body?: unknown): Promise<Answer> {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (key) headers.authorization = `Bearer ${key}`;
  const res = await fetch(`${base}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let json: unknown = text;
  try {
    json = JSON.parse(text);
  } catch {}
  return { status: res.status, body: json };
}

export const admin = (h: { url: string }, method: string, path: string, body?: unknown) =>
  call(h.url, method, `/admin/v1${path}`, ADMIN, body);

export const chat = (h: { url: string }, key: string, model: string) =>
  call(h.url, "POST", "/v1/chat/completions", key, CHAT(model));

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `check` until it holds, up to `ms` (for changes that propagate between instances). */
export async function within(ms: number, check: () => Promise<boolean>): Promise<boolean> {
  const end = Date.now() + ms;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > end) return false;
    await sleep(50);
  }
}
