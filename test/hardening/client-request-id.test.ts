/**
 * Row ids are llmux's own: a client that sends the same x-request-id on five paid requests leaves five ledger
 * rows and five request-log rows (its id kept beside them), so no one can hide spend behind a repeated id.
 * On SQLite and PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Data } from "../../src/data/data.js";
import { ENGINES, type TestLocation } from "../support/engines.js";
import type { Harness } from "../support/gateway.js";
import { ADMIN, call, sleep, teamHarness } from "../support/team.js";

describe.each(ENGINES)("the client's x-request-id on $engine", ({ fresh }) => {
  let where: TestLocation;
  let h: Harness;
  beforeAll(async () => {
    where = await fresh();
    h = await teamHarness(where);
  }, 30_000);
  afterAll(async () => {
    await h.close();
    await where.drop();
  });

  it("five paid requests with one client id leave five ledger rows and five request-log rows, under llmux's ids", async () => {
    const minted = await call(h.url, "POST", "/admin/v1/keys", ADMIN, { name: "repeats" });
    expect(minted.status).toBe(201);
    const answered: string[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await fetch(`${h.url}/v1/chat/completions`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          authorization: `Bearer ${minted.body.key}`,
          "x-request-id": "same-id",
        },
        body: JSON.stringify({ model: "via-openai-chat", messages: [{ role: "user", content: `turn ${i}` }] }),
      });
      expect(res.status).toBe(200);
      await res.arrayBuffer();
      answered.push(res.headers.get("x-request-id")!);
    }
    // Each request got an id of llmux's own, never the client's.
    expect(new Set(answered).size).toBe(5);
    expect(answered.every((id) => id.startsWith("req_"))).toBe(true);
    const data = new Data({ path: where.path, ...(where.url ? { url: where.url } : {}) });
    try {
      const db = await data.db();
      let ledger: { id: string; client_request_id: string | null }[] = [];
      let logged: { id: string; client_request_id: string | null }[] = [];
      for (let i = 0; i < 50 && (ledger.length < 5 || logged.length < 5); i++) {
        await sleep(100);
        ledger = await db
          .selectFrom("ledger")
          .select(["id", "client_request_id"])
          .where("key_id", "=", minted.body.id)
          .execute();
        logged = await db
          .selectFrom("request_log")
          .select(["id", "client_request_id"])
          .where("key_id", "=", minted.body.id)
          .execute();
      }
      expect(ledger.map((r) => r.id).sort()).toEqual([...answered].sort());
      expect(ledger.every((r) => r.client_request_id === "same-id")).toBe(true);
      expect(logged.map((r) => r.id).sort()).toEqual([...answered].sort());
      expect(logged.every((r) => r.client_request_id === "same-id")).toBe(true);
    } finally {
      await data.close();
    }
    // The admin API shows both ids.
    const listed = await call(h.url, "GET", `/admin/v1/requests?key_id=${minted.body.id}`, ADMIN);
    expect(
      listed.body.rows.filter((r: { client_request_id: string }) => r.client_request_id === "same-id"),
    ).toHaveLength(5);
    // The spend counts all five.
    const key = await call(h.url, "GET", `/admin/v1/keys/${minted.body.id}`, ADMIN);
    expect(key.body.spend_usd).toBeGreaterThan(0);
  });
});
