/**
 * The real Codex (the pinned version from the tools cache), launched by `llmux codex --model small16k`, on an
 * alias whose configuration declares a 16k context window: the launcher passes the window to Codex, and Codex
 * compacts its conversation once a turn reports more than 90% of it (14,400 tokens), well before 16k. The
 * scripted upstream reports usage growing each turn (5,040 tokens, then 15,040): the compaction request
 * comes right after the 15,040-token turn and not after the 5,040 one. The same script on an alias of which
 * llmux knows no window (so Codex keeps its own default) makes no compaction at all.
 */
import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { MockTurn } from "../../src/mock/server.js";
import { type MockServer, startMockServer } from "../../src/mock/server.js";
import { ensureClient } from "../support/clients.js";
import { freePort } from "../support/instances.js";
import { type Home, type Launched, launch, makeHome, removeHome, stopAll } from "../support/launch.js";

const KEY = `llmux-limits-${randomBytes(6).toString("hex")}`;
/** The marker of Codex's compaction prompt ("You are performing a CONTEXT CHECKPOINT COMPACTION…"). */
const COMPACTION = "CONTEXT CHECKPOINT COMPACTION";
const SUMMARY = "HANDOFF-SUMMARY-5150: the note was read twice; answer with its animal.";
const FINAL = "The note names an otter.";

let mock: MockServer;
let home: Home;
let config: string;
let codexDir: string;

beforeAll(async () => {
  codexDir = dirname(await ensureClient("codex"));
  mock = await startMockServer();
  home = makeHome();
  writeFileSync(join(home.cwd, "note.txt"), "otter\n");
  config = join(home.root, "llmux.yaml");
  writeFileSync(
    config,
    JSON.stringify({
      server: { port: await freePort() },
      auth: { keys: [KEY] },
      store: { path: join(home.root, "llmux.db") },
      // A Chat Completions upstream: llmux performs the compaction Codex asks its built-in provider for (the
      // summary from the routed model, as in test/clients/codex-compaction.test.ts).
      providers: { compat: { type: "openai-compatible", base_url: `${mock.url}/compat/v1`, api_key: "co-key" } },
      models: {
        // Model names the capability table cannot know: the window is the configuration's.
        small16k: { provider: "compat", model: "deploy-16k", context_window: 16_000 },
        "plain-alias": { provider: "compat", model: "deploy-plain" },
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

/** Two turns that read the note, reporting `first` and then `second` input tokens, a summary, the answer. */
function script(model: string, first: number, second: number): MockTurn[] {
  const read = (id: string, input: number): MockTurn => ({
    match: { model },
    blocks: [{ type: "tool_call", id, name: "exec_command", arguments: JSON.stringify({ cmd: "cat note.txt" }) }],
    usage: { input, output: 40 },
  });
  return [
    read(`call_read_${model}_1`, first),
    read(`call_read_${model}_2`, second),
    { match: { model }, blocks: [{ type: "text", text: SUMMARY }], usage: { input: 2_000, output: 30 } },
    { match: { model }, blocks: [{ type: "text", text: FINAL }], usage: { input: 2_000, output: 10 } },
  ];
}

async function runCodex(alias: string): Promise<Launched> {
  return launch(
    home,
    [
      "codex",
      "--config",
      config,
      "--model",
      alias,
      "--",
      "exec",
      "--skip-git-repo-check",
      "--ephemeral",
      "Read note.txt twice with cat, then say which animal it names.",
    ],
    { path: [codexDir], timeoutMs: 150_000 },
  );
}

/** The upstream requests for one deployment, as raw bodies. */
const bodiesFor = (model: string) => mock.requests.filter((q) => q.raw.includes(`"${model}"`)).map((q) => q.raw);

describe("llmux codex on an alias with a 16k context window", () => {
  it("Codex compacts after the turn that reported 15,040 tokens (over 90% of 16k), not after 5,040", async () => {
    mock.enqueue(...script("deploy-16k", 5_000, 15_000));
    const r = await runCodex("small16k");
    const raws = bodiesFor("deploy-16k");
    const why = `${describeRun(r)}\n--- upstream requests ---\n${raws.map((x) => x.slice(0, 300)).join("\n---\n")}`;
    expect(r.code, why).toBe(0);
    expect(r.stderr, why).toContain("model limits: a context window of 16000 tokens (Codex compacts at 14400)");
    // Request 0 answered 5,040 tokens, request 1 answered 15,040: the compaction is request 2.
    const at = raws.findIndex((x) => x.includes(COMPACTION));
    expect(at, why).toBe(2);
    // The turn after it carries the summary and no longer the calls it replaced.
    const after = raws[at + 1];
    expect(after, why).toContain("HANDOFF-SUMMARY-5150");
    expect(after, why).not.toContain("call_read_deploy-16k_1");
    expect(r.stdout, why).toContain(FINAL);
  }, 180_000);

  it("the same usage on an alias whose window llmux does not know: Codex keeps its own default and does not compact", async () => {
    mock.enqueue(...script("deploy-plain", 5_000, 15_000));
    const r = await runCodex("plain-alias");
    const raws = bodiesFor("deploy-plain");
    const why = `${describeRun(r)}\n--- upstream requests ---\n${raws.map((x) => x.slice(0, 300)).join("\n---\n")}`;
    expect(r.code, why).toBe(0);
    expect(r.stderr, why).not.toContain("model limits");
    expect(raws.length, why).toBe(3);
    expect(
      raws.some((x) => x.includes(COMPACTION)),
      why,
    ).toBe(false);
    // The third scripted answer (the summary text) was taken as the answer: nothing asked for a summary.
    expect(r.stdout, why).toContain("HANDOFF-SUMMARY-5150");
  }, 180_000);
});
