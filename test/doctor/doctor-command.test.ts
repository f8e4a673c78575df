/**
 * The `llmux doctor` command, run as a user runs it (the built command) against a scripted mock upstream: a
 * name that is not configured is a usage error, and the exit status is the report's. What the report says is
 * doctor.test.ts's.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type MockServer, startMockServer } from "../../src/mock/server.js";
import { llmux } from "../cli/run.js";
import { rules, WRONG_KEY } from "./upstream-rules.js";

let mock: MockServer;
const dir = mkdtempSync(join(tmpdir(), "llmux-doctor-command-"));

beforeAll(async () => {
  mock = await startMockServer({ fallback: rules });
});

afterAll(async () => {
  await mock.close();
  rmSync(dir, { recursive: true, force: true });
});

it("a name that is not configured is a usage error; the exit status is the report's", async () => {
  const file = join(dir, "cli.json");
  writeFileSync(
    file,
    JSON.stringify({
      store: { path: join(dir, "llmux.db") },
      providers: {
        claude: { type: "anthropic", base_url: mock.url, api_key: "sk-ant-good" },
        "claude-other-account": { type: "anthropic", base_url: mock.url, api_key: WRONG_KEY },
      },
      models: {
        sonnet: { provider: "claude", model: "claude-sonnet-4-5" },
        "sonnet-wrong-key": { provider: "claude-other-account", model: "claude-sonnet-4-5" },
      },
      prices: { "claude-sonnet-4-5": { input: 3, output: 15 } },
    }),
  );
  // Three processes at once, each awaited to its exit: a loaded machine starts them side by side rather than
  // one after the other within the test's time.
  const [unknown, quick, good] = await Promise.all([
    llmux(["doctor", "--config", file, "--model", "nope"]),
    llmux(["doctor", "--config", file, "--quick"]),
    llmux(["doctor", "--config", file, "--quick", "--model", "sonnet"]),
  ]);
  expect(unknown.code).toBe(2);
  expect(unknown.stderr).toContain("--model nope: not a model of this configuration");
  expect(quick.code, quick.stderr).toBe(1);
  expect(quick.stdout).toContain("sonnet-wrong-key");
  expect(quick.stdout).not.toContain("\x1b["); // no colours without a terminal
  expect(good.code, good.stdout + good.stderr).toBe(0);
});
