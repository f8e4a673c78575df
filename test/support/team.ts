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

/**
 * Polls `check` until it holds, for a change another llmux *process* learns at its next poll of the store (a
 * poll that cannot be awaited from here): bounded by `ms` only so that a change never learned fails with a
 * message rather than the test's timeout, far above the poll's period — how often an instance polls is counted
 * with fake timers (test/identity/key-poll.test.ts, test/data/version-poller.test.ts), and in-process tests
 * await the poll itself (`nextPoll()`).
 */
export async function learnedElsewhere(what: string, check: () => Promise<boolean>, ms = 15_000): Promise<void> {
  if (!(await within(ms, check))) throw new Error(`${what}: not learned by the other process within ${ms} ms`);
}

/**
 * Waits until each instance has polled its stored layer once since the call: a change stored before the call is
 * in force on every instance then (or the read failed, and the check after this fails). How often an instance
 * polls (every 0.5 s by default) is the poller's own test; waiting for polls rather than seconds keeps a busy
 * machine from failing the check.
 */
export async function polledEverywhere(
  hs: readonly { gateway: { team?: { layers: Partial<Record<string, { nextPoll(): Promise<void> }>> } | undefined } }[],
  layer: "config" | "rules" | "guardrails",
): Promise<void> {
  await Promise.all(
    hs.map((h) => {
      const polled = h.gateway.team?.layers[layer];
      if (!polled) throw new Error(`this gateway has no stored ${layer} layer`);
      return polled.nextPoll();
    }),
  );
}
