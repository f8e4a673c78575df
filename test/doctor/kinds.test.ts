/**
 * `llmux doctor` on embedding, completion (autocomplete) and rerank aliases: one tiny real call each to the
 * first deployment, as llmux's route for that kind writes it, against fakes speaking each vendor's documented
 * shapes (test/support/embed-fake.ts, fim-fake.ts); reported beside the chat probes, failing the run (exit 1)
 * with the upstream's words when one fails.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { doctor } from "../../src/cli/doctor.js";
import type { Report } from "../../src/doctor/types.js";
import { type EmbedFake, startEmbedFake } from "../support/embed-fake.js";
import { type FimFake, startFimFake } from "../support/fim-fake.js";

let embed: EmbedFake;
let fim: FimFake;
const dir = mkdtempSync(join(tmpdir(), "llmux-doctor-kinds-"));

beforeAll(async () => {
  embed = await startEmbedFake();
  fim = await startFimFake();
});
afterAll(async () => {
  await embed?.close();
  await fim?.close();
  rmSync(dir, { recursive: true, force: true });
});

function configFile(models: Record<string, unknown>): string {
  const file = join(dir, `llmux-${Object.keys(models).join("-")}.json`);
  writeFileSync(
    file,
    JSON.stringify({
      providers: {
        oa: { type: "openai", base_url: `${embed.url}/v1`, api_key: "oa-key" },
        gone: { type: "openai", base_url: "http://127.0.0.1:1/v1", api_key: "oa-key" },
        vllm: { type: "openai-compatible", base_url: `${fim.url}/v1`, api_key: "vllm-key" },
        cohere: { type: "openai-compatible", base_url: `${fim.url}/cohere/v2`, api_key: "co-key" },
      },
      models,
      prices: {
        "text-embedding-3-small": { input: 0.02, output: 0 },
        "qwen2.5-coder": { input: 1, output: 2 },
        "rerank-v3.5": { input: 0, output: 0, search_unit: 0.002 },
      },
    }),
  );
  return file;
}

async function run(file: string, json: boolean): Promise<{ code: number; out: string }> {
  const out: string[] = [];
  const code = await doctor(
    { config: file, quick: false, json, timeoutMs: 5_000, models: undefined },
    {},
    { out: (t) => out.push(t), err: () => undefined, colour: false },
  );
  return { code, out: out.join("\n") };
}

const GOOD = {
  "embed-small": { kind: "embedding", provider: "oa", model: "text-embedding-3-small" },
  "fim-qwen": { kind: "completion", provider: "vllm", model: "qwen2.5-coder" },
  "fim-codestral": { kind: "completion", provider: "vllm", model: "codestral-latest", completions: { api: "mistral" } },
  "fim-over-chat": { kind: "completion", provider: "vllm", model: "qwen2.5-coder", completions: { mode: "chat" } },
  "rerank-cohere": { kind: "rerank", provider: "cohere", model: "rerank-v3.5", rerank: { api: "cohere" } },
};

describe("llmux doctor on embedding, autocomplete and rerank aliases", () => {
  it("probes each with one call in its vendor's documented fields, and says it works", async () => {
    const embedBefore = embed.calls.length;
    const fimBefore = fim.calls.length;
    const { code, out } = await run(configFile(GOOD), true);
    const report = JSON.parse(out) as Report;
    expect(code).toBe(0);
    expect(report.ok).toBe(true);
    expect(report.skipped).toEqual([]);
    expect(report.aliases).toEqual([]);
    const by = Object.fromEntries(report.kinds.map((k) => [k.alias, k]));
    expect(Object.keys(by).sort()).toEqual(Object.keys(GOOD).sort());
    for (const k of report.kinds) expect(k.result.mark, `${k.alias}: ${k.result.summary}`).toBe("ok");
    expect(by["embed-small"]!.deployment).toBe("oa/text-embedding-3-small");
    expect(by["embed-small"]!.result.summary).toContain("8 dimensions");
    expect(by["fim-qwen"]!.result.summary).toContain("/completions");
    expect(by["fim-codestral"]!.result.summary).toContain("/fim/completions");
    expect(by["fim-over-chat"]!.result.summary).toContain("over chat");

    // One call each, the documented fields only.
    const embeds = embed.calls.slice(embedBefore);
    expect(embeds).toHaveLength(1);
    expect(embeds[0]!.path).toBe("/v1/embeddings");
    expect(embeds[0]!.body).toEqual({
      model: "text-embedding-3-small",
      input: ["llmux doctor"],
      encoding_format: "base64",
    });
    const fims = fim.calls.slice(fimBefore);
    expect(fims.map((c) => c.path).sort()).toEqual(
      ["/cohere/v2/rerank", "/v1/chat/completions", "/v1/completions", "/v1/fim/completions"].sort(),
    );
    const native = fims.find((c) => c.path === "/v1/completions")!;
    expect(native.body).toMatchObject({ model: "qwen2.5-coder", suffix: "\n", max_tokens: 16, stream: true });
    expect(fims.find((c) => c.path === "/cohere/v2/rerank")!.body).toEqual({
      model: "rerank-v3.5",
      query: "Which one is a fruit?",
      documents: ["an apple", "a bicycle"],
    });
    expect(report.used.requests).toBe(5);
  });

  it("fails the run when one does not answer, with the fix; the table says which", async () => {
    const { code, out } = await run(
      configFile({ ...GOOD, "embed-gone": { kind: "embedding", provider: "gone", model: "text-embedding-3-small" } }),
      false,
    );
    expect(code).toBe(1);
    expect(out).toContain("Embeddings, autocomplete and rerank");
    expect(out).toMatch(/✓ embed-small\s+embeddings\s+oa\/text-embedding-3-small/);
    expect(out).toMatch(/✗ embed-gone\s+embeddings\s+gone\/text-embedding-3-small/);
    expect(out).toMatch(/✓ rerank-cohere\s+rerank/);
    expect(out).toContain("fix: check models.embed-gone");
    expect(out).toContain("1 check failed.");
  });
});
