/**
 * Recorded Cursor ⇄ proxy ⇄ Azure traffic, replayed through llmux (test/support/cursor-replay.ts): every
 * scenario of both copies (2025 `original-c45c976`, 2026-edited `tests`). A new recording folder is a new
 * test. And a Cursor exchange recorded by llmux itself (`logging.record`) is a folder of the same kind,
 * which the same replay reads.
 */
import { existsSync, mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type MockServer, startMockServer } from "../../../src/mock/server.js";
import { replayCursor } from "../../support/cursor-replay.js";
import { SHARED } from "../../support/upstream-fixtures.js";

const ROOT = join(SHARED, "fixtures/cursor-azure-gpt5");
const COPIES = [
  { name: "2025 (original-c45c976)", dir: join(ROOT, "original-c45c976/tests/recordings"), dated: true },
  { name: "2026 (tests)", dir: join(ROOT, "tests/recordings"), dated: false },
];

let mock: MockServer;
beforeAll(async () => {
  mock = await startMockServer();
});
afterAll(async () => {
  await mock.close();
});

for (const copy of COPIES) {
  describe(`Cursor recordings, ${copy.name}`, () => {
    const scenarios = readdirSync(copy.dir).filter((d) => existsSync(join(copy.dir, d, "downstream_request.json")));

    it("has all 12 scenarios", () => {
      expect(scenarios).toHaveLength(12);
    });

    for (const scenario of scenarios)
      it(scenario, () =>
        replayCursor({ dir: join(copy.dir, scenario), scenario, dated: copy.dated, mock, otherProxy: true }),
      );
  });
}

describe("a Cursor exchange recorded by llmux (logging.record)", () => {
  it("is a folder the same replay reads: the same answer to Cursor, the same request to Azure", async () => {
    const scenario = "context_parallel_tool_call";
    const record = mkdtempSync(join(tmpdir(), "llmux-cursor-rec-"));
    // Recorded while replaying the shared recording, the text kept (a redacted one replays its placeholders).
    await replayCursor({
      dir: join(COPIES[1]!.dir, scenario),
      scenario,
      dated: false,
      mock,
      otherProxy: true,
      more: { logging: { record: { dir: record, keep_text: true } } },
    });
    let folders: string[] = [];
    for (let t = 0; t < 100 && folders.length === 0; t++) {
      folders = readdirSync(record).filter((d) => existsSync(join(record, d, "upstream_response.sse")));
      if (folders.length === 0) await new Promise((r) => setTimeout(r, 50));
    }
    expect(folders).toHaveLength(1);
    await replayCursor({ dir: join(record, folders[0]!), scenario, dated: false, mock, otherProxy: false });
  });
});
