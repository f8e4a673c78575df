/**
 * The newest Claude Code on the registry (it declares Node ≥ 22: run on the Node 22 the Cursor runtime
 * installs from the npm registry) in its three formats: Anthropic Messages, Bedrock InvokeModel and Vertex
 * rawPredict, each through an Anthropic and a Chat Completions upstream; and its gateway model discovery
 * filling the `/model` picker's cache with the models the key may use.
 */
import { readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  describeRun,
  ensureClient,
  MINIMAL_PATH,
  makeWorkspace,
  removeWorkspace,
  runClient,
  type Workspace,
} from "../support/clients.js";
import { CURSOR_INSTALL_TIMEOUT_MS, cursorRuntime } from "../support/cursor.js";
import { eventually, type Harness, startHarness } from "../support/gateway.js";

const KEY = "llmux-key-for-claude-latest";
let h: Harness;
let ws: Workspace;
let path: string;
beforeAll(async () => {
  const [{ runtime }] = await Promise.all([cursorRuntime(), ensureClient("claude-code-latest")]);
  path = `${dirname(runtime.node)}:${MINIMAL_PATH}`;
  h = await startHarness(() => ({
    auth: { keys: [KEY] },
    models: {
      "claude-sonnet-4-6": { provider: "anthropic", model: "claude-sonnet-4-6" },
      // In its Bedrock format Claude Code names a model it knows by Bedrock's inference-profile id.
      "us.anthropic.claude-sonnet-4-6": { provider: "anthropic", model: "claude-sonnet-4-6" },
      "claude-via-gpt": { provider: "openai-chat", model: "gpt-4.1" },
    },
  }));
  ws = await makeWorkspace("claude-code-latest");
}, CURSOR_INSTALL_TIMEOUT_MS + 240_000);
afterAll(async () => {
  await h?.close();
  if (ws) await removeWorkspace(ws);
});

const QUIET = { DISABLE_TELEMETRY: "1", DISABLE_AUTOUPDATER: "1", DISABLE_ERROR_REPORTING: "1" };

const FORMATS: Record<string, { env: (url: string) => Record<string, string>; route: RegExp }> = {
  messages: {
    env: (url) => ({
      ANTHROPIC_BASE_URL: url,
      ANTHROPIC_API_KEY: KEY,
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
    }),
    route: /^\/v1\/messages$/,
  },
  bedrock: {
    env: (url) => ({
      CLAUDE_CODE_USE_BEDROCK: "1",
      ANTHROPIC_BEDROCK_BASE_URL: url,
      CLAUDE_CODE_SKIP_BEDROCK_AUTH: "1",
      AWS_REGION: "us-east-1",
      ANTHROPIC_CUSTOM_HEADERS: `x-api-key: ${KEY}`,
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
    }),
    route: /^\/model\/[^/]+\/invoke-with-response-stream$/,
  },
  vertex: {
    env: (url) => ({
      CLAUDE_CODE_USE_VERTEX: "1",
      ANTHROPIC_VERTEX_BASE_URL: `${url}/v1`,
      CLAUDE_CODE_SKIP_VERTEX_AUTH: "1",
      ANTHROPIC_VERTEX_PROJECT_ID: "p",
      CLOUD_ML_REGION: "us-east5",
      ANTHROPIC_CUSTOM_HEADERS: `x-api-key: ${KEY}`,
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
    }),
    route: /:streamRawPredict$/,
  },
};

describe.each(Object.keys(FORMATS))("Claude Code (newest) in the %s format", (format) => {
  for (const alias of ["claude-sonnet-4-6", "claude-via-gpt"]) {
    it(`answers a text turn through ${alias}`, async () => {
      const f = FORMATS[format]!;
      h.mock.reset();
      h.mock.enqueue(
        ...Array.from({ length: 4 }, () => ({ blocks: [{ type: "text" as const, text: `latest ${format}` }] })),
      );
      const r = await runClient("claude-code-latest", ws, {
        args: ["-p", "say hi", "--model", alias],
        env: { ...QUIET, ...f.env(h.url), PATH: path },
      });
      const trace = JSON.stringify(h.logs.map((l) => [l.path, l.status, l.error ?? l.reason]));
      expect(r.stdout, `${describeRun("claude-code-latest", r)}\n${trace}`).toContain(`latest ${format}`);
      const served = await eventually(() =>
        h.logs.find((l) => typeof l.path === "string" && f.route.test(l.path) && l.status === 200),
      ).catch(() => undefined);
      expect(served, JSON.stringify(h.logs.map((l) => [l.path, l.status]))).toBeDefined();
    }, 120_000);
  }
});

describe("gateway model discovery", () => {
  it("fills Claude Code's picker cache with the key's models", async () => {
    h.mock.reset();
    h.mock.enqueue(...Array.from({ length: 4 }, () => ({ blocks: [{ type: "text" as const, text: "ok" }] })));
    const r = await runClient("claude-code-latest", ws, {
      args: ["-p", "say hi", "--model", "claude-sonnet-4-6"],
      env: {
        ...QUIET,
        ANTHROPIC_BASE_URL: h.url,
        ANTHROPIC_API_KEY: KEY,
        CLAUDE_CODE_ENABLE_GATEWAY_MODEL_DISCOVERY: "1",
        PATH: path,
      },
    });
    expect(r.code, describeRun("claude-code-latest", r)).toBe(0);
    const listed = await eventually(() => h.logs.find((l) => l.path === "/v1/models" && l.status === 200));
    expect(listed).toBeDefined();
    const cache = JSON.parse(await readFile(join(ws.home, ".claude", "cache", "gateway-models.json"), "utf8"));
    const ids = JSON.stringify(cache);
    expect(ids).toContain("claude-sonnet-4-6");
    expect(ids).toContain("claude-via-gpt");
    expect(ids).not.toContain("via-openai-chat");
  }, 120_000);
});
