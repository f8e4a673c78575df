/** Pass-through auth (the caller's own upstream key), anthropic-beta filtering, and the open-gateway warning. */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { start } from "../../src/cli/start.js";
import { type Harness, startHarness } from "../support/gateway.js";

let h: Harness;
beforeAll(async () => {
  h = await startHarness((mockUrl) => ({
    auth: { passthrough: true },
    providers: { picky: { type: "anthropic", base_url: mockUrl, betas: ["interleaved-thinking-2025-05-14"] } },
    models: { "picky-claude": { provider: "picky", model: "claude-sonnet-4-5" } },
  }));
});
afterAll(async () => {
  await h.close();
});

const ok = () => h.mock.enqueue({ blocks: [{ type: "text", text: "ok" }] });

describe("pass-through auth", () => {
  it("forwards the caller's key in each provider's own header, and never logs it", async () => {
    ok();
    await fetch(`${h.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: "Bearer user-openai-key" },
      body: JSON.stringify({ model: "via-openai-chat", messages: [{ role: "user", content: "hi" }] }),
    });
    expect(h.mock.requests.at(-1)!.headers.authorization).toBe("Bearer user-openai-key");
    ok();
    await fetch(`${h.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: "Bearer user-anthropic-key" },
      body: JSON.stringify({ model: "via-anthropic", messages: [{ role: "user", content: "hi" }] }),
    });
    expect(h.mock.requests.at(-1)!.headers["x-api-key"]).toBe("user-anthropic-key");
    ok();
    await fetch(`${h.url}/v1/messages`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-api-key": "user-azure-key" },
      body: JSON.stringify({ model: "via-azure-chat", max_tokens: 5, messages: [{ role: "user", content: "hi" }] }),
    });
    expect(h.mock.requests.at(-1)!.headers["api-key"]).toBe("user-azure-key");
    await new Promise((r) => setTimeout(r, 50));
    expect(JSON.stringify(h.logs)).not.toMatch(/user-(openai|anthropic|azure)-key/);
  });
});

describe("anthropic-beta", () => {
  it("keeps the values an upstream accepts and reports the ones it dropped", async () => {
    ok();
    const res = await fetch(`${h.url}/v1/messages`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-api-key": "k",
        "anthropic-beta": "interleaved-thinking-2025-05-14,claude-code-20250219",
      },
      body: JSON.stringify({ model: "picky-claude", max_tokens: 5, messages: [{ role: "user", content: "hi" }] }),
    });
    await res.text();
    expect(h.mock.requests.at(-1)!.headers["anthropic-beta"]).toBe("interleaved-thinking-2025-05-14");
    expect(res.headers.get("llmux-warnings")).toMatch(/claude-code-20250219/);
  });
});

describe("an open gateway beyond loopback", () => {
  it("warns loudly at start", async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(c: Buffer, _e, cb) {
        lines.push(c.toString());
        cb();
      },
    });
    const gateway = await start(
      { port: 0, host: "0.0.0.0", cwd: mkdtempSync(join(tmpdir(), "llmux-cwd-")) },
      {},
      pino({ level: "info" }, sink),
    );
    await gateway.close();
    expect(lines.join("")).toMatch(/NO AUTH: llmux is bound to 0\.0\.0\.0/);
  });
});
