import OpenAI from "openai";
import { ConfigSchema } from "../../../src/config/schema.js";
import { type Harness, startHarness } from "../../support/gateway.js";

export const ADMIN = "ui-admin-key-0123456789abcdef";
export const MASTER = "ui-master-key-0123456789abcdef";

/**
 * Keeping request bodies is what gives the request log its decoded `conversation` (`logging.bodies`). A
 * build whose configuration does not know the key yet (the request log not merged) starts without it, and
 * the tests that need a conversation fail saying the conversation is missing.
 */
export const BODIES_KNOWN = ConfigSchema.safeParse({ logging: { bodies: "all" } }).success;

/** A running llmux (SQLite store, memory state) with the mock upstream behind every provider kind. */
export function startUiServer(more: (mockUrl: string) => Record<string, unknown> = () => ({})): Promise<Harness> {
  return startHarness((mockUrl) => {
    const extra = more(mockUrl);
    return {
      secrets: { master_key: MASTER },
      ...extra,
      logging: { level: "warn", ...(BODIES_KNOWN ? { bodies: "all" } : {}), ...(extra.logging as object | undefined) },
      admin: { keys: [ADMIN], ...(extra.admin as object | undefined) },
    };
  });
}

export interface Json {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: test assertions walk arbitrary JSON
  body: any;
  headers: Headers;
}

/** One call to llmux, answered as JSON. */
export async function call(
  base: string,
  method: string,
  path: string,
  opts: { key?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<Json> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.key) headers.authorization = `Bearer ${opts.key}`;
  if (opts.body !== undefined) headers["content-type"] = "application/json";
  const res = await fetch(`${base}${path}`, {
    method,
    headers,
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
    redirect: "manual",
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {}
  return { status: res.status, body, headers: res.headers };
}

export const admin = (h: { url: string }, method: string, path: string, body?: unknown) =>
  call(h.url, method, `/admin/v1${path}`, { key: ADMIN, body });

/** The official OpenAI SDK, pointed at llmux with a key (no retries: a refusal is seen as it is). */
export function openai(h: { url: string }, key: string): OpenAI {
  return new OpenAI({ baseURL: `${h.url}/v1`, apiKey: key, maxRetries: 0 });
}

/**
 * Traffic for the charts: a minted key in a team makes `ok` requests on two aliases and a few that fail
 * upstream (the mock answers 429 and 500), all through the real gateway.
 */
export async function seedTraffic(h: Harness): Promise<{ keyId: string; key: string; teamId: string }> {
  const team = await admin(h, "POST", "/teams", { name: "platform", budget: { usd: 50, period: "month" } });
  const minted = await admin(h, "POST", "/keys", { name: "seed-ci", user: "ci-bot", team_id: team.body.id });
  const client = openai(h, minted.body.key);
  for (let i = 0; i < 6; i++)
    await client.chat.completions.create({
      model: i % 2 ? "via-anthropic" : "via-openai-chat",
      messages: [{ role: "user", content: `seed request ${i}: explain the build` }],
    });
  h.mock.enqueue(
    { httpError: { status: 429, message: "slow down", retryAfter: "0" } },
    { httpError: { status: 500, message: "upstream broke" } },
  );
  for (let i = 0; i < 2; i++)
    await client.chat.completions
      .create({ model: "via-openai-chat", messages: [{ role: "user", content: "this one fails" }] })
      .catch(() => undefined);
  return { keyId: minted.body.id, key: minted.body.key, teamId: team.body.id };
}
