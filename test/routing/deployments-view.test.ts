/**
 * The health view counts every request of every deployment: an ordinary single-deployment alias (an attempt
 * loop of one), an alias pattern that resolves to a model named by the client, and a failing deployment,
 * on both hot-state engines; what a pattern reached is listed on another instance over the same state.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Body, type Harness, startHarness } from "../support/gateway.js";
import { ENGINES } from "../support/routing-fleet.js";
import { ADMIN, CHAT, call, SERVICE } from "../support/team.js";

// Counts are kept per window (floor(now / window_s)): a window of 11.6 days, so that the requests and the view
// that counts them fall in the same one (with the default 60 s, a run that crossed a minute read 0 requests).
const WINDOW = { window_s: 1_000_000 };

describe.each(ENGINES)("deployments on $name state", ({ state }) => {
  let h: Harness;
  let other: Harness | undefined;
  const config = (mock: string, shared: object) => ({
    ...shared,
    auth: { keys: [SERVICE] },
    admin: { keys: [ADMIN] },
    providers: { pat: { type: "openai", base_url: `${mock}/v1`, api_key: "k", api: "chat" } },
    models: {
      "via-openai-chat": { provider: "openai-chat", model: "gpt-4.1", routing: WINDOW },
      "gpt-*": { provider: "pat", routing: WINDOW },
      broken: { provider: "pat", model: "mock-error-500", routing: WINDOW },
    },
  });
  beforeAll(async () => {
    const shared = state();
    h = await startHarness((mock) => config(mock, shared));
    // A second instance over the same shared state (Redis) sees what the first served.
    if ("state" in shared) other = await startHarness((mock) => config(mock, shared));
  });
  afterAll(async () => {
    await h?.close();
    await other?.close();
  });

  const chat = (model: string) =>
    fetch(`${h.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${SERVICE}` },
      body: JSON.stringify(CHAT(model)),
    });

  it("counts the requests of a plain alias, a pattern's model and a failing deployment", async () => {
    for (let i = 0; i < 5; i++) expect((await chat("via-openai-chat")).status).toBe(200);
    for (let i = 0; i < 3; i++) expect((await chat("gpt-pattern-model")).status).toBe(200);
    h.mock.enqueue({ match: { model: "mock-error-500" }, httpError: { status: 500, message: "broken on purpose" } });
    const failed = await chat("broken");
    expect(failed.status).toBe(500);
    await failed.text();
    const rows = async (url: string) => {
      const res = await call(url, "GET", "/admin/v1/deployments", ADMIN);
      expect(res.status).toBe(200);
      return res.body.data as Body[];
    };
    // Each deployment's requests are counted as its answer settles, just after the client has it.
    let seen: Body[] = [];
    for (let n = 0; n < 40; n++) {
      seen = await rows(h.url);
      const plain = seen.find((r) => r.id === "openai-chat/gpt-4.1");
      if (plain?.window_requests === 5) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const plain = seen.find((r) => r.id === "openai-chat/gpt-4.1")!;
    expect(plain.aliases).toContain("via-openai-chat");
    expect([plain.window_requests, plain.window_errors, plain.in_flight]).toEqual([5, 0, 0]);
    expect(plain.ttft_ms).toBeGreaterThanOrEqual(0);
    const pattern = seen.find((r) => r.id === "pat/gpt-pattern-model")!;
    expect(pattern, "the model a pattern resolved to is listed").toBeDefined();
    expect(pattern.aliases).toEqual(["gpt-*"]);
    expect(pattern.window_requests).toBe(3);
    const broken = seen.find((r) => r.id === "pat/mock-error-500")!;
    expect(broken.window_requests).toBe(1);
    expect(broken.window_errors).toBe(1);
    if (other) {
      const there = (await rows(other.url)).find((r) => r.id === "pat/gpt-pattern-model");
      expect(there?.window_requests).toBe(3);
    }
  });
});
