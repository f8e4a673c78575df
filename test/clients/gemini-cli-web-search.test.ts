/**
 * Real Gemini CLI's google_web_search through llmux to an OpenAI Chat Completions upstream (issue 42): Gemini
 * CLI asks for the search with Gemini's googleSearch tool, which only Gemini runs; llmux runs it against a
 * SearXNG-shaped fake and answers with the groundingMetadata Gemini CLI turns into its sources; the model
 * answers citing them.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { MockRequest, MockTurn } from "../../src/mock/server.js";
import {
  describeRun,
  ensureClient,
  makeWorkspace,
  removeWorkspace,
  runClient,
  type Workspace,
} from "../support/clients.js";
import type { Body, Harness } from "../support/gateway.js";
import { startHarness } from "../support/gateway.js";
import { type SearxngFake, searxngProvider, startSearxngFake } from "../support/web-search-fake.js";
import { GEMINI_CLI_MODEL, geminiCliEnv, geminiCliSettings } from "./cells.js";

const KEY = "llmux-key-for-gemini-search";
const QUERY = "llmux gateway release";
const FIRST_URL = "https://example.org/llmux-gateway-release";

function toolNames(body: Body): string[] {
  return ((body.tools ?? []) as Body[]).map((t) => t.function?.name ?? t.name);
}

/** The model: asks Gemini CLI to search, runs the search llmux emulates, then answers with the source. */
function model(body: unknown, _req: MockRequest): MockTurn {
  const b = body as Body;
  const last = ((b.messages ?? []) as Body[]).at(-1);
  const names = toolNames(b);
  if (names.includes("web_search")) {
    if (last?.role === "tool") return { blocks: [{ type: "text", text: "The release is out." }] };
    return { blocks: [{ type: "tool_call", name: "web_search", arguments: JSON.stringify({ query: QUERY }) }] };
  }
  if (names.includes("google_web_search")) {
    if (last?.role === "tool") {
      const seen = JSON.stringify(last).includes(FIRST_URL);
      return { blocks: [{ type: "text", text: seen ? `ANSWER-CITES ${FIRST_URL}` : "ANSWER-WITHOUT-RESULTS" }] };
    }
    return { blocks: [{ type: "tool_call", name: "google_web_search", arguments: JSON.stringify({ query: QUERY }) }] };
  }
  return { blocks: [{ type: "text", text: "ok" }] };
}

let h: Harness;
let ws: Workspace;
let searx: SearxngFake;

beforeAll(async () => {
  await ensureClient("gemini-cli");
  searx = await startSearxngFake();
  h = await startHarness(
    () => ({
      auth: { keys: [KEY] },
      models: { "gemini-*": { provider: "openai-chat", model: "gpt-4.1" } },
    }),
    { fallback: model },
    { webTools: { search: searxngProvider(searx.url) } },
  );
  ws = await makeWorkspace("gemini-cli", {
    homeFiles: { ".gemini/settings.json": `${JSON.stringify(geminiCliSettings(), null, 2)}\n` },
  });
}, 300_000);

afterAll(async () => {
  await h?.close();
  await searx?.close();
  if (ws) await removeWorkspace(ws);
});

describe("Gemini CLI's google_web_search on a Chat Completions upstream", () => {
  it("runs the search in llmux and answers citing its grounding sources", async () => {
    const r = await runClient("gemini-cli", ws, {
      args: ["-m", GEMINI_CLI_MODEL, "-p", "Search the web for the llmux gateway release"],
      env: geminiCliEnv(h.url, KEY),
      timeoutMs: 120_000,
    });
    const why = `${describeRun("gemini-cli", r)}\n--- upstream ---\n${h.mock.requests.map((q) => `${q.path} ${toolNames(q.body as Body).join(",")}`).join("\n")}`;
    expect(r.code, why).toBe(0);
    expect(searx.queries, why).toEqual([QUERY]);
    expect(r.stdout, why).toContain(`ANSWER-CITES ${FIRST_URL}`);
  }, 180_000);
});
