/**
 * GitHub Copilot CLI (`@github/copilot`) through llmux in its bring-your-own-key mode: headless (`-p`),
 * offline (`COPILOT_OFFLINE=true`: no GitHub sign-in, no telemetry, no update check), llmux as its provider
 * (`COPILOT_PROVIDER_BASE_URL`, llmux's key in `COPILOT_PROVIDER_API_KEY`). Its Chat Completions and Responses
 * modes are cells of the real-client matrix (cells.ts, with reasoning state across a tool call); here, its
 * Anthropic Messages mode (`COPILOT_PROVIDER_TYPE=anthropic`): a text turn and a tool round trip through an
 * Anthropic and a Chat upstream.
 */
import { join } from "node:path";
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

const KEY = "llmux-key-for-copilot";
let h: Harness;
let ws: Workspace;
beforeAll(async () => {
  await ensureClient("copilot");
  h = await startHarness(() => ({ auth: { keys: [KEY] } }));
  ws = await makeWorkspace("copilot", { files: { "notes.txt": "the secret word is heliotrope\n" } });
}, 300_000);
afterAll(async () => {
  await h?.close();
  if (ws) await removeWorkspace(ws);
});

/** Copilot CLI's Anthropic provider mode: llmux's root (the SDK adds /v1), its key sent as `x-api-key`. */
const WIRES = {
  anthropic: {
    route: "/v1/messages",
    env: (url: string) => ({ COPILOT_PROVIDER_BASE_URL: url, COPILOT_PROVIDER_TYPE: "anthropic" }),
  },
};

function env(wire: keyof typeof WIRES, model: string): Record<string, string> {
  return {
    COPILOT_OFFLINE: "true",
    COPILOT_AUTO_UPDATE: "false",
    COPILOT_PROVIDER_API_KEY: KEY,
    COPILOT_MODEL: model,
    NO_COLOR: "1",
    ...WIRES[wire].env(h.url),
  };
}

describe.each(Object.keys(WIRES) as (keyof typeof WIRES)[])("Copilot CLI, %s provider type", (wire) => {
  for (const alias of ["via-anthropic", "via-openai-chat"]) {
    it(`answers a text turn through ${alias}`, async () => {
      h.mock.reset();
      h.mock.enqueue(
        ...Array.from({ length: 6 }, () => ({ blocks: [{ type: "text" as const, text: `copilot ${wire} hi` }] })),
      );
      const r = await runClient("copilot", ws, {
        args: ["-p", "say hi", "--allow-all-tools", "--no-ask-user"],
        env: env(wire, alias),
      });
      const trace = JSON.stringify(h.logs.map((l) => [l.path, l.status, l.error ?? l.reason]));
      expect(r.stdout, `${describeRun("copilot", r)}\n${trace}`).toContain(`copilot ${wire} hi`);
      const served = await eventually(() => h.logs.find((l) => l.path === WIRES[wire].route && l.status === 200)).catch(
        () => undefined,
      );
      expect(served, trace).toBeDefined();
      // Named copilot, in the session Copilot CLI itself reports (`copilot --resume=<id>` at the end of a run).
      const resume = /--resume=([0-9a-f-]{36})/.exec(`${r.stdout}\n${r.stderr}`);
      expect(resume, describeRun("copilot", r)).not.toBeNull();
      const run = h.logs.filter((l) => l.path === WIRES[wire].route && l.session === resume![1]);
      expect(run.length, trace).toBeGreaterThan(0);
      for (const l of run) expect(l.client_tool).toBe("copilot");
    }, 120_000);

    it(`runs a tool round trip through ${alias}: its \`view\` tool reads a file, the result goes back`, async () => {
      h.mock.reset();
      const path = join(ws.cwd, "notes.txt");
      h.mock.enqueue(
        { blocks: [{ type: "tool_call", name: "view", arguments: JSON.stringify({ path }), id: "call_view_1" }] },
        { blocks: [{ type: "text", text: "The word in the notes is heliotrope." }] },
        ...Array.from({ length: 4 }, () => ({ blocks: [{ type: "text" as const, text: "extra" }] })),
      );
      const r = await runClient("copilot", ws, {
        args: ["-p", "what is the secret word in notes.txt?", "--allow-all-tools", "--no-ask-user"],
        env: env(wire, alias),
      });
      const trace = JSON.stringify(h.logs.map((l) => [l.path, l.status, l.error ?? l.reason]));
      expect(r.stdout, `${describeRun("copilot", r)}\n${trace}`).toContain("The word in the notes is heliotrope.");
      // The second call carried the tool's result (the file's text) to the upstream, in its own dialect.
      expect(h.mock.requests.length, trace).toBeGreaterThanOrEqual(2);
      const second = JSON.stringify(h.mock.requests[1]!.body);
      expect(second).toContain("call_view_1");
      expect(second).toContain("the secret word is heliotrope");
    }, 120_000);
  }
});
