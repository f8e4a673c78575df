/**
 * Without a config file, the environment-variable setups of the single-purpose proxies start llmux through
 * the CLI's own start path and serve a request end to end (upstream: the mock).
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { start } from "../../src/cli/start.js";
import { type MockServer, startMockServer } from "../../src/mock/server.js";
import type { Gateway } from "../../src/server/gateway.js";
import { tempStorePath } from "../support/gateway.js";

const emptyDir = mkdtempSync(join(tmpdir(), "llmux-cwd-"));
let mock: MockServer;
beforeAll(async () => {
  mock = await startMockServer();
});
afterAll(async () => {
  await mock.close();
});

async function withGateway(env: Record<string, string>, run: (url: string) => Promise<void>): Promise<void> {
  const gateway: Gateway = await start(
    // An empty working directory: a llmux.yaml in the checkout must not take the place of the variables.
    { port: 0, cwd: emptyDir },
    { LLMUX_STORE: tempStorePath(), ...env },
    pino({ level: "silent" }),
  );
  const { port } = gateway.server.address() as { port: number };
  try {
    await run(`http://127.0.0.1:${port}`);
  } finally {
    await gateway.close();
  }
}

const last = () => mock.requests.at(-1)!;
const REASONING = { type: "reasoning" as const, text: "thinking", summary: ["Thinking it over."] };

describe("Cursor → Azure Responses variables", () => {
  const env = () => ({
    AZURE_BASE_URL: mock.url,
    AZURE_API_KEY: "azure-key",
    AZURE_DEPLOYMENT: "gpt-5-codex",
    AZURE_SUMMARY_LEVEL: "detailed",
    AZURE_VERBOSITY_LEVEL: "medium",
    AZURE_TRUNCATION: "disabled",
    SERVICE_API_KEY: "service-key",
  });

  it("serves gpt-high through /openai/v1/responses with the effort of its name, reasoning shown in <think>", async () => {
    await withGateway(env(), async (url) => {
      mock.enqueue({ blocks: [REASONING, { type: "text", text: "done" }] });
      const client = new OpenAI({ apiKey: "service-key", baseURL: url, maxRetries: 0 });
      const c = await client.chat.completions.create({
        model: "gpt-high",
        messages: [{ role: "user", content: "hi" }],
      });
      expect(c.choices[0]!.message.content).toBe("<think>\n\nThinking it over.\n\n</think>\n\ndone");
      const sent = last();
      expect(sent.url).toBe("/openai/v1/responses");
      expect(sent.headers["api-key"]).toBe("azure-key");
      expect(sent.body).toMatchObject({
        model: "gpt-5-codex",
        reasoning: { effort: "high", summary: "detailed" },
        text: { verbosity: "medium" },
        truncation: "disabled",
      });
      await expect(
        new OpenAI({ apiKey: "wrong", baseURL: url, maxRetries: 0 }).chat.completions.create({
          model: "gpt-low",
          messages: [{ role: "user", content: "x" }],
        }),
      ).rejects.toBeInstanceOf(OpenAI.PermissionDeniedError); // these variables serve Cursor only: the 403 it can display
    });
  });

  it("uses the dated /openai/responses?api-version= form when AZURE_API_VERSION is set", async () => {
    await withGateway({ ...env(), AZURE_API_VERSION: "2025-04-01-preview" }, async (url) => {
      mock.enqueue({ blocks: [{ type: "text", text: "ok" }] });
      const client = new OpenAI({ apiKey: "service-key", baseURL: url, maxRetries: 0 });
      await client.chat.completions.create({ model: "gpt-minimal", messages: [{ role: "user", content: "hi" }] });
      expect(last().url).toBe("/openai/responses?api-version=2025-04-01-preview");
      // gpt-5-codex has no "minimal" effort: clamped to low
      expect((last().body as { reasoning: { effort: string } }).reasoning.effort).toBe("low");
    });
  });
});

describe("Claude Code → Azure variables", () => {
  it("maps haiku to SMALL_MODEL and sonnet/opus to BIG_MODEL, checking ANTHROPIC_AUTH_TOKEN", async () => {
    const env = {
      AZURE_OPENAI_ENDPOINT: mock.url,
      AZURE_OPENAI_API_KEY: "aoai-key",
      BIG_MODEL: "gpt-5",
      SMALL_MODEL: "gpt-5-mini",
      ANTHROPIC_AUTH_TOKEN: "cc-token",
    };
    await withGateway(env, async (url) => {
      const client = new Anthropic({ authToken: "cc-token", apiKey: null, baseURL: url, maxRetries: 0 });
      mock.enqueue({ blocks: [{ type: "text", text: "small" }] });
      const small = await client.messages.create({
        model: "claude-3-5-haiku-20241022",
        max_tokens: 20,
        messages: [{ role: "user", content: "hi" }],
      });
      expect(small.content[0]).toMatchObject({ type: "text", text: "small" });
      expect(last().body).toMatchObject({ model: "gpt-5-mini" });
      expect(last().headers["api-key"]).toBe("aoai-key");
      mock.enqueue({ blocks: [{ type: "text", text: "big" }] });
      await client.messages.create({
        model: "claude-sonnet-4-5-20250929",
        max_tokens: 20,
        messages: [{ role: "user", content: "hi" }],
      });
      expect(last().body).toMatchObject({ model: "gpt-5" });
      const stranger = new Anthropic({ apiKey: "nope", baseURL: url, maxRetries: 0 });
      await expect(
        stranger.messages.create({
          model: "claude-opus-4-1",
          max_tokens: 5,
          messages: [{ role: "user", content: "x" }],
        }),
      ).rejects.toBeInstanceOf(Anthropic.AuthenticationError);
    });
  });
});

describe("provider keys alone", () => {
  it("ANTHROPIC_API_KEY serves claude-* models (passthrough)", async () => {
    await withGateway({ ANTHROPIC_API_KEY: "anthropic-key", LLMUX_ANTHROPIC_BASE_URL: mock.url }, async (url) => {
      mock.enqueue({ blocks: [{ type: "text", text: "claude here" }] });
      const client = new Anthropic({ apiKey: "anything", baseURL: url, maxRetries: 0 });
      const m = await client.messages.create({
        model: "claude-sonnet-4-5",
        max_tokens: 20,
        messages: [{ role: "user", content: "hi" }],
      });
      expect(m.content[0]).toMatchObject({ text: "claude here" });
      expect(last().path).toBe("/v1/messages");
      expect(last().headers["x-api-key"]).toBe("anthropic-key");
    });
  });

  it("KIMI_API_KEY serves kimi-* models through the Moonshot preset", async () => {
    await withGateway({ KIMI_API_KEY: "kimi-key", KIMI_BASE_URL: `${mock.url}/compat/v1` }, async (url) => {
      mock.enqueue({
        blocks: [
          { type: "reasoning", text: "hmm" },
          { type: "text", text: "kimi here" },
        ],
      });
      const client = new OpenAI({ apiKey: "anything", baseURL: url, maxRetries: 0 });
      const c = await client.chat.completions.create({
        model: "kimi-k2-thinking",
        messages: [{ role: "user", content: "hi" }],
      });
      expect(c.choices[0]!.message.content).toBe("kimi here");
      expect(last().path).toBe("/compat/v1/chat/completions");
      expect(last().headers.authorization).toBe("Bearer kimi-key");
    });
  });
});

describe("no configuration and no credentials", () => {
  it("serves the built-in mock model", async () => {
    await withGateway({}, async (url) => {
      const client = new OpenAI({ apiKey: "none", baseURL: `${url}/v1`, maxRetries: 0 });
      const c = await client.chat.completions.create({
        model: "llmux-mock",
        messages: [{ role: "user", content: "Is anyone there?" }],
      });
      expect(c.choices[0]!.message.content).toBe('llmux mock: you said "Is anyone there?"');
    });
  });
});
