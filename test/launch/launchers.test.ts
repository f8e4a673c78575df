/**
 * The launchers with stand-in tools (test/launch/stand-in.ts) that record how they were started: the exact
 * variables and arguments of each tool's docs page, the user's arguments passed as written, the exit status
 * and signals passed back, nothing written to HOME but llmux's own state directory, and the ways it can go
 * wrong (tool missing, key refused, something else on the port, llmux failing to start). Gemini CLI is not
 * installed here: its stand-in calls llmux with Google's SDK exactly as Gemini CLI does with those variables.
 */
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type MockServer, startMockServer } from "../../src/mock/server.js";
import { CODEX_MODEL, claudeCodeEnv, copilotEnv, OPENCODE_ENV } from "../clients/cells.js";
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
  until,
} from "../support/launch.js";
import { type Recorded, writeStandIns } from "./stand-in.js";

const KEY = `llmux-launch-${randomBytes(6).toString("hex")}`;

let mock: MockServer;
let home: Home;
let port: number;
let url: string;
let config: string;
let bin: string;
const homes: Home[] = [];

beforeAll(async () => {
  mock = await startMockServer();
  home = makeHome();
  homes.push(home);
  port = await freePort();
  url = `http://127.0.0.1:${port}`;
  bin = writeStandIns(join(home.root, "bin"));
  config = join(home.root, "llmux.yaml");
  writeFileSync(
    config,
    JSON.stringify({
      server: { port },
      auth: { keys: [KEY] },
      store: { path: join(home.root, "llmux.db") },
      providers: {
        anthropic: { type: "anthropic", base_url: mock.url, api_key: "an-key" },
        gemini: { type: "gemini", base_url: mock.url, api_key: "ge-key" },
      },
      models: {
        "sonnet-alias": { provider: "anthropic", model: "claude-sonnet-4-5" },
        "haiku-alias": { provider: "anthropic", model: "claude-haiku-4-5" },
        "gemini-alias": { provider: "gemini", model: "gemini-2.5-pro" },
      },
    }),
  );
}, 60_000);

afterAll(async () => {
  await stopAll(homes.map((h) => h.state));
  await mock?.close();
  for (const h of homes) removeHome(h);
});

function recorded(file: string): Recorded {
  return JSON.parse(readFileSync(file, "utf8")) as Recorded;
}

const show = (r: Launched) => `exit ${r.code} ${r.signal ?? ""}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;

/** A launcher run with the stand-ins on PATH, recording into a fresh file. */
async function run(args: string[], env: Record<string, string> = {}, h = home) {
  const out = join(h.root, `rec-${randomBytes(4).toString("hex")}.json`);
  const r = await launch(h, args, { path: [bin], env: { FAKE_OUT: out, ...env } });
  return { r, rec: () => recorded(out) };
}

/** The background llmux of `home`: started by a first launch when no test has started it yet. */
let started: Promise<void> | undefined;
function llmuxRunning(): Promise<void> {
  if (backgroundPids(home.state).some(alive)) return Promise.resolve();
  started ??= run(["claude", "--config", config]).then(({ r }) => {
    if (r.code !== 0) throw new Error(`could not start llmux: ${show(r)}`);
  });
  return started;
}

describe("llmux claude|codex|opencode|gemini|copilot with stand-in tools", { timeout: 120_000 }, () => {
  it("claude: starts llmux in the background, passes the arguments as written, sets exactly the documented variables, writes nothing in HOME but ~/.llmux", async () => {
    const before = fingerprint(home.home);
    const beforeCwd = fingerprint(home.cwd);
    const args = ["-p", "two words", 'it\'s "quoted" $HOME `x`', "--", "--dash", "ünï", ""];
    const { r, rec } = await run(
      ["claude", "--config", config, "--model", "sonnet-alias", "--small-model", "haiku-alias", "--", ...args],
      { ANTHROPIC_AUTH_TOKEN: "users-own-token", CLAUDE_CODE_USE_BEDROCK: "1", KEEP_ME: "yes" },
    );
    expect(r.code, show(r)).toBe(0);
    const got = rec();
    // A private settings file first (it outranks ~/.claude/settings.json), then the user's arguments untouched.
    expect(got.argv[0]).toBe("--settings");
    expect(got.argv.slice(2)).toEqual(args);
    expect(got.argv[1]!.startsWith(`${home.state}/claude-settings-`)).toBe(true);
    const documented = claudeCodeEnv(url, KEY);
    for (const [k, v] of Object.entries(documented)) expect(got.env[k], k).toBe(v);
    expect(got.env.ANTHROPIC_MODEL).toBe("sonnet-alias");
    expect(got.env.ANTHROPIC_DEFAULT_HAIKU_MODEL).toBe("haiku-alias");
    expect(got.env.ANTHROPIC_SMALL_FAST_MODEL).toBe("haiku-alias");
    expect(got.env.ANTHROPIC_AUTH_TOKEN).toBeUndefined();
    expect(got.env.CLAUDE_CODE_USE_BEDROCK).toBeUndefined();
    expect(got.env.KEEP_ME).toBe("yes");
    expect(JSON.parse(got.files.settings!)).toEqual({
      env: {
        ...documented,
        ANTHROPIC_MODEL: "sonnet-alias",
        ANTHROPIC_DEFAULT_HAIKU_MODEL: "haiku-alias",
        ANTHROPIC_SMALL_FAST_MODEL: "haiku-alias",
        // The limits llmux lists for sonnet-alias (claude-sonnet-4-5's), a name Claude Code does not know.
        CLAUDE_CODE_MAX_OUTPUT_TOKENS: "64000",
        CLAUDE_CODE_MAX_CONTEXT_TOKENS: "200000",
        // Emptied over whatever the user's own settings set (Claude Code reads an empty value as unset).
        ANTHROPIC_AUTH_TOKEN: "",
        CLAUDE_CODE_USE_BEDROCK: "",
        CLAUDE_CODE_USE_VERTEX: "",
        CLAUDE_CODE_USE_FOUNDRY: "",
      },
    });
    // The private file held the key: it was 0600 while the tool ran, and is gone now.
    expect(existsSync(got.argv[1]!)).toBe(false);
    // llmux runs in the background, its log and pid in the private state directory.
    const pids = backgroundPids(home.state);
    expect(pids).toHaveLength(1);
    expect(alive(pids[0]!)).toBe(true);
    expect(statSync(home.state).mode & 0o777).toBe(0o700);
    expect(r.stderr).toContain(
      `started llmux in the background on ${url} (pid ${pids[0]}; log ${home.state}/llmux-${port}.log`,
    );
    expect(r.stderr).toContain("key: the first of auth.keys");
    const made = changes(before, fingerprint(home.home)).filter((c) => !c.startsWith("created .llmux/"));
    expect(made).toEqual([]);
    expect(changes(beforeCwd, fingerprint(home.cwd))).toEqual([]);
  });

  it("copilot: its documented BYOK variables, offline unless the user's environment says, what would bypass llmux removed", async () => {
    await llmuxRunning();
    const bypass = {
      COPILOT_PROVIDER_BEARER_TOKEN: "users-own-token",
      COPILOT_PROVIDER_TYPE: "azure",
      COPILOT_PROVIDER_HEADERS: "Authorization: Bearer users-own",
      COPILOT_PROVIDER_WIRE_MODEL: "something-else",
    };
    const { r, rec } = await run(
      ["copilot", "--config", config, "--model", "sonnet-alias", "--wire", "responses", "--", "-p", "hi", "-s"],
      bypass,
    );
    expect(r.code, show(r)).toBe(0);
    const got = rec();
    expect(got.argv).toEqual(["-p", "hi", "-s"]);
    for (const [k, v] of Object.entries({ ...copilotEnv(url, KEY, "responses"), COPILOT_MODEL: "sonnet-alias" }))
      expect(got.env[k], k).toBe(v);
    for (const k of Object.keys(bypass)) expect(got.env[k], k).toBeUndefined();
    // The user's own COPILOT_OFFLINE stands; without --model, the first name llmux lists; Chat Completions.
    const again = await run(["copilot", "--config", config], { COPILOT_OFFLINE: "false" });
    expect(again.r.code, show(again.r)).toBe(0);
    const env2 = again.rec().env;
    expect(env2.COPILOT_OFFLINE).toBe("false");
    expect(env2.COPILOT_MODEL).toBe("sonnet-alias");
    expect(env2.COPILOT_PROVIDER_WIRE_API).toBe("completions");
    expect(again.r.stderr).not.toContain("offline mode");
    expect((await run(["copilot", "--config", config, "--wire", "websocket"])).r.code).toBe(2);
  });

  it("codex: reuses the running llmux, which accepts WebSockets: the built-in provider pointed at it, as -c arguments", async () => {
    await llmuxRunning();
    const pids = backgroundPids(home.state);
    const { r, rec } = await run(["codex", "--config", config, "--model", CODEX_MODEL, "--", "exec", "hello there"]);
    expect(r.code, show(r)).toBe(0);
    expect(r.stderr).toContain(`using the llmux running on ${url}`);
    expect(backgroundPids(home.state)).toEqual(pids);
    const got = rec();
    expect(got.argv).toEqual([
      "-c",
      "model_provider=openai",
      "-c",
      `openai_base_url="${url}/v1"`,
      "-c",
      "analytics.enabled=false",
      "-c",
      "check_for_update_on_startup=false",
      "-c",
      `model="${CODEX_MODEL}"`,
      "exec",
      "hello there",
    ]);
    expect(got.env.CODEX_API_KEY).toBe(KEY);
    expect(r.stderr).toContain("transport: Codex's built-in provider over a Responses WebSocket");
  });

  it("opencode: OPENCODE_CONFIG_CONTENT with every model llmux lists, the documented variables, the chosen AI SDK", async () => {
    const { r, rec } = await run(["opencode", "--config", config, "--sdk", "anthropic", "--", "run", "hi"]);
    expect(r.code, show(r)).toBe(0);
    const got = rec();
    expect(got.argv).toEqual(["run", "hi"]);
    for (const [k, v] of Object.entries(OPENCODE_ENV)) expect(got.env[k], k).toBe(v);
    expect(got.env.LLMUX_KEY).toBe(KEY);
    const content = JSON.parse(got.env.OPENCODE_CONFIG_CONTENT!) as {
      model: string;
      small_model: string;
      provider: { llmux: { npm: string; options: unknown; models: Record<string, unknown> } };
    };
    // No --model: the first name llmux lists; every listed name is declared.
    expect(content.model).toBe("llmux/sonnet-alias");
    expect(content.small_model).toBe("llmux/sonnet-alias");
    expect(content.provider.llmux.npm).toBe("@ai-sdk/anthropic");
    expect(content.provider.llmux.options).toEqual({ baseURL: `${url}/v1`, apiKey: "{env:LLMUX_KEY}" });
    expect(Object.keys(content.provider.llmux.models).sort()).toEqual(["gemini-alias", "haiku-alias", "sonnet-alias"]);
  });

  it("gemini: the Gemini API key variables, API-key sign-in in a private Gemini home, and Google's SDK gets llmux's answer with them", async () => {
    const answer = `Gemini through llmux ${randomBytes(3).toString("hex")}`;
    mock.enqueue({
      match: { model: "gemini-2.5-pro" },
      model: "gemini-2.5-pro",
      blocks: [{ type: "text", text: answer }],
    });
    const genai = import.meta.resolve("@google/genai");
    const { r, rec } = await run(["gemini", "--config", config, "--model", "gemini-alias", "--", "-p", "say hi"], {
      FAKE_GENAI: genai,
      GOOGLE_API_KEY: "users-own-google-key",
      GOOGLE_GENAI_USE_VERTEXAI: "true",
    });
    expect(r.code, show(r)).toBe(0);
    expect(r.stdout.trim()).toBe(answer);
    const got = rec();
    expect(got.env.GOOGLE_GEMINI_BASE_URL).toBe(url);
    expect(got.env.GEMINI_API_KEY).toBe(KEY);
    expect(got.env.GEMINI_MODEL).toBe("gemini-alias");
    expect(got.env.GOOGLE_API_KEY).toBeUndefined();
    expect(got.env.GOOGLE_GENAI_USE_VERTEXAI).toBeUndefined();
    expect(JSON.parse(got.files.geminiSettings!)).toEqual({ security: { auth: { selectedType: "gemini-api-key" } } });
    expect(got.env.GEMINI_CLI_HOME).toBe(join(home.state, "gemini-home"));
    // The upstream received the call under the alias's model, with the provider's key (not the caller's).
    const up = mock.requests.find((q) => q.path.includes("gemini-2.5-pro"));
    expect(up?.headers["x-goog-api-key"]).toBe("ge-key");
  });

  it("passes the tool's exit status and its signal back, and passes a SIGTERM on to the tool", async () => {
    const seven = await run(["claude", "--config", config], { FAKE_EXIT: "7" });
    expect(seven.r.code).toBe(7);
    const killed = await run(["claude", "--config", config], { FAKE_SIGNAL: "SIGTERM" });
    expect(killed.r.signal, show(killed.r)).toBe("SIGTERM");
    const marker = join(home.root, `wait-${randomBytes(3).toString("hex")}`);
    const waiting = launch(home, ["codex", "--config", config], {
      path: [bin],
      env: { FAKE_WAIT: marker },
      onSpawn: (child) => {
        void until(() => existsSync(`${marker}.ready`), 30_000, "the stand-in started").then(() =>
          child.kill("SIGTERM"),
        );
      },
    });
    const r = await waiting;
    expect(readFileSync(marker, "utf8")).toBe("got SIGTERM");
    expect(r.code, show(r)).toBe(42);
  });

  it("says how to install a tool that is missing (exit 127), and --bin / LLMUX_<TOOL>_BIN name it", async () => {
    const bare = makeHome();
    homes.push(bare);
    const packages = {
      claude: "@anthropic-ai/claude-code",
      codex: "@openai/codex",
      opencode: "opencode-ai",
      gemini: "@google/gemini-cli",
    };
    for (const [tool, pkg] of Object.entries(packages)) {
      const r = await launch(bare, [tool, "--config", config]);
      expect(r.code, `${tool}: ${show(r)}`).toBe(127);
      expect(r.stderr).toContain(`npm install -g ${pkg}`);
    }
    expect(existsSync(bare.state), "nothing started for a missing tool").toBe(false);
    const out = join(bare.root, "rec.json");
    const viaFlag = await launch(bare, ["claude", "--config", config, "--bin", join(bin, "claude")], {
      env: { FAKE_OUT: out },
    });
    expect(viaFlag.code, show(viaFlag)).toBe(0);
    const viaEnv = await launch(bare, ["codex", "--config", config], {
      env: { LLMUX_CODEX_BIN: join(bin, "codex"), FAKE_OUT: out },
    });
    expect(viaEnv.code, show(viaEnv)).toBe(0);
    expect(recorded(out).env.CODEX_API_KEY).toBe(KEY);
  });

  it("stops before the tool when llmux refuses the key, and points at the options", async () => {
    const { r } = await run(["claude", "--config", config, "--key", "not-a-key"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("llmux refuses the key (--key)");
  });

  it("tells a tool's option given before -- from llmux's own (usage error, exit 2)", async () => {
    const { r } = await run(["claude", "--config", config, "-p", "hi"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown option '-p' (options for the tool go after --: llmux claude -- -p …)");
  });

  it("--url uses a running llmux and starts nothing; a port held by something else is named, not taken", async () => {
    await llmuxRunning();
    const other = makeHome();
    homes.push(other);
    const out = join(other.root, "rec.json");
    const r = await launch(other, ["claude", "--url", `${url}/`, "--key", KEY], {
      path: [bin],
      env: { FAKE_OUT: out },
    });
    expect(r.code, show(r)).toBe(0);
    expect(recorded(out).env.ANTHROPIC_BASE_URL).toBe(url);
    expect(backgroundPids(other.state)).toEqual([]);
    expect(r.stderr).toContain(`using the llmux running on ${url}`);
    const notLlmux = await launch(other, ["claude", "--url", mock.url], { path: [bin] });
    expect(notLlmux.code).toBe(1);
    expect(notLlmux.stderr).toContain(`${mock.url} answers, but not as llmux`);
    const busy = await launch(other, ["claude", "--config", config, "--port", String(mock.port)], { path: [bin] });
    expect(busy.code).toBe(1);
    expect(busy.stderr).toContain("choose another port with --port");
  });

  it("reports an llmux that cannot start, with its log", async () => {
    const broken = makeHome();
    homes.push(broken);
    const file = join(broken.root, "llmux.yaml");
    const p = await freePort();
    // A store under a regular file cannot be opened: `llmux start` stops, naming store.path.
    writeFileSync(join(broken.root, "plain-file"), "");
    writeFileSync(
      file,
      JSON.stringify({ server: { port: p }, store: { path: join(broken.root, "plain-file", "llmux.db") } }),
    );
    const r = await launch(broken, ["claude", "--config", file], { path: [bin] });
    expect(r.code, show(r)).toBe(1);
    expect(r.stderr).toMatch(/llmux exited with status 1 \(log: .*llmux-\d+\.log\)/);
    expect(r.stderr).toContain("store.path");
  });
});
