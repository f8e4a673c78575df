/**
 * Real Codex with web search on, through llmux to an Anthropic upstream (issue 42): Codex declares the
 * Responses `web_search` hosted tool, which only OpenAI runs; llmux declares a function in its place, runs the
 * model's search against a SearXNG-shaped fake and answers Codex with a `web_search_call` item and the model's
 * answer citing the results.
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
import { CODEX_MODEL, codexConfigToml } from "./cells.js";

const KEY = "llmux-key-for-codex-search";
const QUERY = "llmux gateway release";
const FIRST_URL = "https://example.org/llmux-gateway-release";

function toolNames(body: Body): string[] {
  return ((body.tools ?? []) as Body[]).map((t) => t.name ?? t.type);
}

/** The model (Anthropic Messages): searches with the function llmux declared, then answers citing the result. */
function model(body: unknown, _req: MockRequest): MockTurn {
  const b = body as Body;
  const last = ((b.messages ?? []) as Body[]).at(-1);
  const result = Array.isArray(last?.content) && last.content.some((c: Body) => c.type === "tool_result");
  if (!toolNames(b).includes("web_search")) return { blocks: [{ type: "text", text: "NO-SEARCH-TOOL" }] };
  if (result) {
    const seen = JSON.stringify(last).includes(FIRST_URL);
    return { blocks: [{ type: "text", text: seen ? `ANSWER-CITES ${FIRST_URL}` : "ANSWER-WITHOUT-RESULTS" }] };
  }
  return { blocks: [{ type: "tool_call", name: "web_search", arguments: JSON.stringify({ query: QUERY }) }] };
}

let h: Harness;
let ws: Workspace;
let searx: SearxngFake;

beforeAll(async () => {
  await ensureClient("codex");
  searx = await startSearxngFake();
  h = await startHarness(
    () => ({
      auth: { keys: [KEY] },
      models: { [CODEX_MODEL]: { provider: "anthropic", model: "claude-sonnet-4-5" } },
    }),
    { fallback: model },
    { webTools: { search: searxngProvider(searx.url) } },
  );
  ws = await makeWorkspace("codex", {
    homeFiles: { ".codex/config.toml": `web_search = "live"\n${codexConfigToml(h.url)}` },
  });
}, 300_000);

afterAll(async () => {
  await h?.close();
  await searx?.close();
  if (ws) await removeWorkspace(ws);
});

describe("Codex's web search on an Anthropic upstream", () => {
  it("runs the search in llmux and answers citing its results", async () => {
    const r = await runClient("codex", ws, {
      args: ["exec", "--json", "--skip-git-repo-check", "--ephemeral", "Search the web for the llmux gateway release"],
      env: { LLMUX_KEY: KEY },
      timeoutMs: 120_000,
    });
    const why = `${describeRun("codex", r)}\n--- upstream ---\n${h.mock.requests.map((q) => `${q.path} ${toolNames(q.body as Body).join(",")}`).join("\n")}`;
    expect(r.code, why).toBe(0);
    expect(searx.queries, why).toEqual([QUERY]);
    expect(r.stdout, why).toContain(`ANSWER-CITES ${FIRST_URL}`);
    // Codex shows the search as it shows a native one: a web_search item with its query.
    const items = r.stdout
      .split("\n")
      .filter((l) => l.startsWith("{"))
      .map((l) => JSON.parse(l) as Body);
    const search = items.find((e) => e.type === "item.completed" && e.item?.type === "web_search");
    expect(search?.item, why).toMatchObject({ query: QUERY, action: { type: "search", query: QUERY } });
  }, 180_000);
});
