import type { Browser } from "playwright-core";
import { open, unexpected } from "../../ui/support/browser.js";

/**
 * A client of the gateway sign-in protocol, written from its published contract (the document a running
 * `claude gateway` serves at GET /protocol): RFC 8414 discovery, RFC 8628 device authorization and polling,
 * the refresh grant and RFC 7009 revocation, each a form-encoded POST answered with JSON.
 */
export interface Metadata {
  issuer: string;
  device_authorization_endpoint: string;
  token_endpoint: string;
  revocation_endpoint?: string;
  grant_types_supported: string[];
}

export interface DeviceAuthorization {
  device_code: string;
  user_code: string;
  verification_uri: string;
  verification_uri_complete: string;
  expires_in: number;
  interval: number;
}

export interface Answer {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: test assertions walk arbitrary JSON
  body: any;
  headers: Headers;
}

const UA = { "user-agent": "claude-code/2.1.330 (protocol test)" };

export async function form(url: string, fields: Record<string, string>, headers: Record<string, string> = {}) {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", ...UA, ...headers },
    body: new URLSearchParams(fields).toString(),
    redirect: "manual",
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {}
  return { status: res.status, body, headers: res.headers } as Answer;
}

export async function metadata(base: string): Promise<Metadata> {
  const res = await fetch(`${base}/.well-known/oauth-authorization-server`, { headers: UA });
  if (res.status !== 200) throw new Error(`discovery answered ${res.status}`);
  return (await res.json()) as Metadata;
}

export async function authorize(md: Metadata): Promise<DeviceAuthorization> {
  const a = await form(md.device_authorization_endpoint, { surface: "claude_code" });
  if (a.status !== 200) throw new Error(`device authorization answered ${a.status}: ${JSON.stringify(a.body)}`);
  return a.body as DeviceAuthorization;
}

export const DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code";

export const pollOnce = (md: Metadata, deviceCode: string) =>
  form(md.token_endpoint, { grant_type: DEVICE_GRANT, device_code: deviceCode });

/** Polls as the contract says: every `interval` seconds, 5 s more after a slow_down, until not pending. */
export async function pollUntilDone(md: Metadata, d: DeviceAuthorization, timeoutMs = 30_000): Promise<Answer> {
  let interval = d.interval;
  const end = Date.now() + timeoutMs;
  for (;;) {
    await new Promise((r) => setTimeout(r, interval * 1000));
    const a = await pollOnce(md, d.device_code);
    if (a.status === 200) return a;
    if (a.body?.error === "slow_down") interval += 5;
    else if (a.body?.error !== "authorization_pending") return a;
    if (Date.now() > end) throw new Error("the device code was not approved in time");
  }
}

/**
 * The browser step with Chromium: open verification_uri_complete, confirm the code, sign in at the identity
 * provider with an email, and read the page llmux shows at the end.
 */
export async function browserStep(
  browser: Browser,
  verificationUri: string,
  email: string,
  opts: { deny?: boolean; shot?: string } = {},
): Promise<string> {
  const url = new URL(verificationUri);
  const w = await open(browser, url.origin, opts.shot ?? "signin");
  try {
    await w.page.goto(url.pathname + url.search);
    await w.page.getByRole("heading", { name: "Sign in to llmux from Claude Code" }).waitFor();
    if (opts.shot) await w.shot("1-confirm-code");
    if (opts.deny) {
      await w.page.getByRole("button", { name: "Deny" }).click();
      await w.page.getByRole("heading", { name: "Sign-in denied" }).waitFor();
      return (await w.page.locator("main").textContent()) ?? "";
    }
    await w.page.getByRole("button", { name: "The code matches: continue" }).click();
    await w.page.getByRole("heading", { name: "Example SSO" }).waitFor();
    await w.page.getByLabel("Email").fill(email);
    await w.page.getByRole("button", { name: "Continue" }).click();
    await w.page.getByRole("heading", { name: /^(Signed in|Sign-in failed)$/ }).waitFor();
    if (opts.shot) await w.shot("2-done");
    const errors = unexpected(w.errors, [/status of 40[03]/]);
    if (errors.length > 0) throw new Error(`browser errors: ${errors.join("; ")}`);
    return (await w.page.locator("main").textContent()) ?? "";
  } finally {
    await w.close();
  }
}
