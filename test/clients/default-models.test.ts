/**
 * The launchers' table of the tools' default model names (src/launch/default-models.ts) is current: the newest
 * Claude Code the tests pin is the version of its row, and run with no model it asks for the row's model; its
 * `haiku` alias (the small fast model's default) names the row's small model. A new pin fails here until the
 * table is read again (the launcher's allow-list warning names what the tool will really ask for).
 */
import { dirname } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_MODELS } from "../../src/launch/default-models.js";
import {
  CLIENT_PINS,
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

const KEY = "llmux-key-for-default-models";
let h: Harness;
let ws: Workspace;
let path: string;
beforeAll(async () => {
  const [{ runtime }] = await Promise.all([cursorRuntime(), ensureClient("claude-code-latest")]);
  path = `${dirname(runtime.node)}:${MINIMAL_PATH}`;
  h = await startHarness(() => ({
    auth: { keys: [KEY] },
    models: { "claude-*": { provider: "anthropic", model: "claude-sonnet-4-6" } },
  }));
  ws = await makeWorkspace("claude-code-latest");
}, CURSOR_INSTALL_TIMEOUT_MS + 240_000);
afterAll(async () => {
  await h?.close();
  if (ws) await removeWorkspace(ws);
});

/** The model names Claude Code asked llmux for in one run. */
async function asked(args: string[]): Promise<string[]> {
  h.mock.reset();
  h.mock.enqueue(...Array.from({ length: 4 }, () => ({ blocks: [{ type: "text" as const, text: "ok" }] })));
  const before = h.logs.length;
  const r = await runClient("claude-code-latest", ws, {
    args: ["-p", "say hi", ...args],
    env: {
      ANTHROPIC_BASE_URL: h.url,
      ANTHROPIC_API_KEY: KEY,
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
      DISABLE_AUTOUPDATER: "1",
      PATH: path,
    },
  });
  expect(r.code, describeRun("claude-code-latest", r)).toBe(0);
  await eventually(() => h.logs.slice(before).find((l) => l.path === "/v1/messages" && l.status === 200));
  return [
    ...new Set(
      h.logs
        .slice(before)
        // The name Claude Code asked for (`model` is the upstream's, after routing).
        .filter((l) => l.path === "/v1/messages" && typeof l.requested === "string")
        .map((l) => l.requested as string),
    ),
  ];
}

describe("the launchers' default model names", () => {
  it("are read from the Claude Code version the tests pin", () => {
    expect(DEFAULT_MODELS.claude.version).toBe(CLIENT_PINS["claude-code-latest"].version);
  });

  it("Claude Code run with no model asks for the table's model", async () => {
    expect(await asked([])).toEqual([DEFAULT_MODELS.claude.model]);
  }, 120_000);

  it("its haiku alias (the small fast model) is the table's small model", async () => {
    expect(await asked(["--model", "haiku"])).toContain(DEFAULT_MODELS.claude.small);
  }, 120_000);
});
