/**
 * A process killed with SIGKILL while streams are in flight: the next process on the same journal directory
 * and database bills every admitted request, once: the completed ones as they settled, the ones cut by the
 * kill as aborted, at the estimate their admission reserved, marked estimated. The real `llmux start` runs
 * as child processes, on SQLite and PostgreSQL.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Data } from "../../src/data/data.js";
import { ENGINES, type TestLocation } from "../support/engines.js";
import { type Instance, startInstance, stopInstance, writeConfig } from "../support/instances.js";
import { call } from "../support/team.js";

const ADMIN = "admin-key-0123456789abcdef";

/** An upstream that answers "fast" at once and streams anything else for minutes. */
async function upstream(): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (b: Buffer) => {
      body += b.toString();
    });
    req.on("end", async () => {
      const fast = body.includes('"fast"');
      res.writeHead(200, { "content-type": "text/event-stream" });
      const chunk = (delta: object, finish: string | null = null, usage?: object) =>
        `data: ${JSON.stringify({ id: "c1", object: "chat.completion.chunk", created: 1, model: "gpt-4.1", choices: [{ index: 0, delta, finish_reason: finish }], ...(usage ? { usage } : {}) })}\n\n`;
      res.write(chunk({ role: "assistant", content: "" }));
      for (let i = 0; i < (fast ? 1 : 3000) && !res.destroyed; i++) {
        if (!fast) await new Promise((r) => setTimeout(r, 50));
        res.write(chunk({ content: `piece ${i}. ` }));
      }
      res.write(chunk({}, "stop", { prompt_tokens: 10, completion_tokens: 3, total_tokens: 13 }));
      res.end("data: [DONE]\n\n");
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

describe.each(ENGINES)("a process killed with streams in flight, on $engine", ({ fresh }) => {
  let where: TestLocation;
  let up: { url: string; server: Server };
  let config: string;
  const started: Instance[] = [];

  beforeAll(async () => {
    where = await fresh();
    up = await upstream();
    config = writeConfig({
      store: where.url ? { url: where.url } : { path: where.path },
      billing: { spool_dir: mkdtempSync(join(tmpdir(), "llmux-spool-")) },
      admin: { keys: [ADMIN] },
      secrets: { master_key: "master-key-for-tests-0123456789" },
      logging: { pretty: false },
      providers: { up: { type: "openai", base_url: `${up.url}/v1`, api_key: "oa-key", api: "chat" } },
      models: { gpt: { provider: "up", model: "gpt-4.1" } },
    });
  }, 60_000);

  afterAll(async () => {
    for (const i of started) await stopInstance(i);
    up?.server.closeAllConnections();
    await new Promise((r) => up?.server.close(r));
    await where?.drop();
  });

  it("the next process bills each admitted request once: completed ones as settled, cut ones aborted at the estimate", async () => {
    const first = await startInstance(config);
    started.push(first);
    const minted = await call(first.url, "POST", "/admin/v1/keys", ADMIN, {
      name: `k-${randomBytes(3).toString("hex")}`,
      models: ["gpt"],
      budget: { usd: 100, period: "month" },
    });
    expect(minted.status).toBe(201);
    const key = minted.body.key as string;
    const keyId = minted.body.id as string;
    const send = (content: string) =>
      fetch(`${first.url}/v1/chat/completions`, {
        method: "POST",
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
        body: JSON.stringify({ model: "gpt", stream: true, messages: [{ role: "user", content }] }),
      });
    // Two requests that complete; then three streams, each open until its first piece has arrived.
    for (const content of ["fast", "fast"]) {
      const r = await send(content);
      expect(r.status).toBe(200);
      expect(await r.text()).toContain("[DONE]");
    }
    const open = await Promise.all(
      [1, 2, 3].map(async () => {
        const r = await send("slow");
        expect(r.status).toBe(200);
        const reader = r.body!.getReader();
        let seen = "";
        while (!seen.includes("piece 0")) {
          const { value, done } = await reader.read();
          if (done) break;
          seen += new TextDecoder().decode(value);
        }
        return reader;
      }),
    );
    const exited = new Promise((r) => first.child.once("exit", r));
    first.child.kill("SIGKILL");
    await exited;
    for (const reader of open) await reader.cancel().catch(() => undefined);

    started.push(await startInstance(config));
    const data = new Data({ path: where.path, ...(where.url ? { url: where.url } : {}) });
    try {
      const rows = async () =>
        (await (await data.db()).selectFrom("ledger").selectAll().where("key_id", "=", keyId).execute()).sort((a, b) =>
          a.outcome.localeCompare(b.outcome),
        );
      const end = Date.now() + 20_000;
      while ((await rows()).length < 5 && Date.now() < end) await new Promise((r) => setTimeout(r, 200));
      const ledger = await rows();
      expect(ledger.map((r) => r.outcome)).toEqual(["aborted", "aborted", "aborted", "ok", "ok"]);
      expect(new Set(ledger.map((r) => r.id)).size).toBe(5);
      for (const r of ledger.filter((x) => x.outcome === "aborted")) {
        expect(Number(r.estimated)).toBe(1);
        expect(Number(r.cost_nanos)).toBeGreaterThan(0);
        expect(r.model).toBe("gpt-4.1");
      }
      for (const r of ledger.filter((x) => x.outcome === "ok")) {
        expect(Number(r.estimated)).toBe(0);
        expect(Number(r.output_tokens)).toBe(3);
      }
      const log = await (await data.db()).selectFrom("request_log").selectAll().where("key_id", "=", keyId).execute();
      expect(log.map((r) => r.outcome).sort()).toEqual(["aborted", "aborted", "aborted", "ok", "ok"]);
      expect(log.filter((r) => r.outcome === "aborted").every((r) => Number(r.estimated) === 1)).toBe(true);
    } finally {
      await data.close();
    }
  }, 90_000);
});
