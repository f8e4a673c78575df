/**
 * A request's ledger row is journalled before its answer's last bytes leave, on SQLite and PostgreSQL: a
 * process killed the instant after a client saw its answer complete still leaves the row behind (on disk,
 * for the next process), however long the bookkeeping after the answer takes.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MemoryState } from "../../src/state/memory.js";
import { ENGINES, type TestLocation } from "../support/engines.js";
import { type Harness, startHarness } from "../support/gateway.js";
import { ADMIN, call, MASTER } from "../support/team.js";

/** In-process hot state whose counter decrements (a concurrency slot's release) take `ms`. */
class SlowRelease extends MemoryState {
  constructor(private readonly ms: number) {
    super();
  }
  override async incr(key: string, delta: number, ttlMs?: number): Promise<number> {
    if (delta < 0) await new Promise((r) => setTimeout(r, this.ms));
    return super.incr(key, delta, ttlMs);
  }
}

describe.each(ENGINES)("the ledger row before the answer's end on $engine", ({ fresh }) => {
  let where: TestLocation;
  let h: Harness;
  const spool = mkdtempSync(join(tmpdir(), "llmux-spool-"));
  beforeAll(async () => {
    where = await fresh();
    h = await startHarness(
      () => ({
        store: where.url ? { url: where.url } : { path: where.path },
        admin: { keys: [ADMIN] },
        secrets: { master_key: MASTER },
        billing: { spool_dir: spool },
      }),
      {},
      { hot: new SlowRelease(1500) },
    );
  }, 30_000);
  afterAll(async () => {
    await h?.close();
    await where?.drop();
  });

  /** Where the row is at this instant: in this process's journal, in the database, or nowhere yet. */
  async function whereIs(id: string): Promise<string> {
    const journals = readdirSync(spool).filter((f) => f.endsWith(".journal"));
    if (journals.some((f) => readFileSync(join(spool, f), "utf8").includes(`"${id}"`))) return "journal";
    // Written to the database before it left the journal: read the journal first, then the database.
    const db = await h.gateway.team!.data.db();
    const row = await db.selectFrom("ledger").select("id").where("id", "=", id).executeTakeFirst();
    return row ? "database" : "nowhere";
  }

  for (const [name, path, body] of [
    [
      "a whole Chat answer",
      "/v1/chat/completions",
      { model: "via-openai-chat", messages: [{ role: "user", content: "hi" }] },
    ],
    [
      "a streamed Messages answer",
      "/v1/messages",
      { model: "via-anthropic", max_tokens: 50, stream: true, messages: [{ role: "user", content: "hi" }] },
    ],
    [
      "an upstream error",
      "/v1/chat/completions",
      { model: "via-openai-chat", messages: [{ role: "user", content: "x" }] },
    ],
  ] as const)
    it(`${name}: the row is on disk or stored when the client has read the answer's end`, async () => {
      if (name === "an upstream error") h.mock.enqueue({ httpError: { status: 500, message: "boom" } });
      const minted = await call(h.url, "POST", "/admin/v1/keys", ADMIN, {
        name: `k-${randomBytes(3).toString("hex")}`,
        limits: { concurrency: 4 },
      });
      expect(minted.status).toBe(201);
      const res = await fetch(`${h.url}${path}`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${minted.body.key}` },
        body: JSON.stringify(body),
      });
      const text = await res.text();
      const id = res.headers.get("x-request-id")!;
      expect(text.length).toBeGreaterThan(0);
      // The concurrency slot is still being released (1.5 s): the row must not wait for it.
      expect(await whereIs(id)).not.toBe("nowhere");
    });
});
