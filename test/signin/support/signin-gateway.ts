import type { TestLocation } from "../../support/engines.js";
import { type Harness, startHarness } from "../../support/gateway.js";
import type { FakeIssuer } from "../../ui/support/fake-issuer.js";

/** A gateway with Claude Code sign-in on, on a given store, and what its tests ask of it. */
export const ADMIN = "signin-admin-key-0123456789abcdef";

/** Waits until an asynchronous check answers something (for what other instances learn within a second or two). */
export async function until<T>(check: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The sign-in configuration: two groups with their own team, models and managed settings. */
export function signinConfig(issuer: FakeIssuer) {
  return {
    oidc: { issuer: issuer.url, client_id: issuer.clientId, client_secret: issuer.clientSecret },
    interval_s: 1,
    access_ttl_s: 300,
    session_hours: 1,
    login_notice: "Signing in to llmux (test)",
    groups: {
      "data-team": {
        team: "data",
        models: ["via-anthropic"],
        settings: { availableModels: ["via-anthropic"], env: { CLAUDE_CODE_GATEWAY_HINT_HEADERS: "1" } },
      },
      "web-team": { team: "web", models: ["via-openai-chat"], settings: { availableModels: ["via-openai-chat"] } },
    },
  };
}

export function startSigninGateway(issuer: FakeIssuer, loc: TestLocation): Promise<Harness> {
  return startHarness(() => ({
    store: { path: loc.path, ...(loc.url ? { url: loc.url } : {}) },
    logging: { level: "warn" },
    admin: { keys: [ADMIN] },
    signin: signinConfig(issuer),
  }));
}

export const adminGet = async (h: Harness, path: string) => {
  const res = await fetch(`${h.url}/admin/v1${path}`, { headers: { authorization: `Bearer ${ADMIN}` } });
  // biome-ignore lint/suspicious/noExplicitAny: test assertions walk arbitrary JSON
  return (await res.json()) as any;
};

/** One Messages call with a bearer, as Claude Code makes it. */
export const messages = (h: Harness, token: string, model: string) =>
  fetch(`${h.url}/v1/messages?beta=true`, {
    method: "POST",
    headers: {
      authorization: `Bearer ${token}`,
      "content-type": "application/json",
      "anthropic-version": "2023-06-01",
      "x-claude-code-session-id": "sess-signin-test",
    },
    body: JSON.stringify({ model, max_tokens: 64, messages: [{ role: "user", content: "say hi" }] }),
  });
