/**
 * Closed means closed: a gateway without `auth.keys` is closed once a key is minted, and its start line says
 * so instead of "any local client may call llmux" or (bound beyond loopback) "NO AUTH". Both engines.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { start } from "../../src/cli/start.js";
import { accessLine } from "../../src/server/access.js";
import { ENGINES, type TestLocation } from "../support/engines.js";
import { ADMIN, call, MASTER } from "../support/team.js";

async function startOnce(
  cwd: string,
  host: string,
): Promise<{ lines: string; url: string; stop: () => Promise<void> }> {
  const lines: string[] = [];
  const sink = new Writable({
    write(c: Buffer, _e, cb) {
      lines.push(c.toString());
      cb();
    },
  });
  const gateway = await start({ port: 0, host, cwd }, {}, pino({ level: "info" }, sink));
  const port = (gateway.server.address() as AddressInfo).port;
  return { lines: lines.join(""), url: `http://127.0.0.1:${port}`, stop: () => gateway.close() };
}

describe.each(ENGINES)("a gateway of minted keys is closed, and says so at start ($engine)", ({ fresh }) => {
  let where: TestLocation;
  let cwd: string;
  beforeAll(async () => {
    where = await fresh();
    cwd = mkdtempSync(join(tmpdir(), "llmux-closed-"));
    const store = where.url ? { url: where.url } : { path: where.path };
    writeFileSync(
      join(cwd, "llmux.yaml"),
      JSON.stringify({
        store,
        admin: { keys: [ADMIN] },
        secrets: { master_key: MASTER },
        providers: { mock: { type: "mock" } },
        models: { m: { provider: "mock" } },
      }),
    );
  });
  afterAll(() => where?.drop());

  it("open before the first key (NO AUTH beyond loopback), closed after it: no 'NO AUTH', no 'any local client'", async () => {
    const before = await startOnce(cwd, "0.0.0.0");
    try {
      expect(before.lines).toMatch(/NO AUTH: llmux is bound to 0\.0\.0\.0/);
      expect(before.lines).toContain("llmux keys create");
      const minted = await call(before.url, "POST", "/admin/v1/keys", ADMIN, { name: "alice-laptop", user: "alice" });
      expect(minted.status, JSON.stringify(minted.body)).toBe(201);
    } finally {
      await before.stop();
    }

    for (const host of ["0.0.0.0", "127.0.0.1"]) {
      const after = await startOnce(cwd, host);
      try {
        expect(after.lines).not.toContain("NO AUTH");
        expect(after.lines).not.toContain("any local client");
        expect(after.lines).toContain("access: minted keys only");
        // The line tells the truth: a caller without a key is refused.
        const refused = await call(after.url, "POST", "/v1/chat/completions", undefined, {
          model: "m",
          messages: [{ role: "user", content: "hi" }],
        });
        expect(refused.status).toBe(401);
      } finally {
        await after.stop();
      }
    }
  }, 60_000);
});

describe("the access line", () => {
  it("names sign-in and service keys as authentication, warns only for an open gateway beyond loopback", () => {
    expect(accessLine("signin", "0.0.0.0")).toMatchObject({ warn: false });
    expect(accessLine("signin", "0.0.0.0").text).toContain("signed in");
    expect(accessLine("keys", "0.0.0.0").warn).toBe(false);
    expect(accessLine("open", "127.0.0.1")).toMatchObject({ warn: false });
    expect(accessLine("open", "0.0.0.0")).toMatchObject({ warn: true });
  });
});
