/**
 * The ledger's writer on SQLite and PostgreSQL: a graceful close flushes, a crashed process's journal is
 * replayed. The ledger's rows are written by the settled rows' writer (with the request log's: see
 * test/requestlog/settled-writer.test.ts); here it is given ledger rows alone.
 */
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LedgerRow } from "../../src/billing/ledger-row.js";
import { Data } from "../../src/data/data.js";
import { whenJournalled } from "../../src/data/journal-file.js";
import type { SpoolEvents } from "../../src/data/spooled-writer.js";
import { SettledWriter } from "../../src/requestlog/settled-writer.js";
import { ENGINES, type TestLocation } from "../support/engines.js";
import { ledgerRow } from "../support/ledger-row.js";

/** Resolves once the journal's group write of this turn of the event loop is done. */
const journalled = () => new Promise<void>((done) => whenJournalled(done));

const quiet = { spooled: () => undefined, caughtUp: () => undefined };

/** The settled rows' writer, given ledger rows alone. */
class Ledger {
  private readonly writer: SettledWriter;
  constructor(data: Data, dir: string, events: SpoolEvents, flushMs = 100, retryMs = 1000, scanMs = 10_000) {
    this.writer = new SettledWriter(data, dir, events, { flushMs, retryMs, scanMs });
  }
  add(row: LedgerRow): void {
    this.writer.add({ ledger: row });
  }
  close(): Promise<void> {
    return this.writer.close();
  }
}

function row(i: number, tag: string): LedgerRow {
  return ledgerRow({
    id: `req_${tag}_${i}`,
    key_id: `key_${tag}`,
    input_tokens: 10,
    output_tokens: 5,
    cost_nanos: 1000 + i,
    latency_ms: 3,
    ttft_ms: 1,
  });
}

/** This process's journal in `dir` (named by its pid and a nonce of its own). */
function journalOf(dir: string): string {
  const names = readdirSync(dir).filter((f) => new RegExp(`^ledger-${process.pid}-[0-9a-f]+\\.journal$`).test(f));
  expect(names).toHaveLength(1);
  return join(dir, names[0]!);
}

const jsonLines = (rows: LedgerRow[]) => rows.map((r) => `${JSON.stringify(r)}\n`).join("");

async function caughtUpIn(dir: string, data: Data): Promise<{ ledger: Ledger; caught: number[] }> {
  const caught: number[] = [];
  const ledger = new Ledger(data, dir, { spooled: () => undefined, caughtUp: (n) => caught.push(n) }, 600_000);
  for (let t = 0; t < 200 && caught.length === 0; t++) await new Promise((r) => setTimeout(r, 25));
  return { ledger, caught };
}

describe.each(ENGINES)("the ledger writer on $engine", ({ fresh }) => {
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

  const stored = async (tag: string) => {
    const db = await data.db();
    const r = await db
      .selectFrom("ledger")
      .select((eb) => [eb.fn.countAll<number>().as("n"), eb.fn.sum<number | string>("cost_nanos").as("cost")])
      .where("key_id", "=", `key_${tag}`)
      .executeTakeFirstOrThrow();
    return { n: Number(r.n), cost: Number(r.cost ?? 0) };
  };

  it("add() returns at once; a graceful close writes every queued row and leaves no journal", async () => {
    const dir = mkdtempSync(join(tmpdir(), "llmux-ledger-"));
    const tag = randomBytes(3).toString("hex");
    // A flush interval far beyond the test: only close() can write these.
    const ledger = new Ledger(data, dir, quiet, 600_000);
    for (let i = 0; i < 1200; i++) ledger.add(row(i, tag));
    expect((await stored(tag)).n).toBeLessThan(1200);
    await ledger.close();
    expect(await stored(tag)).toEqual({ n: 1200, cost: 1200 * 1000 + (1199 * 1200) / 2 });
    expect(readdirSync(dir).filter((f) => f.startsWith("ledger-"))).toEqual([]);
  });

  it("the journal of a process that died is written by the next one, each row once", async () => {
    const dir = mkdtempSync(join(tmpdir(), "llmux-ledger-"));
    const tag = randomBytes(3).toString("hex");
    const crashed = new Ledger(data, dir, quiet, 600_000);
    for (let i = 0; i < 50; i++) crashed.add(row(i, tag));
    // The lines of one turn of the event loop are written together at its end.
    await journalled();
    // What `kill -9` leaves: the journal, under the pid of a process that is gone.
    const journal = journalOf(dir);
    expect(existsSync(journal)).toBe(true);
    renameSync(journal, join(dir, "ledger-999999999-0badc0de.journal"));
    const caught: number[] = [];
    const next = new Ledger(data, dir, { spooled: () => undefined, caughtUp: (n) => caught.push(n) }, 600_000);
    for (let t = 0; t < 200 && caught.length === 0; t++) await new Promise((r) => setTimeout(r, 25));
    expect(caught).toEqual([50]);
    expect((await stored(tag)).n).toBe(50);
    // The same rows again (a replay that raced a write) are not counted twice.
    for (let i = 0; i < 50; i++) next.add(row(i, tag));
    await next.close();
    expect((await stored(tag)).n).toBe(50);
  });

  it("a running writer takes over what a sibling killed meanwhile left behind, without a restart", async () => {
    const dir = mkdtempSync(join(tmpdir(), "llmux-ledger-"));
    const tag = randomBytes(3).toString("hex");
    const caught: number[] = [];
    const events = { spooled: () => undefined, caughtUp: (n: number) => caught.push(n) };
    const running = new Ledger(data, dir, events, 600_000, 1000, 50);
    // Left by a sibling on this machine that was killed after this one started.
    writeFileSync(join(dir, "ledger-999999994-0badc0de.journal"), jsonLines([row(0, tag), row(1, tag)]));
    for (let t = 0; t < 600 && caught.length === 0; t++) await new Promise((r) => setTimeout(r, 25));
    expect(caught).toEqual([2]);
    expect((await stored(tag)).n).toBe(2);
    await running.close();
  });

  it("a journal whose last line a kill tore is replayed without it; the rows before it are kept", async () => {
    const dir = mkdtempSync(join(tmpdir(), "llmux-ledger-"));
    const tag = randomBytes(3).toString("hex");
    const rows = Array.from({ length: 30 }, (_, i) => row(i, tag));
    const torn = JSON.stringify(row(30, tag)).slice(0, 40);
    writeFileSync(join(dir, "ledger-999999998-0badc0de.journal"), `${jsonLines(rows)}${torn}`);
    const { ledger, caught } = await caughtUpIn(dir, data);
    expect(caught).toEqual([30]);
    expect((await stored(tag)).n).toBe(30);
    await ledger.close();
    expect(readdirSync(dir).filter((f) => f.startsWith("ledger-"))).toEqual([]);
  });

  it("a replay cut short by a kill is taken over by the next process; a journal's unrenamed replacement goes", async () => {
    const dir = mkdtempSync(join(tmpdir(), "llmux-ledger-"));
    const tag = randomBytes(3).toString("hex");
    // A process took over a dead one's journal for replay, then died too.
    writeFileSync(
      join(dir, "ledger-999999997-0badc0de.journal.999999996-feedface.replaying"),
      jsonLines(Array.from({ length: 12 }, (_, i) => row(i, tag))),
    );
    // A kill between writing a journal's replacement and renaming it over the journal.
    writeFileSync(join(dir, "ledger-999999995-0badc0de.journal"), jsonLines([row(12, tag)]));
    writeFileSync(join(dir, "ledger-999999995-0badc0de.journal.next"), "");
    const { ledger, caught } = await caughtUpIn(dir, data);
    expect(caught).toEqual([13]);
    expect((await stored(tag)).n).toBe(13);
    await ledger.close();
    expect(readdirSync(dir).filter((f) => f.startsWith("ledger-"))).toEqual([]);
  });

  it("an earlier process of this same pid (pid 1 in a container, restarted) is told apart by its nonce", async () => {
    const dir = mkdtempSync(join(tmpdir(), "llmux-ledger-"));
    const tag = randomBytes(3).toString("hex");
    // Before this version the name carried the pid alone; after, the pid and the process's nonce.
    writeFileSync(join(dir, `ledger-${process.pid}.journal`), jsonLines([row(0, tag), row(1, tag)]));
    writeFileSync(join(dir, `ledger-${process.pid}-0badc0de.journal`), jsonLines([row(2, tag)]));
    const { ledger, caught } = await caughtUpIn(dir, data);
    expect(caught.reduce((a, b) => a + b, 0)).toBe(3);
    expect((await stored(tag)).n).toBe(3);
    // Its own journal is its own: not replayed from under it, and written with its rows.
    ledger.add(row(3, tag));
    await journalled();
    expect(readFileSync(journalOf(dir), "utf8")).toContain(`req_${tag}_3`);
    await ledger.close();
    expect((await stored(tag)).n).toBe(4);
  });
});
