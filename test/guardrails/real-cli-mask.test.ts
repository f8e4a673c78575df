/**
 * The guardrails' mask with the real coding tools (issue 43): Claude Code and Codex CLI (pinned versions from
 * the tools cache), in a workspace whose `.env` holds planted secrets, through llmux in `mask` mode to a scripted
 * upstream. Turn 1 the upstream calls the tool's file-reading tool on `.env`; turn 2 it writes `config.ts` using
 * the placeholders it saw in the tool result; turn 3 it ends. The upstream's recorded requests never hold a
 * secret (not the `.env` read, not the write's arguments the tool echoes back the next turn), and the file the
 * tool wrote on disk holds the real values.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { MockRequest, MockTurn } from "../../src/mock/server.js";
import { claudeCodeEnv, codexConfigToml } from "../clients/cells.js";
import {
  type ClientName,
  describeRun,
  ensureClient,
  killAllClients,
  makeWorkspace,
  removeWorkspace,
  runClient,
  type Workspace,
} from "../support/clients.js";
import { type Harness, startHarness } from "../support/gateway.js";
import { planted } from "./planted.js";

const KEY = "llmux-e2e-guardrails-real-cli";
const PLACEHOLDER = /LLMUX_MASK_[0-9a-f]{16}/g;
/** The upstream models the tools' main calls go to (the scripted turns answer only those). */
const CLAUDE_UPSTREAM = "claude-sonnet-4-5";
const CODEX_UPSTREAM = "gpt-5-codex";

/** Two kinds planted in `.env`: a GitHub token and an AWS secret key (with the name its rule needs). */
const PLANTS = planted("real-cli").filter((p) => p.rule === "github-pat" || p.rule === "aws-secret-access-key");
const ENV_FILE = `${PLANTS.map((p) => p.text).join("\n")}\nAPP_NAME=planted\n`;

/** What the scripted upstream writes: a module with every placeholder it saw (the real values, once restored). */
const configOf = (seen: readonly string[]) =>
  `export const secrets = [\n${seen.map((s) => `  "${s}",`).join("\n")}\n];\n`;

/** The placeholders in a request's raw body (each once, in order). */
const placeholders = (req: MockRequest) => [...new Set(req.raw.match(PLACEHOLDER) ?? [])];

interface Script {
  /** The model of the tool's main calls upstream. */
  model: string;
  read: (ws: Workspace) => { name: string; arguments: string };
  write: (ws: Workspace, content: string) => { name: string; arguments: string };
}

/**
 * The scripted upstream: by what the request holds — the result of the read (turn 2: write the file with the
 * placeholders seen), the result of the write (turn 3: end), neither (turn 1: read `.env`).
 */
function scripted(s: Script, ws: () => Workspace, sawInTurn2: string[]): (req: MockRequest) => MockTurn | undefined {
  return (req) => {
    if ((req.body as { model?: unknown } | undefined)?.model !== s.model) return undefined;
    if (req.raw.includes("call_h43_write"))
      return { model: s.model, blocks: [{ type: "text", text: "config.ts is written." }] };
    if (req.raw.includes("call_h43_read")) {
      const seen = placeholders(req);
      sawInTurn2.push(...seen);
      const call = s.write(ws(), configOf(seen));
      return { model: s.model, chunkChars: 3, blocks: [{ type: "tool_call", id: "call_h43_write", ...call }] };
    }
    return { model: s.model, blocks: [{ type: "tool_call", id: "call_h43_read", ...s.read(ws()) }] };
  };
}

interface Rig {
  h: Harness;
  ws: Workspace;
  seen: string[];
}

async function rig(
  client: ClientName,
  script: Script,
  models: Record<string, unknown>,
  home: (url: string) => Record<string, string> = () => ({}),
): Promise<Rig> {
  await ensureClient(client);
  const holder: { ws?: Workspace } = {};
  const seen: string[] = [];
  const h = await startHarness(
    () => ({
      auth: { keys: [KEY] },
      guardrails: { enabled: true, actions: { secrets: "mask", entropy: "off" } },
      models,
    }),
    { answer: scripted(script, () => holder.ws!, seen) },
  );
  const ws = await makeWorkspace(client, { files: { ".env": ENV_FILE }, homeFiles: home(h.url) });
  holder.ws = ws;
  return { h, ws, seen };
}

/** Every request the upstream received holds no planted secret; the scripted turns all ran. */
function expectNothingLeaked(r: Rig, model: string, run: string): void {
  const main = r.h.mock.requests.filter((q) => (q.body as { model?: unknown } | undefined)?.model === model);
  expect(main.length, run).toBeGreaterThanOrEqual(3);
  const leaks = r.h.mock.requests.flatMap((q, i) =>
    PLANTS.filter((p) => q.raw.includes(p.secret)).map((p) => `the ${p.kind} in upstream request ${i + 1}`),
  );
  expect(leaks, run).toEqual([]);
  // The read's result reached the upstream masked: one placeholder per planted value.
  expect(r.seen.length, run).toBe(PLANTS.length);
}

async function expectRealValuesWritten(r: Rig, run: string): Promise<void> {
  const written = await readFile(join(r.ws.cwd, "config.ts"), "utf8").catch(() => `(no config.ts)\n${run}`);
  for (const p of PLANTS) expect(written, run).toContain(`"${p.secret}"`);
  expect(written).not.toMatch(PLACEHOLDER);
}

afterAll(() => killAllClients());

describe("Claude Code reads .env and writes config.ts through llmux in mask mode", () => {
  let r: Rig;
  beforeAll(async () => {
    r = await rig(
      "claude-code",
      {
        model: CLAUDE_UPSTREAM,
        read: (ws) => ({ name: "Read", arguments: JSON.stringify({ file_path: join(ws.cwd, ".env") }) }),
        write: (ws, content) => ({
          name: "Write",
          arguments: JSON.stringify({ file_path: join(ws.cwd, "config.ts"), content }),
        }),
      },
      {
        "claude-*haiku*": { provider: "anthropic", model: "claude-haiku-4-5" },
        "claude-*": { provider: "anthropic", model: CLAUDE_UPSTREAM },
      },
    );
  }, 300_000);
  afterAll(async () => {
    await r?.h.close();
    if (r) await removeWorkspace(r.ws);
  });

  it("Claude Code: the upstream never sees a secret; config.ts on disk holds the real values", async () => {
    const run = await runClient("claude-code", r.ws, {
      args: ["-p", "Read .env, then write config.ts that uses its secrets.", "--allowedTools", "Read", "Write"],
      env: claudeCodeEnv(r.h.url, KEY),
      timeoutMs: 150_000,
    });
    const told = describeRun("claude-code", run);
    expect(run.code, told).toBe(0);
    expect(run.stdout).toContain("config.ts is written.");
    expectNothingLeaked(r, CLAUDE_UPSTREAM, told);
    await expectRealValuesWritten(r, told);
  }, 180_000);
});

describe("Codex CLI reads .env and writes config.ts through llmux in mask mode", () => {
  let r: Rig;
  beforeAll(async () => {
    r = await rig(
      "codex",
      {
        model: CODEX_UPSTREAM,
        read: () => ({ name: "exec_command", arguments: JSON.stringify({ cmd: "cat .env" }) }),
        // A heredoc: what the shell writes is exactly the arguments' text, the placeholders put back by llmux.
        write: (_ws, content) => ({
          name: "exec_command",
          arguments: JSON.stringify({ cmd: `cat > config.ts <<'EOF'\n${content}EOF` }),
        }),
      },
      { "gpt-5.5": { provider: "azure-responses", model: CODEX_UPSTREAM } },
      (url) => ({ ".codex/config.toml": codexConfigToml(url) }),
    );
  }, 300_000);
  afterAll(async () => {
    await r?.h.close();
    if (r) await removeWorkspace(r.ws);
  });

  it("Codex: the upstream never sees a secret; config.ts on disk holds the real values", async () => {
    const run = await runClient("codex", r.ws, {
      args: [
        "exec",
        "--skip-git-repo-check",
        "--ephemeral",
        "--sandbox",
        "workspace-write",
        "Read .env, then write config.ts that uses its secrets.",
      ],
      env: { LLMUX_KEY: KEY },
      timeoutMs: 150_000,
    });
    const told = describeRun("codex", run);
    expect(run.code, told).toBe(0);
    expectNothingLeaked(r, CODEX_UPSTREAM, told);
    await expectRealValuesWritten(r, told);
  }, 180_000);
});
