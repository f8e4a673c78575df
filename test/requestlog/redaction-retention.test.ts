/**
 * What the request log keeps, on SQLite and PostgreSQL: no planted secret (the caller's minted key, its
 * upstream credential, a provider key, a bearer token, a configured pattern) reaches the store, in any body
 * or any column; bodies are kept per `logging.bodies`; retention prunes 100k rows in small batches while
 * requests are served.
 */
import { randomBytes } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { brotliDecompressSync } from "node:zlib";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedRequests } from "../../bench/seed-requests.js";
import { ENGINES, type TestLocation } from "../support/engines.js";
import { type Harness, startHarness } from "../support/gateway.js";
import { ADMIN, call, MASTER } from "../support/team.js";

const UPSTREAM_SECRET = `sk-upstream-${randomBytes(12).toString("hex")}`;
const CREDENTIAL = `cred-${randomBytes(12).toString("hex")}`;
const BEARER = `tok${randomBytes(10).toString("hex")}`;
const PATTERN = `ACME-${100000 + Math.floor(Math.random() * 899999)}`;

async function until<T>(check: () => Promise<T | undefined>, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Everything the store holds for the request log, as text: every column, and every body decompressed. */
async function storeText(h: Harness): Promise<string> {
  const db = await h.gateway.team!.data.db();
  const rows = await db.selectFrom("request_log").selectAll().execute();
  const bodies = await db.selectFrom("request_bodies").selectAll().execute();
  return [JSON.stringify(rows), ...bodies.map((b) => brotliDecompressSync(Buffer.from(b.data)).toString("utf8"))].join(
    "\n",
  );
}

describe.each(ENGINES)("what the request log keeps on $engine", ({ engine, fresh }) => {
  let where: TestLocation;
  let h: Harness;
  beforeAll(async () => {
    where = await fresh();
    h = await startHarness((mockUrl) => ({
      store: where.url ? { url: where.url } : { path: where.path },
      admin: { keys: [ADMIN] },
      secrets: { master_key: MASTER },
      providers: { secretive: { type: "openai", base_url: `${mockUrl}/v1`, api_key: UPSTREAM_SECRET, api: "chat" } },
      models: { "via-secretive": { provider: "secretive", model: "gpt-4.1" } },
      logging: { bodies: "all", redact: ["ACME-[0-9]{6}"], retention_days: 30, bodies_retention_days: 7 },
    }));
  }, 30_000);
  afterAll(async () => {
    await h.close();
    await where.drop();
  });

  it("redacts every planted secret before anything is written (bodies, reasons, files)", async () => {
    const minted = await call(h.url, "POST", "/admin/v1/keys", ADMIN, {
      name: "planter",
      credentials: { "openai-chat": CREDENTIAL },
    });
    const key: string = minted.body.key;
    const planted = `my keys: ${key} ${UPSTREAM_SECRET} ${CREDENTIAL} Authorization: Bearer ${BEARER} ${PATTERN} end`;
    const sdk = new OpenAI({ apiKey: key, baseURL: `${h.url}/v1`, maxRetries: 0 });
    // Echoed by the mock: the secrets are in all four bodies (client and upstream, request and answer).
    const echoed = await sdk.chat.completions.create({
      model: "via-secretive",
      messages: [{ role: "user", content: planted }],
    });
    expect(echoed.choices[0]!.message.content).toContain(UPSTREAM_SECRET);
    await sdk.chat.completions
      .create({
        model: "via-openai-chat",
        stream: true,
        messages: [{ role: "user", content: planted }],
      })
      .then(async (s) => {
        for await (const _ of s);
      });
    // An upstream error that repeats the secrets: the row's reason keeps them out too.
    h.mock.enqueue({ httpError: { status: 400, message: `rejected ${planted}` } });
    await expect(
      sdk.chat.completions.create({ model: "via-secretive", messages: [{ role: "user", content: planted }] }),
    ).rejects.toThrow();
    const rows = await until(async () => {
      const r = await call(h.url, "GET", `/admin/v1/requests?key_id=${minted.body.id}`, ADMIN);
      return r.body.rows.length >= 3 && r.body.rows.every((x: { has_bodies: boolean }) => x.has_bodies)
        ? r.body.rows
        : undefined;
    });
    const failed = rows.find((r: { outcome: string }) => r.outcome === "error");
    expect(failed.reason).toContain("[REDACTED]");
    const text = await storeText(h);
    expect(text).toContain("[REDACTED]");
    expect(text).toContain("my keys:");
    for (const secret of [key, UPSTREAM_SECRET, CREDENTIAL, BEARER, PATTERN]) expect(text).not.toContain(secret);
    // The detail the API answers is the stored (redacted) text.
    const d = await call(h.url, "GET", `/admin/v1/requests/${failed.id}`, ADMIN);
    expect(d.body.bodies.client_request).toContain("Bearer [REDACTED]");
    // And the raw store: the SQLite file with its write-ahead log, or the PostgreSQL tables as text.
    if (engine === "sqlite") {
      const dir = dirname(where.path);
      const files = readdirSync(dir).filter((f) => f.startsWith("llmux.db"));
      expect(files).toContain("llmux.db-wal");
      const raw = Buffer.concat(files.map((f) => readFileSync(join(dir, f))));
      expect(raw.includes(Buffer.from("[REDACTED]"))).toBe(true);
      for (const secret of [UPSTREAM_SECRET, CREDENTIAL, BEARER, PATTERN])
        expect(raw.includes(Buffer.from(secret))).toBe(false);
      // Spool files (none while the database answers) would hold rows too.
      expect(readdirSync(dir).filter((f) => f.startsWith("requests-"))).toEqual([]);
    } else {
      const db = await h.gateway.team!.data.db();
      const { sql } = await import("kysely");
      const dump = await sql<{
        t: string;
      }>`select cast(r.* as text) as t from request_log r union all select encode(b.data, 'escape') from request_bodies b`.execute(
        db,
      );
      const all = dump.rows.map((r) => r.t).join("\n");
      expect(all).toContain("[REDACTED]");
      for (const secret of [key, UPSTREAM_SECRET, CREDENTIAL, BEARER, PATTERN]) expect(all).not.toContain(secret);
    }
    expect(existsSync(where.path)).toBe(engine === "sqlite");
  });

  it("prunes 100k expired rows in small batches while requests keep being served", async () => {
    const data = h.gateway.team!.data;
    const old = Date.now() - 40 * 86_400_000;
    const tag = `req_old_${randomBytes(3).toString("hex")}_`;
    await seedRequests(data, { rows: 100_000, newestAt: old, stepMs: 1, prefix: tag });
    const db = await data.db();
    // Some expired bodies too (bodies_retention_days: 7), of rows that themselves stay.
    await db
      .insertInto("request_bodies")
      .values({ id: `${tag}b`, at: Date.now() - 10 * 86_400_000, data: Buffer.from("x") })
      .execute();
    const count = async (prefix: string) =>
      Number(
        (
          await db
            .selectFrom("request_log")
            .select((eb) => eb.fn.countAll<number>().as("n"))
            .where("id", "like", `${prefix}%`)
            .executeTakeFirstOrThrow()
        ).n,
      );
    expect(await count(tag)).toBe(100_000);
    // Keys were minted here, so requests need one (the gateway is closed once keys exist).
    const during = await call(h.url, "POST", "/admin/v1/keys", ADMIN, { name: "during-prune" });
    const sdk = new OpenAI({ apiKey: during.body.key, baseURL: `${h.url}/v1`, maxRetries: 0 });
    const started = performance.now();
    let done = false;
    const pruned = h.gateway.requestLog!.prune().finally(() => {
      done = true;
    });
    const served: number[] = [];
    while (!done) {
      const r = await sdk.chat.completions
        .create({ model: "via-openai-chat", messages: [{ role: "user", content: "during" }] })
        .then(() => 200)
        .catch((e: { status?: number }) => e.status ?? 0);
      served.push(r);
    }
    const result = await pruned;
    const ms = performance.now() - started;
    expect(result.rows).toBeGreaterThanOrEqual(100_000);
    expect(result.bodies).toBeGreaterThanOrEqual(1);
    expect(await count(tag)).toBe(0);
    // Requests were answered while it ran.
    expect(served.length).toBeGreaterThan(0);
    expect(served.every((s) => s === 200)).toBe(true);
    // In batches: several requests were answered between them (one long delete would let one through at most).
    expect(served.length).toBeGreaterThan(1);
    console.log(
      `${engine}: pruned ${result.rows} rows in ${Math.round(ms)} ms; ${served.length} requests served meanwhile`,
    );
  }, 120_000);
});
