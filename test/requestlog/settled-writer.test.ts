/**
 * The one writer of settled requests' rows (src/requestlog/settled-writer.ts) on SQLite and PostgreSQL: a
 * request's request-log row and ledger row go to the journal as one line and to the database together; a
 * killed process's journal brings back both; what earlier releases left (bare ledger rows, request-log
 * spools) is replayed too. Through the gateway: one row of each per minted-key request, the same request;
 * with `logging.requests: false`, the ledger alone.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Data } from "../../src/data/data.js";
import { whenJournalled } from "../../src/data/journal-file.js";
import type { SettledEntry } from "../../src/requestlog/settled-entry.js";
import { SettledWriter } from "../../src/requestlog/settled-writer.js";
import { ENGINES, type TestLocation } from "../support/engines.js";
import { type Harness, startHarness } from "../support/gateway.js";
import { ledgerRow } from "../support/ledger-row.js";
import { requestLogRow } from "../support/request-log-row.js";
import { ADMIN, CHAT, call, MASTER } from "../support/team.js";

/** Resolves once the journal's group write of this turn of the event loop is done. */
const journalled = () => new Promise<void>((done) => whenJournalled(done));

const quiet = { spooled: () => undefined, caughtUp: () => undefined };

/** A minted-key request's entry (both rows), or a service-key one's (the request-log row alone). */
function entry(tag: string, i: number, minted = true): SettledEntry {
  const id = `req_${tag}_${i}`;
  const at = 1_700_000_000_000 + i;
  const log = requestLogRow({ id, at, key_id: minted ? `key_${tag}` : null, cost_nanos: 100 + i });
  return minted ? { log, ledger: ledgerRow({ id, at, key_id: `key_${tag}`, cost_nanos: 100 + i }) } : { log };
}

const lines = (rows: unknown[]) => rows.map((r) => `${JSON.stringify(r)}\n`).join("");

describe.each(ENGINES)("the settled rows' writer on $engine", ({ fresh }) => {
  let where: TestLocation;
  let data: Data;
  beforeAll(async () => {
    where = await fresh();
    data = new Data({ path: where.path, url: where.url });
    await data.db();
  });
  afterAll(async () => {
    await data.close();
    await where.drop();
  });

  /** How many rows of this tag each table holds. */
  const stored = async (tag: string) => {
    const db = await data.db();
    const count = async (table: "ledger" | "request_log") =>
      Number(
        (
          await db
            .selectFrom(table)
            .select((eb) => eb.fn.countAll<number>().as("n"))
            .where("id", "like", `req_${tag}_%`)
            .executeTakeFirstOrThrow()
        ).n,
      );
    return { ledger: await count("ledger"), log: await count("request_log") };
  };

  const caughtUp = async (dir: string) => {
    const caught: number[] = [];
    const w = new SettledWriter(
      data,
      dir,
      { spooled: () => undefined, caughtUp: (n) => caught.push(n) },
      {
        flushMs: 600_000,
      },
    );
    for (let t = 0; t < 200 && caught.length === 0; t++) await new Promise((r) => setTimeout(r, 25));
    return { w, caught };
  };

  it("journals each request as one line, and writes its two rows together", async () => {
    const dir = mkdtempSync(join(tmpdir(), "llmux-settled-"));
    const tag = randomBytes(3).toString("hex");
    const w = new SettledWriter(data, dir, quiet, { flushMs: 600_000 });
    for (let i = 0; i < 30; i++) w.add(entry(tag, i, i % 3 !== 0));
    // The lines of one turn of the event loop are written together at its end.
    await journalled();
    const [journal] = readdirSync(dir).filter((f) => f.endsWith(".journal"));
    expect(journal).toMatch(new RegExp(`^ledger-${process.pid}-[0-9a-f]+\\.journal$`));
    // One append per request, not one per table.
    expect(readFileSync(join(dir, journal!), "utf8").trim().split("\n")).toHaveLength(30);
    expect(await stored(tag)).toEqual({ ledger: 0, log: 0 });
    await w.close();
    expect(await stored(tag)).toEqual({ ledger: 20, log: 30 });
    expect(readdirSync(dir)).toEqual([]);
    const db = await data.db();
    const both = await db
      .selectFrom("ledger as l")
      .innerJoin("request_log as r", "r.id", "l.id")
      .select(["l.cost_nanos as spent", "r.cost_nanos as logged", "l.at as lat", "r.at as rat"])
      .where("l.id", "=", `req_${tag}_1`)
      .executeTakeFirstOrThrow();
    expect(Number(both.spent)).toBe(Number(both.logged));
    expect(Number(both.lat)).toBe(Number(both.rat));
  });

  it("a killed process's journal brings back both rows of every request it held, bodies marked absent", async () => {
    const dir = mkdtempSync(join(tmpdir(), "llmux-settled-"));
    const tag = randomBytes(3).toString("hex");
    const crashed = new SettledWriter(data, dir, quiet, { flushMs: 600_000 });
    for (let i = 0; i < 40; i++) {
      const e = entry(tag, i);
      e.log!.has_bodies = 1;
      crashed.add(e);
    }
    await journalled();
    // What kill -9 leaves: the journal, under the pid of a process that is gone.
    const [journal] = readdirSync(dir).filter((f) => f.endsWith(".journal"));
    renameSync(join(dir, journal!), join(dir, "ledger-999999990-0badc0de.journal"));
    const { w, caught } = await caughtUp(dir);
    expect(caught).toEqual([40]);
    expect(await stored(tag)).toEqual({ ledger: 40, log: 40 });
    const db = await data.db();
    const marked = await db
      .selectFrom("request_log")
      .select("has_bodies")
      .where("id", "like", `req_${tag}_%`)
      .where("has_bodies", "=", 1)
      .execute();
    expect(marked).toEqual([]);
    // The same entries again (a replay that raced a write) are not counted twice.
    for (let i = 0; i < 40; i++) w.add(entry(tag, i));
    await w.close();
    expect(await stored(tag)).toEqual({ ledger: 40, log: 40 });
  });

  it("an admission entry stays in the journal until its request settles; a dead journal's unsettled ones are written", async () => {
    const dir = mkdtempSync(join(tmpdir(), "llmux-settled-"));
    const tag = randomBytes(3).toString("hex");
    const crashed = new SettledWriter(data, dir, quiet, { flushMs: 600_000 });
    const estimate = (i: number) => {
      const e = entry(tag, i);
      e.ledger!.cost_nanos = 5000;
      e.ledger!.outcome = "aborted";
      e.log!.outcome = "aborted";
      return e;
    };
    // Three admitted; the first settles and is written (the others stay in the journal: it is not emptied).
    for (const i of [0, 1, 2]) crashed.admit(`req_${tag}_${i}`, estimate(i));
    crashed.settle(`req_${tag}_0`, entry(tag, 0));
    await crashed.flush();
    expect(await stored(tag)).toEqual({ ledger: 1, log: 1 });
    // The second settles, not yet written: its journal holds its admission line and its settled line.
    crashed.settle(`req_${tag}_1`, entry(tag, 1));
    await journalled();
    const [journal] = readdirSync(dir).filter((f) => f.endsWith(".journal"));
    const held = readFileSync(join(dir, journal!), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { admission?: boolean; ledger?: { id: string } });
    const ids = (admission: boolean) => held.filter((l) => !!l.admission === admission).map((l) => l.ledger?.id);
    expect(ids(true)).toEqual(expect.arrayContaining([`req_${tag}_1`, `req_${tag}_2`]));
    expect(ids(false)).toContain(`req_${tag}_1`);
    renameSync(join(dir, journal!), join(dir, "ledger-999999992-0badc0de.journal"));
    const { w } = await caughtUp(dir);
    await w.close();
    const db = await data.db();
    const ledger = await db
      .selectFrom("ledger")
      .select(["id", "outcome", "cost_nanos"])
      .where("id", "like", `req_${tag}_%`)
      .orderBy("id")
      .execute();
    expect(ledger.map((r) => [r.id, r.outcome, Number(r.cost_nanos)])).toEqual([
      [`req_${tag}_0`, "ok", 100],
      [`req_${tag}_1`, "ok", 101],
      [`req_${tag}_2`, "aborted", 5000],
    ]);
    expect(await stored(tag)).toEqual({ ledger: 3, log: 3 });
  });

  it("an admission let go with no row in its place leaves the journal: a later kill bills nothing for it", async () => {
    const dir = mkdtempSync(join(tmpdir(), "llmux-settled-"));
    const tag = randomBytes(3).toString("hex");
    const w = new SettledWriter(data, dir, quiet, { flushMs: 600_000 });
    w.admit(`req_${tag}_0`, entry(tag, 0));
    w.admit(`req_${tag}_1`, entry(tag, 1));
    w.settle(`req_${tag}_0`, undefined);
    await w.flush();
    const [journal] = readdirSync(dir).filter((f) => f.endsWith(".journal"));
    const left = readFileSync(join(dir, journal!), "utf8").trim().split("\n");
    expect(left.map((l) => (JSON.parse(l) as { ledger: { id: string } }).ledger.id)).toEqual([`req_${tag}_1`]);
    renameSync(join(dir, journal!), join(dir, "ledger-999999993-0badc0de.journal"));
    const { w: next } = await caughtUp(dir);
    await next.close();
    expect(await stored(tag)).toEqual({ ledger: 1, log: 1 });
  });

  it("replays what the release before left: a ledger journal of bare ledger rows, a request-log spool", async () => {
    const dir = mkdtempSync(join(tmpdir(), "llmux-settled-"));
    const tag = randomBytes(3).toString("hex");
    const old = Array.from({ length: 12 }, (_, i) => entry(tag, i));
    writeFileSync(join(dir, "ledger-999999991-0badc0de.journal"), lines(old.slice(0, 6).map((e) => e.ledger)));
    writeFileSync(join(dir, "ledger-999999992.spool"), lines(old.slice(6).map((e) => e.ledger)));
    writeFileSync(join(dir, "requests-999999991-0badc0de.spool"), lines(old.map((e) => e.log)));
    const { w, caught } = await caughtUp(dir);
    for (let t = 0; t < 200 && caught.reduce((a, b) => a + b, 0) < 24; t++) await new Promise((r) => setTimeout(r, 25));
    expect(caught.reduce((a, b) => a + b, 0)).toBe(24);
    expect(await stored(tag)).toEqual({ ledger: 12, log: 12 });
    await w.close();
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe.each(ENGINES)("settled rows through the gateway on $engine", ({ fresh }) => {
  let where: TestLocation;
  let on: Harness;
  let off: Harness;
  beforeAll(async () => {
    where = await fresh();
    const config = (requests: boolean) => () => ({
      store: where.url ? { url: where.url } : { path: where.path },
      admin: { keys: [ADMIN] },
      secrets: { master_key: MASTER },
      logging: { requests },
      // A directory each: one journal per writer.
      billing: { spool_dir: mkdtempSync(join(tmpdir(), "llmux-settled-")) },
    });
    on = await startHarness(config(true));
    off = await startHarness(config(false));
  }, 30_000);
  afterAll(async () => {
    await on?.close();
    await off?.close();
    await where?.drop();
  });

  const rowsOf = async (h: Harness, keyId: string) => {
    await h.gateway.requestLog!.flush();
    const db = await h.gateway.team!.data.db();
    const ledger = await db.selectFrom("ledger").selectAll().where("key_id", "=", keyId).execute();
    const log = await db.selectFrom("request_log").selectAll().where("key_id", "=", keyId).execute();
    return { ledger, log };
  };

  it("a minted-key request has one request-log row and one ledger row: the same request, the same money", async () => {
    const k = await call(on.url, "POST", "/admin/v1/keys", ADMIN, { name: "both" });
    for (let i = 0; i < 3; i++)
      expect((await call(on.url, "POST", "/v1/chat/completions", k.body.key, CHAT("via-anthropic"))).status).toBe(200);
    const { ledger, log } = await rowsOf(on, k.body.id);
    expect(ledger).toHaveLength(3);
    expect(log).toHaveLength(3);
    for (const l of ledger) {
      const r = log.find((x) => x.id === l.id)!;
      expect(Number(r.at)).toBe(Number(l.at));
      expect(Number(r.cost_nanos)).toBe(Number(l.cost_nanos));
      expect(Number(l.cost_nanos)).toBeGreaterThan(0);
      expect([r.input_tokens, r.output_tokens].map(Number)).toEqual([l.input_tokens, l.output_tokens].map(Number));
      expect(Math.abs(Number(r.latency_ms) - Number(l.latency_ms))).toBeLessThanOrEqual(1);
    }
  });

  it("with logging.requests: false only the ledger is written, and the request log's answers are empty", async () => {
    const k = await call(off.url, "POST", "/admin/v1/keys", ADMIN, { name: "ledger-only" });
    for (let i = 0; i < 2; i++)
      expect((await call(off.url, "POST", "/v1/chat/completions", k.body.key, CHAT("via-openai-chat"))).status).toBe(
        200,
      );
    const { ledger, log } = await rowsOf(off, k.body.id);
    expect(ledger).toHaveLength(2);
    expect(log).toHaveLength(0);
    expect(off.gateway.requestLog!.captureBytes).toBe(0);
    const spend = await call(off.url, "GET", "/admin/v1/spend?group_by=key", ADMIN);
    expect(spend.body.rows.find((r: { group: string }) => r.group === k.body.id).requests).toBe(2);
  });
});
