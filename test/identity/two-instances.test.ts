/** Two llmux processes on one PostgreSQL database see each other's keys and revocations (within 2 s). */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type MockServer, startMockServer } from "../../src/mock/server.js";
import { BIN } from "../cli/run.js";
import { freshPostgres, type TestLocation } from "../support/engines.js";
import { ADMIN, call, chat, within } from "../support/team.js";

interface Instance {
  url: string;
  child: ChildProcess;
  output: string[];
}

function startInstance(config: string): Promise<Instance> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, "start", "--config", config, "--port", "0"], {
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const output: string[] = [];
    const timer = setTimeout(() => reject(new Error(`llmux did not start: ${output.join("")}`)), 15_000);
    const onData = (b: Buffer) => {
      output.push(b.toString());
      const m = /listening on (http:\/\/[\d.:]+)/.exec(output.join(""));
      if (m) {
        clearTimeout(timer);
        resolve({ url: m[1]!, child, output });
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.once("exit", (code) => reject(new Error(`llmux exited ${code}: ${output.join("")}`)));
  });
}

function stop(i: Instance | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (!i || i.child.exitCode !== null) return resolve();
    i.child.once("exit", () => resolve());
    i.child.kill("SIGTERM");
  });
}

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
    // Started together: both migrate the same empty database under the lock.
    [a, b] = await Promise.all([startInstance(config), startInstance(config)]);
  }, 40_000);
  afterAll(async () => {
    await Promise.all([stop(a), stop(b)]);
    await mock.close();
    await where.drop();
  });

  it("a key minted on one works on the other; changes and revocation on one reach the other within 2 s", async () => {
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
    const widened = await within(2000, async () => {
      mock.enqueue({ blocks: [{ type: "text", text: "b ok" }] });
      const r = await chat({ url: b!.url }, key, "gpt-b");
      if (r.status !== 200) mock.reset();
      return r.status === 200;
    });
    expect(widened).toBe(true);

    // Revoked on A: refused on B within 2 s.
    expect((await call(a!.url, "DELETE", `/admin/v1/keys/${minted.body.id}`, ADMIN)).status).toBe(200);
    const refused = await within(2000, async () => {
      mock.enqueue({ blocks: [{ type: "text", text: "still" }] });
      const r = await chat({ url: b!.url }, key, "gpt-a");
      mock.reset();
      return r.status === 401;
    });
    expect(refused).toBe(true);
    expect((await chat({ url: a!.url }, key, "gpt-a")).status).toBe(401);
  });

  it("a key minted on B is seen by A, and neither process prints its secret", async () => {
    const minted = await call(b!.url, "POST", "/admin/v1/keys", ADMIN, { name: "from-b" });
    const onA = await call(a!.url, "GET", `/admin/v1/keys/${minted.body.id}`, ADMIN);
    expect(onA.body.name).toBe("from-b");
    expect(a!.output.join("") + b!.output.join("")).not.toContain(minted.body.key);
  });
});
