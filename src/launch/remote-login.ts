/**
 * What `llmux login URL` asks the remote llmux: that it is llmux, who a key is there (`GET /admin/v1/me`), and,
 * for a browser sign-in, the device flow llmux serves for Claude Code (RFC 8628) followed by a key of the
 * person's own minted within their team's member caps (`POST /admin/v1/me/keys`).
 */
import { hostname } from "node:os";
import { probeHealth } from "./server.js";

const TIMEOUT_MS = 10_000;
const DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code";

/** A failure to say as it is (the remote's own words). */
export class LoginFailed extends Error {}

/** The address as stored: http(s), no trailing slash, nothing after the path. */
export function loginUrl(raw: string): string {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new LoginFailed(`URL: not an address such as https://llm.example.com, got '${raw}'`);
  }
  if (u.protocol !== "http:" && u.protocol !== "https:")
    throw new LoginFailed(`URL: must start with https:// (or http://), got '${raw}'`);
  if (u.username || u.password || u.search || u.hash)
    throw new LoginFailed("URL: an address only (no user, query or fragment)");
  return `${u.origin}${u.pathname}`.replace(/\/+$/, "");
}

/** Refuses anything that is not an llmux answering at the address. */
export async function checkRemote(url: string): Promise<void> {
  const h = await probeHealth(url, TIMEOUT_MS);
  if (h.kind === "down") throw new LoginFailed(`llmux does not answer at ${url} (${h.why})`);
  if (h.kind === "other") throw new LoginFailed(`${url} answers, but not as llmux (${h.what})`);
}

async function json(res: Response): Promise<Record<string, unknown>> {
  return ((await res.json().catch(() => ({}))) ?? {}) as Record<string, unknown>;
}

const words = (body: Record<string, unknown>) =>
  ((body.error as { message?: string } | undefined)?.message ?? body.error_description ?? body.error ?? "") as string;

/** Who a key is at the remote, in words (`key laptop (key_…), team data`); refused: LoginFailed with why. */
export async function whoIs(url: string, key: string): Promise<string> {
  const res = await fetch(`${url}/admin/v1/me`, {
    headers: { authorization: `Bearer ${key}`, "x-llmux-client": "cli" },
    signal: AbortSignal.timeout(TIMEOUT_MS),
  });
  const body = await json(res);
  if (res.status !== 200)
    throw new LoginFailed(`llmux at ${url} refuses this key (${res.status}): ${words(body) || "no reason given"}`);
  const team = (body.team as { name?: string } | null)?.name;
  return `key ${body.name} (${body.id})${team ? `, team ${team}` : ""}`;
}

export interface DeviceStart {
  device_code: string;
  user_code: string;
  verification_uri: string;
  verification_uri_complete?: string;
  expires_in: number;
  interval: number;
}

/** Starts a browser sign-in; undefined when the remote serves none (no `signin:`). */
export async function startDevice(url: string): Promise<DeviceStart | undefined> {
  const meta = await fetch(`${url}/.well-known/oauth-authorization-server`, {
    signal: AbortSignal.timeout(TIMEOUT_MS),
  });
  if (meta.status !== 200) return undefined;
  const res = await fetch(`${url}/oauth/device_authorization`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", "user-agent": "llmux-login" },
    body: new URLSearchParams({ surface: "llmux_login" }).toString(),
    signal: AbortSignal.timeout(TIMEOUT_MS),
  });
  const body = await json(res);
  if (res.status !== 200) throw new LoginFailed(`llmux at ${url} did not start a sign-in: ${words(body)}`);
  return body as unknown as DeviceStart;
}

/** Polls until the person approved in the browser: their sign-in's access and refresh tokens. */
export async function pollDevice(
  url: string,
  d: DeviceStart,
  sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
): Promise<{ access: string; refresh: string; email: string }> {
  let interval = Math.max(1, d.interval);
  const end = Date.now() + d.expires_in * 1000;
  while (Date.now() < end) {
    await sleep(interval * 1000);
    const res = await fetch(`${url}/oauth/token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ grant_type: DEVICE_GRANT, device_code: d.device_code }).toString(),
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    const body = await json(res);
    if (res.status === 200)
      return {
        access: String(body.access_token),
        refresh: String(body.refresh_token),
        email: String(body.email ?? ""),
      };
    if (body.error === "slow_down") interval += 5;
    else if (body.error !== "authorization_pending")
      throw new LoginFailed(`the sign-in did not complete: ${words(body)}`);
  }
  throw new LoginFailed("the sign-in was not approved in time: run llmux login again");
}

/** A key of the person's own (within their team's member caps), minted with their sign-in; its secret. */
export async function mintOwnKey(url: string, access: string): Promise<string> {
  const res = await fetch(`${url}/admin/v1/me/keys`, {
    method: "POST",
    headers: { authorization: `Bearer ${access}`, "content-type": "application/json", "x-llmux-client": "cli" },
    body: JSON.stringify({ name: `llmux login ${hostname().slice(0, 100)}` }),
    signal: AbortSignal.timeout(TIMEOUT_MS),
  });
  const body = await json(res);
  if (res.status !== 201)
    throw new LoginFailed(`llmux at ${url} minted no key for you (${res.status}): ${words(body)}`);
  return String(body.key);
}

/** Ends the sign-in once its key is minted (the key is what the laptop keeps). */
export async function endSignin(url: string, refresh: string): Promise<void> {
  await fetch(`${url}/oauth/revoke`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ token: refresh, token_type_hint: "refresh_token" }).toString(),
    signal: AbortSignal.timeout(TIMEOUT_MS),
  }).catch(() => undefined);
}
