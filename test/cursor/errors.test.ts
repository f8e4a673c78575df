/**
 * Cursor's failures as each client dialect's errors: a rejected key is a 401, a rate limit a 429 (at the key
 * exchange or on the run), an unreachable backend or a dropped connection a 503; a 429 is a routing failure the
 * attempt loop retries on another deployment; a helper that dies takes only its requests (503) and starts again.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DIALECTS, type Dialect } from "../../src/ir/types.js";
import type { CursorProvider } from "../../src/providers/cursor.js";
import { CURSOR_INSTALL_TIMEOUT_MS, type CursorFake, startCursorFake } from "../support/cursor.js";
import { type Harness, startHarness } from "../support/gateway.js";
import { consumeWithSdk } from "../support/sdk.js";

let fake: CursorFake;
let h: Harness;
const cursor = (api_key: string, base_url?: string) => ({
  type: "cursor",
  base_url: base_url ?? fake.url,
  api_key,
  runtime_dir: ".cache/cursor-runtime",
});
beforeAll(async () => {
  fake = await startCursorFake();
  h = await startHarness(() => ({
    providers: {
      good: cursor("good-key"),
      bad: cursor("bad-key"),
      limited: cursor("limited-key"),
      // Nothing listens on port 9 (discard) of this host: the SDK's connection is refused.
      nowhere: cursor("good-key", "http://127.0.0.1:9"),
      "limited-first": cursor("limited-key"),
      "mock-second": { type: "mock", dialect: "anthropic", reply: "answered by the second deployment" },
    },
    models: {
      "c-good": { provider: "good", model: "composer-2.5" },
      "c-bad": { provider: "bad", model: "composer-2.5" },
      "c-limited": { provider: "limited", model: "composer-2.5" },
      "c-nowhere": { provider: "nowhere", model: "composer-2.5" },
      "c-routed": {
        deployments: [
          { provider: "limited-first", model: "composer-2.5", weight: 1000 },
          { provider: "mock-second", model: "m", weight: 0.001 },
        ],
        routing: { affinity: false },
      },
    },
  }));
}, CURSOR_INSTALL_TIMEOUT_MS);
afterAll(async () => {
  await h?.close();
  fake?.close();
});

/** The HTTP status (and message) the dialect's SDK failed with. */
async function failure(
  dialect: Dialect,
  model: string,
  prompt: string,
  stream = false,
): Promise<{ status: number; message: string }> {
  try {
    await consumeWithSdk(dialect, h.url, stream, { model, prompt });
  } catch (err) {
    const e = err as { status?: number; message?: string };
    return { status: e.status ?? 0, message: String(e.message) };
  }
  throw new Error("the call succeeded");
}

describe.each(DIALECTS)("%s client", (dialect) => {
  it("a key Cursor rejects is a 401", async () => {
    const f = await failure(dialect, "c-bad", "hi");
    expect(f.status).toBe(401);
    expect(f.message).toContain("Invalid API key (fake)");
  });

  it("a rate limit is a 429, at the key exchange or on the run", async () => {
    expect((await failure(dialect, "c-limited", "hi")).status).toBe(429);
    const onRun = await failure(dialect, "c-good", `[error:rate] ${randomUUID()}`);
    expect(onRun.status).toBe(429);
    expect(onRun.message).toContain("rate limit exceeded (fake)");
  });

  it("an unreachable backend is a 503", async () => {
    expect((await failure(dialect, "c-nowhere", "hi")).status).toBe(503);
  });

  it("an expired token on the run is a 401", async () => {
    expect((await failure(dialect, "c-good", `[error:auth] ${randomUUID()}`)).status).toBe(401);
  });
});

it("a connection dropped mid-stream ends the stream with an error; unstreamed, it is a 503", async () => {
  await expect(
    consumeWithSdk("anthropic", h.url, true, { model: "c-good", prompt: "[error:network] a" }),
  ).rejects.toThrow();
  expect((await failure("openai-chat", "c-good", "[error:network] b")).status).toBe(503);
  // The provider still answers afterwards.
  const ok = await consumeWithSdk("openai-responses", h.url, false, { model: "c-good", prompt: "still there?" });
  expect(ok.text).toBe("Composer heard: still there?");
});

it("a 429 from Cursor is retried on the alias's next deployment", async () => {
  const before = (await fake.log()).filter((e) => e.exchange === "limited-key").length;
  const out = await consumeWithSdk("openai-chat", h.url, false, { model: "c-routed", prompt: "hi" });
  expect(out.text).toBe("answered by the second deployment");
  const after = (await fake.log()).filter((e) => e.exchange === "limited-key").length;
  expect(after).toBeGreaterThan(before);
});

it("a helper that dies fails its request with a 503 and is started again for the next", async () => {
  const provider = h.gateway.providers.get("good") as CursorProvider;
  await consumeWithSdk("anthropic", h.url, false, { model: "c-good", prompt: "warm up" });
  const pid = provider.helperPid();
  expect(pid).toBeGreaterThan(0);
  const inFlight = failure("anthropic", "c-good", `[slow] ${randomUUID()}`);
  await new Promise((r) => setTimeout(r, 1000));
  process.kill(pid!, "SIGKILL");
  const f = await inFlight;
  expect(f.status).toBe(503);
  expect(f.message).toContain("the Cursor helper stopped");
  const again = await consumeWithSdk("gemini", h.url, true, { model: "c-good", prompt: "back?" });
  expect(again.text).toBe("Composer heard: back?");
  expect(provider.helperPid()).not.toBe(pid);
});
