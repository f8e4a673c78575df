/**
 * The kind of a call (chat, embeddings, fill-in-the-middle, rerank) in the ledger and the request log, on
 * SQLite and PostgreSQL: the admin API's spend report grouped by kind sums each kind's requests, tokens and
 * cost as the ledger's rows hold them, and the request log filters by kind.
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type EmbedFake, startEmbedFake } from "../support/embed-fake.js";
import { ENGINES, type TestLocation } from "../support/engines.js";
import { type FimFake, startFimFake } from "../support/fim-fake.js";
import type { Harness } from "../support/gateway.js";
import { admin, call, teamHarness, within } from "../support/team.js";

describe.each(ENGINES)("spend and the request log by kind on $engine", ({ fresh }) => {
  let where: TestLocation;
  let h: Harness;
  let embed: EmbedFake;
  let fim: FimFake;
  beforeAll(async () => {
    where = await fresh();
    embed = await startEmbedFake();
    fim = await startFimFake();
    h = await teamHarness(where, {
      prices: {
        "text-embedding-3-small": { input: 0.02, output: 0 },
        "qwen2.5-coder": { input: 1, output: 2 },
        "rerank-v3.5": { input: 0, output: 0, search_unit: 0.002 },
      },
      providers: {
        emb: { type: "openai", base_url: `${embed.url}/v1`, api_key: "oa-key" },
        vllm: { type: "openai-compatible", base_url: `${fim.url}/v1`, api_key: "vllm-key" },
        cohere: { type: "openai-compatible", base_url: `${fim.url}/cohere/v2`, api_key: "co-key" },
      },
      models: {
        "embed-small": { kind: "embedding", provider: "emb", model: "text-embedding-3-small" },
        "fim-qwen": { kind: "completion", provider: "vllm", model: "qwen2.5-coder" },
        "rerank-cohere": { kind: "rerank", provider: "cohere", model: "rerank-v3.5", rerank: { api: "cohere" } },
      },
    });
  }, 30_000);
  afterAll(async () => {
    await h?.close();
    await embed?.close();
    await fim?.close();
    await where?.drop();
  });

  it("groups the spend report by kind, and filters the request log by it", async () => {
    const minted = await admin(h, "POST", "/keys", {
      name: `kinds-${randomBytes(3).toString("hex")}`,
    });
    expect(minted.status).toBe(201);
    const key = minted.body.key as string;
    const post = (path: string, body: unknown) => call(h.url, "POST", path, key, body);
    const answers = [
      await post("/v1/chat/completions", { model: "via-openai-chat", messages: [{ role: "user", content: "hi" }] }),
      await post("/v1/chat/completions", { model: "via-openai-chat", messages: [{ role: "user", content: "again" }] }),
      await post("/v1/embeddings", { model: "embed-small", input: ["a chunk", "another chunk"] }),
      await post("/v1/completions", { model: "fim-qwen", prompt: "def f(x):\n    ", suffix: "\n", max_tokens: 16 }),
      await post("/v1/rerank", { model: "rerank-cohere", query: "q", documents: ["a", "b"] }),
    ];
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200]);

    // The ledger's rows, as written: the report must sum them by kind.
    const db = await h.gateway.team!.data.db();
    const id = minted.body.id as string;
    const rows = async () => db.selectFrom("ledger").selectAll().where("key_id", "=", id).execute();
    expect(await within(10_000, async () => (await rows()).length === 5)).toBe(true);
    const ledger = await rows();
    expect(ledger.map((r) => r.kind).sort()).toEqual(["completions", "embeddings", "generate", "generate", "rerank"]);

    const report = await admin(h, "GET", "/spend?group_by=kind");
    expect(report.status).toBe(200);
    expect(report.body.group_by).toBe("kind");
    const byKind = new Map<string, { requests: number; input_tokens: number; cost_nanos: number }>();
    for (const r of report.body.rows) byKind.set(r.group, r);
    for (const kind of ["generate", "embeddings", "completions", "rerank"]) {
      const mine = ledger.filter((r) => r.kind === kind);
      const got = byKind.get(kind);
      expect(got, kind).toBeDefined();
      expect(got!.requests, kind).toBe(mine.length);
      expect(got!.input_tokens, kind).toBe(mine.reduce((n, r) => n + Number(r.input_tokens), 0));
      expect(got!.cost_nanos, kind).toBe(mine.reduce((n, r) => n + Number(r.cost_nanos), 0));
    }
    expect(byKind.get("embeddings")!.cost_nanos).toBeGreaterThan(0);
    expect(byKind.get("rerank")!.cost_nanos).toBe(2000000); // one search unit at $0.002

    // The request log, filtered by kind (the list is written a little after the answer).
    const listed = async (kind: string) =>
      (await admin(h, "GET", `/requests?key_id=${id}&kind=${kind}`)).body.rows as { kind: string; path: string }[];
    expect(await within(10_000, async () => (await listed("generate")).length === 2)).toBe(true);
    expect((await listed("embeddings")).map((r) => [r.kind, r.path])).toEqual([["embeddings", "/v1/embeddings"]]);
    expect((await listed("completions")).map((r) => r.path)).toEqual(["/v1/completions"]);
    expect((await listed("rerank")).map((r) => r.path)).toEqual(["/v1/rerank"]);
    const bad = await admin(h, "GET", "/requests?kind=Chat%20Completions");
    expect(bad.status).toBe(400);
  });

  it("a kind the report does not know is a 400", async () => {
    const r = await admin(h, "GET", "/spend?group_by=kinds");
    expect(r.status).toBe(400);
  });
});
