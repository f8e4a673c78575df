/**
 * The embeddings cache and what a chat request gets, on SQLite with the in-process state and on PostgreSQL
 * with Redis: identical inputs are answered from the data layer (or the hot state) without an upstream call,
 * cost nothing and say so (the hit-count header, the usage, the request-log row); a re-index of a
 * repository's chunks with 2% changed shows the hit rate and the money saved. Keys' budgets and tpm count
 * embeddings like chat.
 */
import { randomBytes } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type EmbedFake, fakeVector, startEmbedFake } from "../support/embed-fake.js";
import { freshPostgres, freshSqlite, type TestLocation } from "../support/engines.js";
import type { Body, Harness } from "../support/gateway.js";
import { admin, teamHarness, within } from "../support/team.js";
import { EMBED_PRICES, embedConfig } from "./config.js";

const REDIS = process.env.LLMUX_TEST_REDIS ?? "redis://127.0.0.1:6379";
const SETUPS = [
  { name: "SQLite, in-process state", fresh: freshSqlite, redis: false },
  { name: "PostgreSQL, Redis", fresh: freshPostgres, redis: true },
];

/** A repository's chunks: llmux's own sources, cut in 1,500-character pieces (what an indexer sends). */
function repositoryChunks(limit: number): string[] {
  const root = join(import.meta.dirname, "../../src");
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      if (out.length >= limit) return;
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith(".ts")) {
        const text = readFileSync(p, "utf8");
        for (let i = 0; i < text.length && out.length < limit; i += 1500) out.push(text.slice(i, i + 1500));
      }
    }
  };
  walk(root);
  return out;
}

describe.each(SETUPS)("embeddings cache and limits on $name", ({ fresh, redis }) => {
  let where: TestLocation;
  let h: Harness;
  let fake: EmbedFake;
  beforeAll(async () => {
    where = await fresh();
    fake = await startEmbedFake();
    const base = embedConfig(fake.url);
    h = await teamHarness(where, {
      ...(redis
        ? { state: { url: REDIS, prefix: `llmux-test:${process.pid}:${randomBytes(4).toString("hex")}:` } }
        : {}),
      prices: EMBED_PRICES,
      providers: base.providers,
      models: {
        ...base.models,
        "embed-cached": {
          provider: "oa",
          model: "text-embedding-3-small",
          kind: "embedding",
          embeddings: { cache: { store: "data" } },
        },
        "embed-hot": {
          provider: "co",
          model: "nomic-embed-text",
          kind: "embedding",
          embeddings: { max_batch: 64, cache: { store: "hot", max_entries: 5 } },
        },
      },
    });
  }, 30_000);
  afterAll(async () => {
    await h.close();
    await fake.close();
    await where.drop();
  });

  const mint = async (more: Record<string, unknown> = {}) => {
    const m = await admin(h, "POST", "/keys", { name: `e-${randomBytes(3).toString("hex")}`, ...more });
    return { key: m.body.key as string, id: m.body.id as string };
  };
  const rowsOf = async (keyId: string, n: number): Promise<Body[]> => {
    let rows: Body[] = [];
    await within(10_000, async () => {
      rows = (await admin(h, "GET", `/requests?key_id=${keyId}`)).body.rows ?? [];
      return rows.length >= n;
    });
    return rows;
  };

  it("re-indexing a repository with 2% changed: hits, usage and cost only for the changed chunks", async () => {
    const { key, id } = await mint({ budget: { usd: 10, period: "month" } });
    const oa = new OpenAI({ apiKey: key, baseURL: `${h.url}/v1`, maxRetries: 0 });
    const chunks = repositoryChunks(300);
    const embedAll = async (texts: string[]) => {
      let hits = 0;
      let tokens = 0;
      for (let i = 0; i < texts.length; i += 100) {
        const part = texts.slice(i, i + 100);
        const raw = await oa.embeddings.create({ model: "embed-cached", input: part }).withResponse();
        hits += Number(raw.response.headers.get("llmux-embeddings-cached"));
        tokens += raw.data.usage.prompt_tokens;
        expect(raw.data.data.map((d) => d.embedding)).toEqual(part.map((t) => fakeVector(t)));
      }
      return { hits, tokens };
    };
    const callsBefore = fake.calls.length;
    const first = await embedAll(chunks);
    expect(first.hits).toBe(0);
    const firstCalls = fake.calls.length - callsBefore;
    // 2% of the chunks edited
    const changed = chunks.map((c, i) => (i % 50 === 7 ? `${c}\n// edited` : c));
    const edited = changed.filter((c, i) => c !== chunks[i]).length;
    const second = await embedAll(changed);
    expect(second.hits).toBe(chunks.length - edited);
    const sentSecond = fake.calls.slice(callsBefore + firstCalls).flatMap((c) => c.body.input as string[]);
    expect(sentSecond).toHaveLength(edited);

    const rows = await rowsOf(id, 6);
    const cost = (r: Body[]) => r.reduce((n, x) => n + (x.cost_usd as number), 0);
    const byTime = [...rows].sort((a, b) => String(a.time).localeCompare(String(b.time)));
    const [firstRows, secondRows] = [byTime.slice(0, 3), byTime.slice(3)];
    for (const r of rows) {
      expect(r.kind).toBe("embeddings");
      expect(r.model_call).toBe(true);
      expect(r.model).toBe("text-embedding-3-small");
    }
    expect(secondRows.reduce((n, r) => n + r.input_tokens, 0)).toBe(second.tokens);
    expect(JSON.stringify(secondRows.map((r) => r.warnings))).toContain(
      "answered from the embeddings cache at no cost",
    );
    const [c1, c2] = [cost(firstRows), cost(secondRows)];
    expect(c2).toBeLessThan(c1 * 0.05);
    // The figures of the scenario (the report quotes them).
    console.log(
      `re-index: ${chunks.length} chunks, ${edited} changed; hit rate ${((100 * second.hits) / chunks.length).toFixed(1)}%; ` +
        `tokens ${first.tokens} → ${second.tokens}; cost $${c1.toFixed(6)} → $${c2.toFixed(6)} (saved $${(c1 - c2).toFixed(6)}, ${((100 * (c1 - c2)) / c1).toFixed(1)}%)`,
    );
    // The key's spend (the ledger, read by its budget) is what the rows say.
    let spent = -1;
    await within(10_000, async () => {
      spent = (await admin(h, "GET", `/keys/${id}`)).body.spend_usd as number;
      return Math.abs(spent - (c1 + c2)) < 1e-6;
    });
    expect(spent).toBeCloseTo(c1 + c2, 6);
  });

  it("the hot-state cache: hits, a per-alias bound on entries, duplicates within a request sent once", async () => {
    const { key } = await mint();
    const oa = new OpenAI({ apiKey: key, baseURL: `${h.url}/v1`, maxRetries: 0 });
    const before = fake.calls.length;
    const a = await oa.embeddings.create({ model: "embed-hot", input: ["p", "q", "p"] }).withResponse();
    expect(a.data.data.map((d) => d.embedding)).toEqual(["p", "q", "p"].map((t) => fakeVector(t)));
    expect(fake.calls.slice(before).flatMap((c) => c.body.input as string[])).toEqual(["p", "q"]);
    const b = await oa.embeddings.create({ model: "embed-hot", input: ["q", "p"] }).withResponse();
    expect(b.response.headers.get("llmux-embeddings-cached")).toBe("2");
    expect(b.data.usage.prompt_tokens).toBe(0);
    // max_entries 5: two are held; six more are past the bound and not kept
    await oa.embeddings.create({ model: "embed-hot", input: ["1", "2", "3", "4", "5", "6"] });
    const c = await oa.embeddings.create({ model: "embed-hot", input: ["1", "2"] }).withResponse();
    expect(c.response.headers.get("llmux-embeddings-cached")).toBe("0");
  });

  it("tpm counts embedding tokens; an allow-list refuses an alias the key may not use", async () => {
    const { key } = await mint({ limits: { tpm: 200 } });
    const oa = new OpenAI({ apiKey: key, baseURL: `${h.url}/v1`, maxRetries: 0 });
    await oa.embeddings.create({ model: "embed-small", input: ["x".repeat(1200)] });
    const refused = await oa.embeddings.create({ model: "embed-small", input: ["y".repeat(400)] }).catch((e) => e);
    expect(refused.status).toBe(429);
    const only = await mint({ models: ["embed-compat"] });
    const other = new OpenAI({ apiKey: only.key, baseURL: `${h.url}/v1`, maxRetries: 0 });
    const no = await other.embeddings.create({ model: "embed-small", input: "x" }).catch((e) => e);
    expect(no.status).toBe(403);
    const yes = await other.embeddings.create({ model: "embed-compat", input: "x" });
    expect(yes.data).toHaveLength(1);
  });

  it("a budget spent refuses embeddings before any upstream call", async () => {
    const { key } = await mint({ budget: { usd: 0, period: "month" } });
    const oa = new OpenAI({ apiKey: key, baseURL: `${h.url}/v1`, maxRetries: 0 });
    const before = fake.calls.length;
    const refused = await oa.embeddings.create({ model: "embed-small", input: "x".repeat(4000) }).catch((e) => e);
    expect(refused.status).toBeGreaterThanOrEqual(400);
    expect(fake.calls.length).toBe(before);
  });
});
