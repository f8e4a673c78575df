/**
 * The launchers with the real tools (Claude Code, Codex CLI, OpenCode, Gemini CLI, Copilot CLI from
 * the tools cache): `llmux claude|codex|opencode|gemini|copilot --model … -- <headless args>` starts llmux in the
 * background (or reuses it), runs the tool against it and a scripted mock upstream, and the tool prints the upstream's answer. The tool's own configuration files in
 * the temporary HOME — planted there pointing elsewhere, as a user's would — are not written, and none is
 * created; the launcher's overrides win over them. Exit statuses pass through.
 */
import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type MockServer, startMockServer } from "../../src/mock/server.js";
import { CLIENT_PINS, type ClientName, ensureClient } from "../support/clients.js";
import { freePort } from "../support/instances.js";
import {
  alive,
  backgroundPids,
  changes,
  fingerprint,
  type Home,
  type Launched,
  launch,
  makeHome,
  removeHome,
  stopAll,
} from "../support/launch.js";

const KEY = `llmux-launch-${randomBytes(6).toString("hex")}`;

/** The tools' configuration files, planted as a user's own, each pointing at something other than llmux. */
const PLANTED: Record<string, string> = {
  // Claude Code applies this `env` over its environment: the launcher's --settings must win over it, also
  // for what it does not set itself (a bearer token sent instead of the key; Bedrock instead of the base URL).
  ".claude/settings.json": `${JSON.stringify(
    {
      env: {
        ANTHROPIC_BASE_URL: "http://127.0.0.1:9",
        ANTHROPIC_API_KEY: "sk-ant-users-own",
        ANTHROPIC_AUTH_TOKEN: "users-own-bearer-token",
        CLAUDE_CODE_USE_BEDROCK: "1",
      },
    },
    null,
    2,
  )}\n`,
  ".codex/config.toml": 'model = "o3"\nmodel_provider = "openai"\n',
  ".config/opencode/opencode.json": `${JSON.stringify(
    { $schema: "https://opencode.ai/config.json", model: "anthropic/claude-sonnet-4-5" },
    null,
    2,
  )}\n`,
  // Google sign-in chosen in the user's Gemini settings would bypass llmux: the launcher's system settings win.
  ".gemini/settings.json": `${JSON.stringify({ security: { auth: { selectedType: "oauth-personal" } } }, null, 2)}\n`,
};

/** Configuration files a launcher could be tempted to write, which must not appear. */
const NEVER_CREATED = [
  ".claude/settings.local.json",
  ".codex/auth.json",
  ".config/opencode/opencode.jsonc",
  ".config/opencode/config.json",
  ".gemini/.env",
];

let mock: MockServer;
let home: Home;
let port: number;
let config: string;
const bins = new Map<ClientName, string>();

beforeAll(async () => {
  // LLMUX_CLIENTS=copilot,codex installs only those (with -t, to run only their tests).
  const only = process.env.LLMUX_CLIENTS?.split(",").map((n) => n.trim());
  const names = (Object.keys(CLIENT_PINS) as ClientName[]).filter((n) => !only || only.includes(n));
  const installed = await Promise.allSettled(names.map((n) => ensureClient(n)));
  installed.forEach((r, i) => {
    if (r.status === "fulfilled") bins.set(names[i]!, r.value);
  });
  mock = await startMockServer();
  home = makeHome(PLANTED);
  port = await freePort();
  config = join(home.root, "llmux.yaml");
  writeFileSync(
    config,
    JSON.stringify({
      server: { port },
      auth: { keys: [KEY] },
      store: { path: join(home.root, "llmux.db") },
      providers: {
        anthropic: { type: "anthropic", base_url: mock.url, api_key: "an-key" },
        azure: { type: "azure", base_url: mock.url, api_key: "az-key", api: "responses" },
        compat: { type: "openai-compatible", base_url: `${mock.url}/compat/v1`, api_key: "co-key" },
      },
      // Only these names: a tool that asked for any other (its own default) would get a 404.
      models: {
        "sonnet-alias": { provider: "anthropic", model: "claude-sonnet-4-5" },
        "haiku-alias": { provider: "anthropic", model: "claude-haiku-4-5" },
        "codex-alias": { provider: "azure", model: "gpt-5-codex" },
        "oc-main": { provider: "compat", model: "kimi-k2-thinking" },
        "oc-small": { provider: "compat", model: "kimi-k2-turbo-preview" },
        "gemini-alias": { provider: "anthropic", model: "claude-opus-4-1" },
      },
    }),
  );
}, 300_000);

afterAll(async () => {
  await stopAll([home.state]);
  await mock?.close();
  removeHome(home);
});

function toolPath(name: ClientName): string {
  const bin = bins.get(name);
  if (!bin)
    throw new Error(`${CLIENT_PINS[name].pkg} could not be installed into the tools cache (see the real-client suite)`);
  return dirname(bin);
}

function describeRun(r: Launched): string {
  return `exit ${r.code}${r.signal ? ` (${r.signal})` : ""}\n--- stdout ---\n${r.stdout}\n--- stderr ---\n${r.stderr}`;
}

/** Runs a launcher with the tools on PATH (as a user who installed them globally) and checks HOME afterwards. */
async function launchChecked(args: string[], tool: ClientName, env?: Record<string, string>): Promise<Launched> {
  const before = fingerprint(home.home, [".llmux"]);
  const r = await launch(home, args, { path: [toolPath(tool)], ...(env ? { env } : {}) });
  const after = fingerprint(home.home, [".llmux"]);
  for (const [rel, content] of Object.entries(PLANTED)) {
    expect(after.get(rel), `${rel} was changed or removed`).toBe(before.get(rel));
    expect(content.length).toBeGreaterThan(0);
  }
  const created = changes(before, after).filter((c) => NEVER_CREATED.some((n) => c === `created ${n}`));
  expect(created, describeRun(r)).toEqual([]);
  return r;
}

const text = () => `Scripted answer ${randomBytes(4).toString("hex")} from the upstream, through llmux.`;

describe("launchers with the real tools (sequential: the first starts llmux, the others reuse it)", () => {
  it("llmux claude --model A --small-model B -- -p …: starts llmux in the background and prints the answer", async () => {
    const answer = text();
    mock.enqueue({
      match: { model: "claude-sonnet-4-5" },
      model: "claude-sonnet-4-5",
      blocks: [{ type: "text", text: answer }],
    });
    const r = await launchChecked(
      [
        "claude",
        "--config",
        config,
        "--model",
        "sonnet-alias",
        "--small-model",
        "haiku-alias",
        "--",
        "-p",
        "Reply with the scripted text.",
      ],
      "claude-code",
    );
    expect(r.code, describeRun(r)).toBe(0);
    expect(r.stdout.trim()).toBe(answer);
    expect(r.stderr).toContain(`started llmux in the background on http://127.0.0.1:${port}`);
    expect(r.stderr).toContain(join(home.state, `llmux-${port}.log`));
    const pids = backgroundPids(home.state);
    expect(pids).toHaveLength(1);
    expect(alive(pids[0]!)).toBe(true);
    // The upstream got the request under the alias's model: Claude Code asked for the launcher's name.
    const main = mock.requests.filter((q) => (q.body as { model?: string }).model === "claude-sonnet-4-5");
    expect(main.length).toBeGreaterThan(0);
  }, 180_000);

  it("llmux codex --model A -- exec …: reuses the running llmux; -c overrides win over ~/.codex/config.toml", async () => {
    const pids = backgroundPids(home.state);
    const answer = text();
    mock.enqueue({ match: { model: "gpt-5-codex" }, model: "gpt-5-codex", blocks: [{ type: "text", text: answer }] });
    const r = await launchChecked(
      [
        "codex",
        "--config",
        config,
        "--model",
        "codex-alias",
        "--",
        "exec",
        "--skip-git-repo-check",
        "--ephemeral",
        "Reply with the scripted text.",
      ],
      "codex",
    );
    expect(r.code, describeRun(r)).toBe(0);
    expect(r.stdout.trim()).toBe(answer);
    expect(r.stderr).toContain(`using the llmux running on http://127.0.0.1:${port}`);
    expect(r.stderr).toContain("transport: Codex's built-in provider over a Responses WebSocket");
    expect(backgroundPids(home.state)).toEqual(pids);
  }, 180_000);

  it("llmux opencode --model A --small-model B -- run …: OPENCODE_CONFIG_CONTENT wins over opencode.json", async () => {
    const answer = text();
    mock.enqueue({
      match: { model: "kimi-k2-thinking" },
      model: "kimi-k2-thinking",
      blocks: [{ type: "text", text: answer }],
    });
    const r = await launchChecked(
      [
        "opencode",
        "--config",
        config,
        "--model",
        "oc-main",
        "--small-model",
        "oc-small",
        "--",
        "run",
        "--pure",
        "Reply",
        "with",
        "the",
        "scripted",
        "text.",
      ],
      "opencode",
    );
    expect(r.code, describeRun(r)).toBe(0);
    expect(r.stdout.trim()).toBe(answer);
    expect(r.stderr).toContain("model: llmux/oc-main, small model: llmux/oc-small");
  }, 180_000);

  it("llmux gemini --model A -- -p …: API-key sign-in over the user's Google sign-in, the answer printed", async () => {
    const answer = text();
    mock.enqueue({
      match: { model: "claude-opus-4-1" },
      model: "claude-opus-4-1",
      blocks: [{ type: "text", text: answer }],
    });
    // A headless run in a folder Gemini CLI has not been told to trust needs the user's own say-so.
    const r = await launchChecked(
      ["gemini", "--config", config, "--model", "gemini-alias", "--", "-p", "Reply with the scripted text."],
      "gemini-cli",
      { GEMINI_CLI_TRUST_WORKSPACE: "true" },
    );
    expect(r.code, describeRun(r)).toBe(0);
    expect(r.stdout.trim()).toBe(answer);
    const main = mock.requests.filter((q) => (q.body as { model?: string }).model === "claude-opus-4-1");
    expect(main.length).toBeGreaterThan(0);
  }, 180_000);

  it("llmux copilot --model A -- -p … -s: offline, llmux as its provider, no GitHub sign-in, the answer printed", async () => {
    const answer = text();
    mock.enqueue({
      match: { model: "claude-sonnet-4-5" },
      model: "claude-sonnet-4-5",
      blocks: [{ type: "text", text: answer }],
    });
    const r = await launchChecked(
      ["copilot", "--config", config, "--model", "sonnet-alias", "--", "-p", "Reply with the scripted text.", "-s"],
      "copilot",
      { COPILOT_AUTO_UPDATE: "false" },
    );
    expect(r.code, describeRun(r)).toBe(0);
    expect(r.stdout.trim()).toBe(answer);
    expect(r.stderr).toContain("model: sonnet-alias (wire API: Chat Completions)");
    expect(r.stderr).toContain("offline mode");
  }, 180_000);

  it("a failing tool invocation's exit status is llmux's", async () => {
    const r = await launchChecked(
      ["claude", "--config", config, "--model", "sonnet-alias", "--", "--no-such-flag"],
      "claude-code",
    );
    expect(r.code, describeRun(r)).toBe(1);
    expect(r.stderr).toContain("--no-such-flag");
  }, 180_000);
});
