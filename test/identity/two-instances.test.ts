/**
 * Two llmux processes on one PostgreSQL database see each other's keys and revocations (at the other's next
 * poll of the identity revision; in-process, that poll is awaited: test/identity/key-poll.test.ts).
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type MockServer, startMockServer } from "../../src/mock/server.js";
import { freshPostgres, type TestLocation } from "../support/engines.js";
import { type Instance, startInstance, stopInstance } from "../support/instances.js";
import { ADMIN, call, chat, learnedElsewhere } from "../support/team.js";

describe("two llmux processes on one PostgreSQL", () => {
  let where: TestLocation;
  let mock: MockServer;
  let a: Instance | undefined;
  let b: Instance | undefined;
  beforeAll(async () => {
    where = await freshPostgres();
    mock = await startMockServer();
    const dir = mkdtempSync(join(tmpdir(), "llmux-two-"));
    const config = join(dir, "llmux.yaml");
    writeFileSync(
      config,
      JSON.stringify({
        store: { url: where.url },
        admin: { keys: [ADMIN] },
        logging: { pretty: false },
        providers: { up: { type: "openai", base_url: `${mock.url}/v1`, api_key: "oa-key", api: "chat" } },
        models: { "gpt-a": { provider: "up", model: "gpt-4.1" }, "gpt-b": { provider: "up", model: "gpt-4.1" } },
      }),
    );
    // Started together: both migrate the same empty database under the lock. Each start is waited for (its
    // "listening" line, or its exit), however loaded the machine (the helper's safety net is 60 s).
    [a, b] = await Promise.all([startInstance(config), startInstance(config)]);
  }, 150_000);
  afterAll(async () => {
    await Promise.all([stopInstance(a), stopInstance(b)]);
    await mock.close();
    await where.drop();
  });

  it("a key minted on one works on the other; changes and revocation on one reach the other at its next poll", async () => {
    const minted = await call(a!.url, "POST", "/admin/v1/keys", ADMIN, { name: "shared", models: ["gpt-a"] });
    expect(minted.status).toBe(201);
    const key: string = minted.body.key;
    mock.enqueue({ blocks: [{ type: "text", text: "from b" }] });
    const onB = await chat({ url: b!.url }, key, "gpt-a");
    expect(onB.status).toBe(200);
    expect((await chat({ url: b!.url }, key, "gpt-b")).status).toBe(403);

    // Listed by the other instance too.
    const listed = await call(b!.url, "GET", "/admin/v1/keys", ADMIN);
    expect(listed.body.data.map((k: { id: string }) => k.id)).toContain(minted.body.id);

    // A change of allow-list made on A reaches B (which remembered the key).
    await call(a!.url, "PATCH", `/admin/v1/keys/${minted.body.id}`, ADMIN, { models: ["gpt-*"] });
    await learnedElsewhere("the widened allow-list", async () => {
      mock.enqueue({ blocks: [{ type: "text", text: "b ok" }] });
      const r = await chat({ url: b!.url }, key, "gpt-b");
      if (r.status !== 200) mock.reset();
      return r.status === 200;
    });

    // Revoked on A: refused on B from its next poll.
    expect((await call(a!.url, "DELETE", `/admin/v1/keys/${minted.body.id}`, ADMIN)).status).toBe(200);
    await learnedElsewhere("the revocation", async () => {
      mock.enqueue({ blocks: [{ type: "text", text: "still" }] });
      const r = await chat({ url: b!.url }, key, "gpt-a");
      mock.reset();
      return r.status === 401;
    });
    expect((await chat({ url: a!.url }, key, "gpt-a")).status).toBe(401);
  });

  it("a key minted on B is seen by A, and neither process prints its secret", async () => {
    const minted = await call(b!.url, "POST", "/admin/v1/keys", ADMIN, { name: "from-b" });
    const onA = await call(a!.url, "GET", `/admin/v1/keys/${minted.body.id}`, ADMIN);
    expect(onA.body.name).toBe("from-b");
    expect(a!.output.join("") + b!.output.join("")).not.toContain(minted.body.key);
  });
});
