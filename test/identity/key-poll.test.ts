/**
 * Keys changed on another instance (src/identity/minted.ts): every instance polls the store's `identity`
 * revision every second and drops the keys it remembered when it moved, so a change made on one instance is in
 * force on the others from their next poll. These tests wait for that poll (`KeyDirectory.nextPoll()`), not for
 * seconds a loaded machine could miss; the period itself is counted with fake timers. Across processes:
 * test/identity/two-instances.test.ts and test/many/three-instances.test.ts.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { Data } from "../../src/data/data.js";
import { KeyDirectory } from "../../src/identity/minted.js";
import { ENGINES, freshSqlite, type TestLocation } from "../support/engines.js";
import type { Harness } from "../support/gateway.js";
import { admin, chat, teamHarness } from "../support/team.js";

describe.each(ENGINES)("keys changed on another instance, on $engine", ({ fresh }) => {
  let where: TestLocation;
  let a: Harness;
  let b: Harness;
  beforeAll(async () => {
    where = await fresh();
    a = await teamHarness(where);
    b = await teamHarness(where);
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await where?.drop();
  });

  const polled = (h: Harness) => h.gateway.team!.directory.nextPoll();

  it("a key minted on A works on B; a change and a revocation made on A are in force on B from its next poll", async () => {
    const minted = await admin(a, "POST", "/keys", { name: "shared", models: ["via-openai-chat"] });
    expect(minted.status).toBe(201);
    const key: string = minted.body.key;
    b.mock.enqueue({ blocks: [{ type: "text", text: "on b" }] });
    expect((await chat(b, key, "via-openai-chat")).status).toBe(200);
    // B remembers the key with its allow-list.
    expect((await chat(b, key, "via-compat")).status).toBe(403);

    expect((await admin(a, "PATCH", `/keys/${minted.body.id}`, { models: ["via-*"] })).status).toBe(200);
    await polled(b);
    b.mock.enqueue({ blocks: [{ type: "text", text: "widened" }] });
    expect((await chat(b, key, "via-compat")).status).toBe(200);

    expect((await admin(a, "DELETE", `/keys/${minted.body.id}`)).status).toBe(200);
    await polled(b);
    const refused = await chat(b, key, "via-openai-chat");
    expect(refused.status).toBe(401);
    expect(refused.body.error.message).toContain("revoked");
  });
});

describe("the identity poll", () => {
  let where: TestLocation;
  let data: Data;
  beforeAll(async () => {
    where = await freshSqlite();
    data = new Data({ path: where.path });
    await data.db();
  });
  afterEach(() => {
    vi.useRealTimers();
  });
  afterAll(async () => {
    await data.close();
    await where.drop();
  });

  it("reads the revision every pollMs once a key was looked up; nextPoll() resolves after a poll that started after it", async () => {
    vi.useFakeTimers({ toFake: ["setInterval", "clearInterval"] });
    const dir = new KeyDirectory(data, undefined, 1000);
    const poll = vi.spyOn(dir as unknown as { poll(): Promise<void> }, "poll");
    vi.advanceTimersByTime(5_000);
    // Nothing is polled before the first lookup.
    expect(poll).not.toHaveBeenCalled();
    expect(await dir.resolve(`lx-${"A".repeat(43)}`)).toMatchObject({ refused: true });
    let done = false;
    const next = dir.nextPoll().then(() => {
      done = true;
    });
    vi.advanceTimersByTime(999);
    expect(poll).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(poll).toHaveBeenCalledTimes(1);
    await next;
    expect(done).toBe(true);
    vi.advanceTimersByTime(2_000);
    expect(poll).toHaveBeenCalledTimes(3);
    // Closed: a wait for a poll that will never come ends.
    const pending = dir.nextPoll();
    dir.close();
    await pending;
    vi.advanceTimersByTime(5_000);
    expect(poll).toHaveBeenCalledTimes(3);
  });
});
