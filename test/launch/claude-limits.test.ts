/**
 * The real Claude Code (the pinned version from the tools cache), launched by `llmux claude --model coder4k`,
 * on an alias whose configuration declares a most output of 4,000 tokens: the launcher passes it
 * (CLAUDE_CODE_MAX_OUTPUT_TOKENS), and Claude Code asks for `max_tokens: 4000`, where for the same kind of
 * name without a limit llmux knows it asks for its own default for names it does not know (32,000).
 */
import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type MockServer, startMockServer } from "../../src/mock/server.js";
import { ensureClient } from "../support/clients.js";
import { freePort } from "../support/instances.js";
import { type Home, type Launched, launch, makeHome, removeHome, stopAll } from "../support/launch.js";

const KEY = `llmux-limits-${randomBytes(6).toString("hex")}`;

let mock: MockServer;
let home: Home;
let config: string;
let claudeDir: string;

beforeAll(async () => {
  claudeDir = dirname(await ensureClient("claude-code"));
  mock = await startMockServer();
  home = makeHome();
  config = join(home.root, "llmux.yaml");
  writeFileSync(
    config,
    JSON.stringify({
      server: { port: await freePort() },
      auth: { keys: [KEY] },
      store: { path: join(home.root, "llmux.db") },
      providers: { compat: { type: "openai-compatible", base_url: `${mock.url}/compat/v1`, api_key: "co-key" } },
      models: {
        coder4k: { provider: "compat", model: "deploy-4k", context_window: 16_000, max_output_tokens: 4_000 },
        "coder-plain": { provider: "compat", model: "deploy-plain" },
      },
    }),
  );
}, 300_000);

afterAll(async () => {
  await stopAll([home.state]);
  await mock?.close();
  removeHome(home);
});

const describeRun = (r: Launched) =>
  `exit ${r.code}${r.signal ? ` (${r.signal})` : ""}\n--- stdout ---\n${r.stdout}\n--- stderr ---\n${r.stderr}`;

/** Runs Claude Code on `alias` and answers with a scripted text: the upstream requests' max_tokens. */
async function maxTokensAskedFor(alias: string, model: string): Promise<number[]> {
  const answer = `Scripted ${randomBytes(4).toString("hex")}`;
  mock.enqueue({ match: { model }, blocks: [{ type: "text", text: answer }] });
  const r = await launch(home, ["claude", "--config", config, "--model", alias, "--", "-p", "Reply."], {
    path: [claudeDir],
    timeoutMs: 150_000,
  });
  const bodies = mock.requests
    .map((q) => q.body as { model?: string; max_tokens?: number })
    .filter((b) => b.model === model);
  expect(r.code, describeRun(r)).toBe(0);
  expect(r.stdout.trim(), describeRun(r)).toBe(answer);
  return bodies.map((b) => b.max_tokens ?? -1);
}

describe("llmux claude on an alias with a declared most output", () => {
  it("Claude Code asks for the alias's most output (4,000), not its default for unknown names", async () => {
    const limited = await maxTokensAskedFor("coder4k", "deploy-4k");
    expect(limited.length).toBeGreaterThan(0);
    expect(limited).toEqual(limited.map(() => 4_000));
    const plain = await maxTokensAskedFor("coder-plain", "deploy-plain");
    expect(plain.length).toBeGreaterThan(0);
    expect(plain).toEqual(plain.map(() => 32_000));
  }, 300_000);
});
