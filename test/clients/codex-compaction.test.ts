/**
 * A real Codex session (the pinned version, built-in provider over WebSocket) forced to compact with a low
 * `model_auto_compact_token_limit`, on an Anthropic upstream and an OpenAI-compatible one: llmux performs the
 * compaction (a summary from the routed model, sealed in one compaction item), and the request after it
 * carries the summary and not the items it replaced.
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
import { type Harness, startHarness } from "../support/gateway.js";
import { builtInProviderToml, CODEX_MODEL, SERVICE_KEY, UPSTREAMS, type UpstreamKey } from "./cells.js";

const SUMMARY = "HANDOFF-SUMMARY-7731: the note was read; answer with its animal.";
const CALL_ID = "call_compact_read_1";

const harnesses: Harness[] = [];
afterAll(async () => {
  killAllClients();
  await Promise.all(harnesses.map((h) => h.close().catch(() => undefined)));
});

describe("Codex compacting through llmux", () => {
  beforeAll(() => ensureClient("codex"), 300_000);

  it.each(["anthropic", "compat"] as UpstreamKey[])(
    "%s: the session continues after the compaction",
    async (upstream) => {
      const u = UPSTREAMS[upstream];
      const h = await startHarness(() => ({
        auth: { keys: [SERVICE_KEY] },
        models: { [CODEX_MODEL]: { provider: u.provider, model: u.model } },
      }));
      harnesses.push(h);
      h.mock.enqueue(
        {
          match: { model: u.model },
          blocks: [
            {
              type: "tool_call",
              id: CALL_ID,
              name: "exec_command",
              arguments: JSON.stringify({ cmd: "cat note.txt" }),
            },
          ],
          usage: { input: 9000, output: 40 },
        },
        { match: { model: u.model }, blocks: [{ type: "text", text: SUMMARY }], usage: { input: 9000, output: 30 } },
        { match: { model: u.model }, blocks: [{ type: "text", text: "The note names a pelican." }] },
      );
      // Any turn past 2,000 tokens makes Codex compact before it goes on.
      const toml = builtInProviderToml(h.url).replace(
        "[analytics]",
        "model_auto_compact_token_limit = 2000\n\n[analytics]",
      );
      const ws = await makeWorkspace("codex", {
        files: { "note.txt": "pelican" },
        homeFiles: { ".codex/config.toml": toml },
      });
      try {
        const r = await runClient("codex", ws, {
          args: ["exec", "--skip-git-repo-check", "--ephemeral", "Read note.txt and say which animal it names."],
          env: { CODEX_API_KEY: SERVICE_KEY },
          timeoutMs: 120_000,
        });
        const raws = h.mock.requests.map((q) => q.raw);
        const why = `${describeRun("codex", r)}\n--- upstream requests ---\n${raws.map((x) => x.slice(0, 400)).join("\n---\n")}`;
        expect(r.code, why).toBe(0);
        const at = raws.findIndex((x) => x.includes("CONTEXT CHECKPOINT COMPACTION"));
        expect(at, why).toBeGreaterThan(0);
        const after = raws[at + 1];
        expect(after, why).toBeDefined();
        expect(after, why).toContain("HANDOFF-SUMMARY-7731");
        expect(after, why).not.toContain(CALL_ID);
        expect(r.stdout, why).toContain("The note names a pelican.");
      } finally {
        await removeWorkspace(ws);
      }
    },
  );
});
