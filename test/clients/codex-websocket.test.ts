/**
 * The real Codex CLI (the pinned version) with its built-in provider, set up as Codex's own docs say
 * (`openai_base_url` and `CODEX_API_KEY`): it talks to llmux over a Responses WebSocket, with no HTTP
 * fallback, against an Azure Responses upstream (passed through) and an Anthropic one (translated). With
 * `server.websocket: false` it falls back to HTTP at its first attempt. What happened is read from llmux's
 * log, not from timing.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  describeRun,
  ensureClient,
  killAllClients,
  makeWorkspace,
  removeWorkspace,
  runClient,
} from "../support/clients.js";
import { type Harness, type LogLine, startHarness } from "../support/gateway.js";
import { builtInProviderToml, CODEX_MODEL, SERVICE_KEY, UPSTREAMS, type UpstreamKey } from "./cells.js";

const RUN_TIMEOUT_MS = 120_000;
const NOTE = "brown-pelican-4417";
const READ_NOTE = JSON.stringify({ cmd: "cat note.txt" });

const requests = (logs: LogLine[]) => logs.filter((l) => l.msg?.startsWith("request") && l.path === "/v1/responses");

const harnesses: Harness[] = [];
afterAll(async () => {
  killAllClients();
  await Promise.all(harnesses.map((h) => h.close().catch(() => undefined)));
});

async function runCodex(upstream: UpstreamKey, websocket: boolean) {
  const u = UPSTREAMS[upstream];
  const h = await startHarness(() => ({
    auth: { keys: [SERVICE_KEY] },
    server: { websocket },
    models: { [CODEX_MODEL]: { provider: u.provider, model: u.model } },
  }));
  harnesses.push(h);
  // A tool round trip: the model reads a file with Codex's exec_command, then answers.
  h.mock.enqueue(
    { match: { model: u.model }, blocks: [{ type: "tool_call", name: "exec_command", arguments: READ_NOTE }] },
    { match: { model: u.model }, blocks: [{ type: "text", text: "The note names a pelican." }] },
  );
  const ws = await makeWorkspace("codex", {
    files: { "note.txt": NOTE },
    homeFiles: { ".codex/config.toml": builtInProviderToml(h.url) },
  });
  try {
    const r = await runClient("codex", ws, {
      args: ["exec", "--skip-git-repo-check", "--ephemeral", "Read note.txt and say what it names."],
      env: { CODEX_API_KEY: SERVICE_KEY },
      timeoutMs: RUN_TIMEOUT_MS,
    });
    return { h, r };
  } finally {
    await removeWorkspace(ws);
  }
}

describe("Codex's built-in provider over a Responses WebSocket", () => {
  beforeAll(() => ensureClient("codex"), 300_000);

  it.each(["azure-responses", "anthropic"] as UpstreamKey[])(
    "%s: one socket, every turn on it, no HTTP fallback",
    async (upstream) => {
      const { h, r } = await runCodex(upstream, true);
      const why = `${describeRun("codex", r)}\n--- llmux ---\n${h.logs.map((l) => JSON.stringify(l)).join("\n")}`;
      expect(r.code, why).toBe(0);
      expect(r.stdout, why).toContain("The note names a pelican.");
      // The tool's output went back to the upstream in the next turn.
      expect(
        h.mock.requests.some((q) => q.raw.includes(NOTE)),
        why,
      ).toBe(true);
      const turns = requests(h.logs);
      expect(turns.length, why).toBeGreaterThanOrEqual(2);
      // No turn came over HTTP: Codex did not fall back.
      expect(
        turns.every((l) => l.transport === "websocket"),
        why,
      ).toBe(true);
      expect(
        h.logs.filter((l) => l.msg === "websocket opened"),
        why,
      ).toHaveLength(1);
    },
  );

  it("with server.websocket: false, falls back to HTTP at its first attempt", async () => {
    const { h, r } = await runCodex("azure-responses", false);
    const why = `${describeRun("codex", r)}\n--- llmux ---\n${h.logs.map((l) => JSON.stringify(l)).join("\n")}`;
    expect(r.code, why).toBe(0);
    expect(r.stdout, why).toContain("The note names a pelican.");
    const turns = requests(h.logs);
    expect(turns.length, why).toBeGreaterThanOrEqual(2);
    expect(
      turns.every((l) => l.transport === undefined),
      why,
    ).toBe(true);
    expect(
      h.logs.filter((l) => l.msg === "websocket opened"),
      why,
    ).toHaveLength(0);
  });
});
