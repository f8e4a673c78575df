/**
 * A client that leaves while its key is being looked up in PostgreSQL is over: the request is settled as
 * aborted when the lookup returns, not held until server.body_timeout_ms and then logged as a 408. The lookup
 * is held by another connection's lock on the keys table for as long as the test wants. (On SQLite a lookup
 * is one synchronous read: a client cannot leave during it.)
 */

import { request } from "node:http";
import { createRequire } from "node:module";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freshPostgres, type TestLocation } from "../support/engines.js";
import { eventually, type Harness } from "../support/gateway.js";
import { admin, sleep, teamHarness } from "../support/team.js";

const require = createRequire(import.meta.url);

describe("a client that leaves while its key is looked up (PostgreSQL)", () => {
  let where: TestLocation;
  let h: Harness;
  let locker: import("pg").Client;
  beforeAll(async () => {
    where = await freshPostgres();
    h = await teamHarness(where, { server: { body_timeout_ms: 1500 } });
    const pg = require("pg") as typeof import("pg");
    locker = new pg.Client({ connectionString: where.url });
    await locker.connect();
  });
  afterAll(async () => {
    await locker.end().catch(() => undefined);
    await h.close();
    await where.drop();
  });

  it("is settled as aborted once the lookup returns, never as a 408", async () => {
    const minted = await admin(h, "POST", "/keys", { name: "leaver" });
    expect(minted.status).toBe(201);
    await locker.query("begin");
    await locker.query("lock table api_keys in access exclusive mode");
    const body = JSON.stringify({ model: "via-openai-chat", messages: [{ role: "user", content: "hi" }] });
    const req = request(`${h.url}/v1/chat/completions`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${minted.body.key}`,
        "content-type": "application/json",
        "content-length": Buffer.byteLength(body),
        "x-request-id": "leaver-1",
      },
    });
    req.on("error", () => undefined);
    req.end(body);
    // The request waits on the lock; the client gives up and leaves.
    await sleep(400);
    req.destroy();
    await sleep(200);
    await locker.query("commit");
    const line = await eventually(() => h.logs.find((l) => l.client_request_id === "leaver-1"), 5000);
    expect(line.outcome).toBe("aborted");
    expect(line.status).not.toBe(408);
    expect(h.mock.requests.length).toBe(0);
  });
});
