/**
 * The stored configuration is read whole: a change committed while an instance reads it is either all in what
 * it reads (with its version) or not at all (with the version before), on SQLite and PostgreSQL. Read as
 * entries first and version after, a change between the two reads gave the new version with the old entries,
 * and the instance that put it in force never read that version again (a deployment added through the API
 * missing on one instance of three).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appendConfigChanges, configEntriesAt } from "../../src/data/config-entries.js";
import { Data } from "../../src/data/data.js";
import { ENGINES, type TestLocation } from "../support/engines.js";

describe.each(ENGINES)("the stored configuration read while it changes ($engine)", ({ fresh }) => {
  let where: TestLocation;
  let data: Data;
  beforeAll(async () => {
    where = await fresh();
    data = new Data(where);
  });
  afterAll(async () => {
    await data.close();
    await where.drop();
  });

  const model = (name: string) => ({ kind: "models" as const, name, body: { provider: "mock", model: name } });

  it("a change committed between the reads is not half seen: the version read is the entries' own", async () => {
    const first = await appendConfigChanges(data, undefined, [model("alpha")], "test", "alpha");
    // The data layer as the reader sees it: at its second use (between its two reads), another instance
    // commits a change.
    let uses = 0;
    let committed: number | undefined;
    const racing = {
      db: async () => {
        if (++uses === 2) committed = await appendConfigChanges(data, undefined, [model("beta")], "other", "beta");
        return data.db();
      },
    } as unknown as Data;
    const read = await configEntriesAt(racing, undefined);
    expect(committed).toBe(first + 1);
    const names = read.entries.map((e) => e.name).sort();
    // Whole: the version before with its entries, or the new one with both.
    if (read.version === first) expect(names).toEqual(["alpha"]);
    else expect([read.version, names]).toEqual([committed, ["alpha", "beta"]]);
    // And the next read has the change.
    const next = await configEntriesAt(data, undefined);
    expect([next.version, next.entries.map((e) => e.name).sort()]).toEqual([committed, ["alpha", "beta"]]);
  });
});
