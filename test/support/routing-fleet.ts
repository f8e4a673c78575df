/**
 * The routing tests' fleet: a gateway in front of seven "deployments" (switchable fronts over one scripted
 * mock, see switch-upstream.ts) and the aliases the routing tests use, on either hot-state engine.
 */
import { randomBytes } from "node:crypto";
import { type MockServer, startMockServer } from "../../src/mock/server.js";
import { type Harness, startHarness } from "./gateway.js";
import { type SwitchUpstream, switchUpstream } from "./switch-upstream.js";
import { ADMIN } from "./team.js";

const REDIS = process.env.LLMUX_TEST_REDIS ?? "redis://127.0.0.1:6379";

/** The same tests on both hot-state engines: this process's memory, and Redis (every instance agrees). */
export const ENGINES = [
  { name: "memory", state: () => ({}) },
  {
    name: "redis",
    state: () => ({ state: { url: REDIS, prefix: `llmux-test:${process.pid}:${randomBytes(4).toString("hex")}:` } }),
  },
];

/** A deployment answering 429 with a retry-after. */
export const throttled = (seconds: number) => ({
  kind: "status" as const,
  status: 429,
  headers: { "retry-after": String(seconds) },
  body: { error: { message: "Rate limit reached", type: "rate_limit_error", code: "rate_limit_exceeded" } },
});

export interface Fleet {
  mock: MockServer;
  /** acct1 … acct7: d[0] … d[6]. */
  d: SwitchUpstream[];
  h: Harness;
  close(): Promise<void>;
}

export async function startFleet(state: () => object): Promise<Fleet> {
  let mock: MockServer;
  let d: SwitchUpstream[];
  let h: Harness;
  mock = await startMockServer({ chunkDelayMs: 0 });
  d = await Promise.all([1, 2, 3, 4, 5, 6, 7].map(() => switchUpstream(mock.url)));
  const providers = Object.fromEntries(
    d.map((s, i) => [`acct${i + 1}`, { type: "openai", base_url: `${s.url}/v1`, api_key: `k${i + 1}`, api: "chat" }]),
  );
  const three = [1, 2, 3].map((i) => ({ provider: `acct${i}`, model: "gpt-4.1", name: `d${i}` }));
  h = await startHarness(() => ({
    ...state(),
    admin: { keys: [ADMIN] },
    providers: {
      ...providers,
      resp1: { type: "openai", base_url: `${d[0]!.url}/v1`, api_key: "r1", api: "responses" },
      resp2: { type: "openai", base_url: `${d[1]!.url}/v1`, api_key: "r2", api: "responses" },
      claude1: { type: "anthropic", base_url: d[2]!.url, api_key: "a1" },
      claude2: { type: "anthropic", base_url: d[6]!.url, api_key: "a2" },
      resp6: { type: "openai", base_url: `${d[5]!.url}/v1`, api_key: "r6", api: "responses" },
    },
    models: {
      trio: { deployments: three, routing: { retries: 2, cooldown_s: 1, allowed_fails: 2 } },
      sticky: { deployments: three, routing: { retries: 2, cooldown_s: 30 } },
      short: { provider: "acct4", model: "gpt-small-window", context_window_fallbacks: ["long"] },
      long: { provider: "acct5", model: "gpt-4.1-long" },
      capped: {
        deployments: [
          { provider: "acct1", model: "gpt-4.1-capped", name: "c1", rpm: 3 },
          { provider: "acct2", model: "gpt-4.1-capped", name: "c2", weight: 0.001 },
        ],
      },
      mixed: {
        deployments: [
          { provider: "claude1", model: "claude-sonnet-4-5", name: "anthropic-dep", weight: 100 },
          { provider: "acct1", model: "gpt-4.1", name: "chat-dep", weight: 0.001 },
        ],
        routing: { retries: 1 },
      },
      pair: {
        deployments: [
          { provider: "resp1", model: "gpt-5", name: "account-a" },
          { provider: "resp2", model: "gpt-5", name: "account-b" },
        ],
      },
      // Claude on two accounts (claude2 shares d[6]'s front with acct7: tests switch one at a time).
      claudes: {
        deployments: [
          { provider: "claude1", model: "claude-sonnet-4-5", name: "claude-a" },
          { provider: "claude2", model: "claude-sonnet-4-5", name: "claude-b" },
        ],
      },
      // Every deployment failed → the fallback alias, with its own settings.
      primary: { provider: "acct6", model: "gpt-4.1-primary", fallbacks: ["careful"] },
      careful: { provider: "claude1", model: "claude-sonnet-4-5", thinking: { budget_tokens: 8000 } },
      "primary-effort": { provider: "acct6", model: "gpt-4.1-primary", fallbacks: ["effortful"] },
      effortful: { provider: "acct5", model: "o4-mini", reasoning: { effort: "high" } },
      // A Responses deployment whose stream says the context window is exceeded.
      wide: { provider: "resp6", model: "gpt-5", context_window_fallbacks: ["long"] },
      pairs: {
        deployments: [
          { provider: "acct6", model: "gpt-4.1", name: "p6" },
          { provider: "acct7", model: "gpt-4.1", name: "p7" },
        ],
      },
      hurried: {
        deployments: [
          { provider: "acct6", model: "gpt-4.1", name: "h6" },
          { provider: "acct7", model: "gpt-4.1", name: "h7" },
        ],
        routing: { max_total_ms: 700 },
      },
    },
  }));
  return {
    mock,
    d,
    h,
    async close() {
      await h.close();
      for (const s of d) await s.close();
      await mock.close();
    },
  };
}
