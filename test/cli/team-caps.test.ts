/**
 * `llmux teams caps TEAM …` against a running team gateway: shows none, sets caps (those given change, the
 * others stay), refuses a wrong value naming the option, and --clear removes them.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import type { CommandInput } from "../../src/cli/command.js";
import { start } from "../../src/cli/start.js";
import { teamCapsCommand } from "../../src/cli/team-caps.js";
import type { Gateway } from "../../src/server/gateway.js";
import { freePort } from "../support/free-port.js";
import { ADMIN, call, MASTER } from "../support/team.js";

let printed = "";
let errors = "";
beforeAll(() => {
  vi.spyOn(process.stdout, "write").mockImplementation((c: string | Uint8Array) => {
    printed += String(c);
    return true;
  });
  vi.spyOn(process.stderr, "write").mockImplementation((c: string | Uint8Array) => {
    errors += String(c);
    return true;
  });
});
afterEach(() => {
  printed = "";
  errors = "";
});
afterAll(() => vi.restoreAllMocks());

describe("llmux teams caps", () => {
  let dir: string;
  let gateway: Gateway;
  let url: string;
  let teamId: string;
  const caps = (values: Record<string, unknown>) =>
    teamCapsCommand.run!({
      values: { url, "admin-key": ADMIN, ...values },
      args: ["platform"],
      env: {},
    } as unknown as CommandInput);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "llmux-caps-"));
    const port = await freePort();
    const config = join(dir, "llmux.yaml");
    writeFileSync(
      config,
      JSON.stringify({
        server: { port },
        store: { path: join(dir, "llmux.db") },
        admin: { keys: [ADMIN] },
        secrets: { master_key: MASTER },
        providers: { mock: { type: "mock" } },
        models: { m: { provider: "mock" } },
      }),
    );
    gateway = await start({ config, port, host: "127.0.0.1" }, {}, pino({ level: "silent" }));
    url = `http://127.0.0.1:${port}`;
    teamId = (
      (await call(url, "POST", "/admin/v1/teams", ADMIN, { name: "platform", models: ["m*"] })).body as {
        id: string;
      }
    ).id;
  });
  afterAll(async () => {
    await gateway?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("shows none, sets some, changes one keeping the others, and clears them", async () => {
    await caps({});
    expect(printed).toContain("no caps: members mint no keys of their own");
    await caps({ "budget-usd": "20", "max-keys": "3", models: "m, m2", members: "@example.com" });
    await caps({ "budget-usd": "25" });
    const shown = await call(url, "GET", `/admin/v1/teams/${teamId}/member-caps`, ADMIN);
    expect((shown.body as { caps: unknown }).caps).toEqual({
      budget_usd: 25,
      max_keys: 3,
      models: ["m", "m2"],
      members: ["@example.com"],
    });
    expect(printed).toMatch(/budget_usd\s+25/);
    await expect(caps({ "max-keys": "two" })).rejects.toThrow("--max-keys must be a whole number ≥ 0, got 'two'");
    expect(await caps({ models: "gpt-*" })).not.toBe(0);
    expect(errors).toContain("400: models: 'gpt-*' is not within team platform's models (m*)");
    await caps({ clear: true });
    expect(
      ((await call(url, "GET", `/admin/v1/teams/${teamId}/member-caps`, ADMIN)).body as { caps: unknown }).caps,
    ).toBe(null);
  });
});
