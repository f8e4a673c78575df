/**
 * Real Claude Code's WebSearch (the pinned version and the newest) through llmux to an OpenAI Chat Completions
 * and an Azure Responses upstream (issue 42): the model
 * (the scripted mock) calls WebSearch; Claude Code asks for the search with Anthropic's web_search server
 * tool, which this upstream cannot run, so llmux runs it against a SearXNG-shaped fake and answers with
 * server_tool_use + web_search_tool_result blocks; Claude Code hands the results to the model, which answers
 * citing them.
 */

import { dirname } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { MockRequest, MockTurn } from "../../src/mock/server.js";
import {
  type ClientName,
  describeRun,
  ensureClient,
  MINIMAL_PATH,
  makeWorkspace,
  removeWorkspace,
  runClient,
  type Workspace,
} from "../support/clients.js";
import { CURSOR_INSTALL_TIMEOUT_MS, cursorRuntime } from "../support/cursor.js";
import type { Body, Harness } from "../support/gateway.js";
import { startHarness } from "../support/gateway.js";
import { type SearxngFake, searxngProvider, startSearxngFake } from "../support/web-search-fake.js";

const KEY = "llmux-key-for-web-search";
const QUERY = "llmux gateway release";
const FIRST_URL = "https://example.org/llmux-gateway-release";
/** The version the tests pin, and the newest (it declares Node ≥ 22: run on the Node 22 the Cursor runtime brings). */
const CLIENTS: ClientName[] = ["claude-code", "claude-code-latest"];

function toolNames(body: Body): string[] {
  return ((body.tools ?? []) as Body[]).map((t) => t.function?.name ?? t.name);
}

/** The model: asks Claude Code to search, runs the search llmux emulates, then answers with the source. */
function model(body: unknown, _req: MockRequest): MockTurn {
  const b = body as Body;
  // Chat Completions messages, or Responses input items.
  const last = ((b.messages ?? b.input ?? []) as Body[]).at(-1);
  const isResult = last?.role === "tool" || last?.type === "function_call_output";
  const names = toolNames(b);
  if (names.includes("web_search")) {
    // Claude Code's own search request: the server tool, emulated as a function by llmux.
    if (isResult) return { blocks: [{ type: "text", text: `Found it: ${FIRST_URL}` }] };
    return { blocks: [{ type: "tool_call", name: "web_search", arguments: JSON.stringify({ query: QUERY }) }] };
  }
  if (names.includes("WebSearch")) {
    if (isResult) {
      const seen = JSON.stringify(last).includes(FIRST_URL);
      return { blocks: [{ type: "text", text: seen ? `ANSWER-CITES ${FIRST_URL}` : "ANSWER-WITHOUT-RESULTS" }] };
    }
    return { blocks: [{ type: "tool_call", name: "WebSearch", arguments: JSON.stringify({ query: QUERY }) }] };
  }
  return { blocks: [{ type: "text", text: "ok" }] };
}

let h: Harness;
let searx: SearxngFake;
let latestPath: string;

beforeAll(async () => {
  const [{ runtime }] = await Promise.all([cursorRuntime(), ...CLIENTS.map((c) => ensureClient(c))]);
  latestPath = `${dirname(runtime.node)}:${MINIMAL_PATH}`;
  searx = await startSearxngFake();
  h = await startHarness(
    () => ({
      auth: { keys: [KEY] },
      models: {
        "claude-via-gpt": { provider: "openai-chat", model: "gpt-4.1" },
        "claude-via-azure": { provider: "azure-responses", model: "gpt-5-codex" },
      },
    }),
    { fallback: model },
    { webTools: { search: searxngProvider(searx.url) } },
  );
}, CURSOR_INSTALL_TIMEOUT_MS + 300_000);

afterAll(async () => {
  await h?.close();
  await searx?.close();
});

describe.each(CLIENTS)("%s's WebSearch on a Chat Completions and an Azure Responses upstream", (CLIENT) => {
  let ws: Workspace;
  beforeAll(async () => {
    ws = await makeWorkspace(CLIENT);
  });
  afterAll(async () => {
    if (ws) await removeWorkspace(ws);
  });

  it.each(["claude-via-gpt", "claude-via-azure"])(
    "through %s: runs the search in llmux and answers citing its results",
    async (alias) => {
      h.mock.reset();
      searx.queries.length = 0;
      const r = await runClient(CLIENT, ws, {
        args: ["-p", "Search the web for the llmux gateway release", "--model", alias, "--allowedTools", "WebSearch"],
        env: {
          ANTHROPIC_BASE_URL: h.url,
          ANTHROPIC_API_KEY: KEY,
          ANTHROPIC_SMALL_FAST_MODEL: alias,
          ANTHROPIC_DEFAULT_HAIKU_MODEL: alias,
          CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
          DISABLE_TELEMETRY: "1",
          DISABLE_AUTOUPDATER: "1",
          DISABLE_ERROR_REPORTING: "1",
          // The newest defers most tools behind ToolSearch: WebSearch is declared up front without it.
          ...(CLIENT === "claude-code-latest" ? { PATH: latestPath, ENABLE_TOOL_SEARCH: "false" } : {}),
        },
        timeoutMs: 120_000,
      });
      const why = `${describeRun(CLIENT, r)}\n--- upstream ---\n${h.mock.requests.map((q) => `${q.path} ${toolNames(q.body as Body).join(",")}`).join("\n")}`;
      expect(r.code, why).toBe(0);
      expect(searx.queries, why).toEqual([QUERY]);
      expect(r.stdout, why).toContain(`ANSWER-CITES ${FIRST_URL}`);
      // The search request went upstream with a function in place of the server tool.
      const search = h.mock.requests.map((q) => q.body as Body).find((b) => toolNames(b).includes("web_search"));
      expect(search, why).toBeDefined();
      expect(JSON.stringify(search)).not.toContain("web_search_2025");
    },
    180_000,
  );
});
