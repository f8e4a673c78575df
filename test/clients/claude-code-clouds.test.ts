/**
 * Claude Code (the pinned release) in its Bedrock and Vertex formats against llmux: with
 * `CLAUDE_CODE_USE_BEDROCK=1` / `CLAUDE_CODE_USE_VERTEX=1`, the base URL variables pointing at llmux,
 * the cloud's own auth skipped and llmux's key in `ANTHROPIC_CUSTOM_HEADERS`, a text turn through an
 * upstream of another dialect (Chat Completions) and one through Anthropic.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  describeRun,
  ensureClient,
  makeWorkspace,
  removeWorkspace,
  runClient,
  type Workspace,
} from "../support/clients.js";
import { eventually, type Harness, startHarness } from "../support/gateway.js";

const KEY = "llmux-key-for-claude-clouds";
let h: Harness;
let ws: Workspace;
beforeAll(async () => {
  await ensureClient("claude-code");
  h = await startHarness(() => ({ auth: { keys: [KEY] } }));
  ws = await makeWorkspace("claude-code");
}, 300_000);
afterAll(async () => {
  await h?.close();
  if (ws) await removeWorkspace(ws);
});

const QUIET = {
  DISABLE_TELEMETRY: "1",
  CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
  DISABLE_AUTOUPDATER: "1",
  DISABLE_ERROR_REPORTING: "1",
  ANTHROPIC_CUSTOM_HEADERS: `x-api-key: ${KEY}`,
};

const FORMATS = {
  bedrock: {
    CLAUDE_CODE_USE_BEDROCK: "1",
    ANTHROPIC_BEDROCK_BASE_URL: "",
    CLAUDE_CODE_SKIP_BEDROCK_AUTH: "1",
    AWS_REGION: "us-east-1",
  },
  vertex: {
    CLAUDE_CODE_USE_VERTEX: "1",
    ANTHROPIC_VERTEX_BASE_URL: "",
    CLAUDE_CODE_SKIP_VERTEX_AUTH: "1",
    ANTHROPIC_VERTEX_PROJECT_ID: "my-project",
    CLOUD_ML_REGION: "us-east5",
  },
};

describe.each(Object.keys(FORMATS) as (keyof typeof FORMATS)[])("Claude Code in the %s format", (format) => {
  for (const alias of ["via-openai-chat", "via-anthropic"]) {
    it(`answers a text turn through ${alias}`, async () => {
      const env: Record<string, string> = { ...QUIET, ...FORMATS[format] };
      env[format === "bedrock" ? "ANTHROPIC_BEDROCK_BASE_URL" : "ANTHROPIC_VERTEX_BASE_URL"] =
        format === "bedrock" ? h.url : `${h.url}/v1`;
      h.mock.reset();
      h.mock.enqueue(
        ...Array.from({ length: 4 }, () => ({ blocks: [{ type: "text" as const, text: `hi from ${format}` }] })),
      );
      const r = await runClient("claude-code", ws, { args: ["-p", "say hi", "--model", alias], env });
      expect(r.stdout, describeRun("claude-code", r)).toContain(`hi from ${format}`);
      // llmux's log: the turn came in the cloud's format, on its route.
      const route = format === "bedrock" ? /^\/model\/[^/]+\/invoke-with-response-stream$/ : /:streamRawPredict$/;
      const served = await eventually(() =>
        h.logs.find((l) => typeof l.path === "string" && route.test(l.path) && l.status === 200),
      ).catch(() => undefined);
      expect(served, JSON.stringify(h.logs.map((l) => [l.path, l.status]))).toBeDefined();
    }, 120_000);
  }
});
