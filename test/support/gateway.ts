import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { Writable } from "node:stream";
import { pino } from "pino";
import { parseConfig } from "../../src/config/load.js";
import { type MockServer, type MockServerOptions, startMockServer } from "../../src/mock/server.js";
import { Gateway, type GatewayParts } from "../../src/server/gateway.js";

/** Log lines the gateway wrote, parsed. */
export type LogLine = Record<string, unknown> & { msg?: string };

export interface Harness {
  url: string;
  gateway: Gateway;
  mock: MockServer;
  logs: LogLine[];
  close(): Promise<void>;
}

/** The upstream kinds (Azure Responses and Chat, OpenAI Chat, Anthropic, OpenAI-compatible, Gemini), all served by one mock, plus a model alias for each. */
export function upstreamsConfig(mockUrl: string): {
  providers: Record<string, unknown>;
  models: Record<string, unknown>;
} {
  return {
    providers: {
      "azure-responses": { type: "azure", base_url: mockUrl, api_key: "az-key", api: "responses" },
      "azure-chat": { type: "azure", base_url: mockUrl, api_key: "az-key", api: "chat", api_version: "2024-10-21" },
      "openai-chat": { type: "openai", base_url: `${mockUrl}/v1`, api_key: "oa-key", api: "chat" },
      anthropic: { type: "anthropic", base_url: mockUrl, api_key: "an-key" },
      compat: {
        type: "openai-compatible",
        base_url: `${mockUrl}/compat/v1`,
        api_key: "co-key",
        reasoning_field: "reasoning_content",
      },
      gemini: { type: "gemini", base_url: mockUrl, api_key: "ge-key" },
    },
    models: {
      "via-azure-responses": { provider: "azure-responses", model: "gpt-5-codex" },
      "via-azure-chat": { provider: "azure-chat", model: "gpt-4o-deploy" },
      "via-openai-chat": { provider: "openai-chat", model: "gpt-4.1" },
      "via-anthropic": { provider: "anthropic", model: "claude-sonnet-4-5" },
      "via-compat": { provider: "compat", model: "kimi-k2-thinking" },
      "via-gemini": { provider: "gemini", model: "gemini-2.5-pro" },
    },
  };
}

export const UPSTREAM_ALIASES = [
  "via-azure-responses",
  "via-azure-chat",
  "via-openai-chat",
  "via-anthropic",
  "via-compat",
  "via-gemini",
] as const;

/** A store file of its own for each gateway a test starts. */
export function tempStorePath(): string {
  return join(mkdtempSync(join(tmpdir(), "llmux-store-")), "llmux.db");
}

/** Starts a mock upstream and a gateway in front of it. `extra` is merged over the generated config. */
export async function startHarness(
  extra: (mockUrl: string) => Record<string, unknown> = () => ({}),
  mockOptions: MockServerOptions = {},
  parts: GatewayParts = {},
): Promise<Harness> {
  const mock = await startMockServer(mockOptions);
  const base = upstreamsConfig(mock.url);
  const more = extra(mock.url);
  // A journal directory of its own (a gateway on PostgreSQL has no store file to put it beside): gateways of
  // other test files must not replay each other's journals into their databases.
  const storePath = tempStorePath();
  const billing = { spool_dir: dirname(storePath), ...(more.billing as object | undefined) };
  const raw = {
    store: { path: storePath },
    ...more,
    billing,
    providers: { ...base.providers, ...(more.providers as object | undefined) },
    models: { ...base.models, ...(more.models as object | undefined) },
  };
  const config = parseConfig(raw, {});
  const logs: LogLine[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const line of chunk.toString("utf8").split("\n")) if (line.trim()) logs.push(JSON.parse(line) as LogLine);
      cb();
    },
  });
  const logger = pino({ level: config.logging.level, base: undefined }, sink);
  const gateway = new Gateway(config, logger, parts);
  const addr = await gateway.listen(0, "127.0.0.1");
  return {
    url: `http://127.0.0.1:${addr.port}`,
    gateway,
    mock,
    logs,
    async close() {
      await gateway.close();
      await mock.close();
    },
  };
}

/** Waits until `check` holds (log lines are written asynchronously). */
export async function eventually<T>(check: () => T | undefined, timeoutMs = 2000): Promise<T> {
  const start = Date.now();
  for (;;) {
    const v = check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() - start > timeoutMs) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A parsed JSON response body, read freely in assertions (the assertions are its type checks). */
// biome-ignore lint/suspicious/noExplicitAny: test assertions walk arbitrary JSON
export type Body = Record<string, any>;
