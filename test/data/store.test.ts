/** The data layer on both engines: migrations under a lock, and the owner-scoped Store on top of it. */
import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Data } from "../../src/data/data.js";
import { migrate } from "../../src/data/migrate.js";
import { MIGRATIONS } from "../../src/data/migrations.js";
import { DataStore } from "../../src/data/store.js";
import { ENGINES, type TestLocation } from "../support/engines.js";

describe("the embedded SQLite file", () => {
  it("is waited for when another process holds its lock at open (workers starting together), not refused", async () => {
    const path = join(mkdtempSync(join(tmpdir(), "llmux-lock-")), "llmux.db");
    // Another process takes the new file's lock (rollback journal: nobody else may even read) for 400 ms.
    const holder = spawn(
      process.execPath,
      [
        "-e",
        `const D = require("libsql"); const d = new D(process.argv[1]);
         d.exec("create table t (x)"); d.exec("begin exclusive"); d.exec("insert into t values (1)");
         console.log("locked"); setTimeout(() => { d.exec("commit"); d.close(); }, 400);`,
        path,
      ],
      { cwd: join(import.meta.dirname, "../.."), stdio: ["ignore", "pipe", "inherit"] },
    );
    const [line] = (await once(holder.stdout!, "data")) as [Buffer];
    expect(line.toString()).toContain("locked");
    const data = new Data({ path });
    try {
      const db = await data.db();
      const rows = await db.selectFrom("llmux_migrations").select("id").execute();
      expect(rows.map((r) => r.id)).toEqual(MIGRATIONS.map((m) => m.id));
    } finally {
      await data.close();
      holder.kill();
    }
  });
});

describe.each(ENGINES)("data layer on $engine", ({ fresh }) => {
  let where: TestLocation;
  const opened: Data[] = [];
  const open = () => {
    const d = new Data({ path: where.path, url: where.url });
    opened.push(d);
    return d;
  };
  beforeAll(async () => {
    where = await fresh();
  });
  afterAll(async () => {
    for (const d of opened) await d.close();
    await where.drop();
  });

  it("migrates once when several instances start together, and again is a no-op", async () => {
    const a = open();
    const b = open();
    const c = open();
    // Each migrates on first use; they race for the lock.
    await Promise.all([a.db(), b.db(), c.db()]);
    const db = await a.db();
    const rows = await db.selectFrom("llmux_migrations").select("id").orderBy("id").execute();
    expect(rows.map((r) => r.id)).toEqual(MIGRATIONS.map((m) => m.id));
    expect(await migrate(db, a.engine)).toEqual([]);
  });

  it("carries on when the database has migrations this release does not know (a newer instance ran them)", async () => {
    const db = await open().db();
    await db.insertInto("llmux_migrations").values({ id: "999_future", applied_at: 1 }).execute();
    expect(await migrate(db, where.engine)).toEqual([]);
  });

  it("keeps stored responses per owner, with their items, and prunes by age", async () => {
    const store = new DataStore(open(), { reasoningMaxEntries: 10, reasoningTtlSeconds: 60 });
    const rec = {
      id: "resp_1",
      createdAt: 100,
      input: [{ id: "msg_in", type: "message", role: "user", content: "hi" }],
      response: { id: "resp_1", output: [{ id: "msg_out", type: "message", content: [] }] },
    };
    await store.responses.put("alice", rec);
    await store.responses.put("alice", rec); // replacing is allowed
    expect(await store.responses.get("alice", "resp_1")).toEqual({ ...rec, previousId: undefined });
    expect(await store.responses.get("bob", "resp_1")).toBeUndefined();
    expect(await store.responses.item("alice", "msg_out")).toEqual(rec.response.output[0]);
    expect(await store.responses.item("bob", "msg_out")).toBeUndefined();
    expect(await store.responses.delete("bob", "resp_1")).toBe(false);
    await store.responses.put("bob", { ...rec, id: "resp_2", createdAt: 5000 });
    expect(await store.responses.prune(1000)).toBe(1);
    expect(await store.responses.get("alice", "resp_1")).toBeUndefined();
    expect(await store.responses.item("alice", "msg_in")).toBeUndefined();
    expect(await store.responses.get("bob", "resp_2")).toBeDefined();
    expect(await store.responses.delete("bob", "resp_2")).toBe(true);
  });

  it("keeps who made what an upstream keeps: the first claim of an id wins, pruned by age", async () => {
    const store = new DataStore(open(), { reasoningMaxEntries: 10, reasoningTtlSeconds: 60 });
    await store.responses.claim("alice", ["resp_up1", "msg_up1", "msg_up1"], 100);
    // An upstream that repeats its ids: the second caller does not take the first one's.
    await store.responses.claim("bob", ["resp_up1", "resp_up2"], 5000);
    expect(await store.responses.owners(["resp_up1", "msg_up1", "resp_up2", "resp_none"])).toEqual(
      new Map([
        ["resp_up1", "alice"],
        ["msg_up1", "alice"],
        ["resp_up2", "bob"],
      ]),
    );
    expect(await store.responses.owners([])).toEqual(new Map());
    await store.responses.prune(1000);
    expect(await store.responses.owners(["resp_up1", "resp_up2"])).toEqual(new Map([["resp_up2", "bob"]]));
  });

  it("keeps the reasoning cache bounded, least recently used first", async () => {
    const store = new DataStore(open(), { reasoningMaxEntries: 3, reasoningTtlSeconds: 60 });
    for (let i = 0; i < 5; i++) await store.reasoning.put(`k${i}`, `v${i}`);
    expect(await store.reasoning.get("k4")).toBe("v4");
    await store.reasoning.put("k2", "v2b");
    await store.reasoning.trim();
    const db = await store.data.db();
    const { n } = await db
      .selectFrom("reasoning")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .executeTakeFirstOrThrow();
    expect(Number(n)).toBe(3);
    expect(await store.reasoning.get("k2")).toBe("v2b");
  });

  it("generates one envelope secret that every instance shares", async () => {
    const s1 = new DataStore(open(), { reasoningMaxEntries: 3, reasoningTtlSeconds: 60 });
    const s2 = new DataStore(open(), { reasoningMaxEntries: 3, reasoningTtlSeconds: 60 });
    const [a, b] = await Promise.all([s1.secret(), s2.secret()]);
    expect(a).toMatch(/^[\w-]{43}$/);
    expect(b).toBe(a);
  });
});
