/**
 * The documented status-line script (docs/clients/llmux-statusline.mjs), run as Claude Code runs it (the
 * session as JSON on stdin, the key in its environment) and as a Codex user would (--latest codex): the
 * line shows the session's cost and requests, and the budget left, as the self-service API reports them.
 */
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freshSqlite, type TestLocation } from "../support/engines.js";
import type { Harness } from "../support/gateway.js";
import { admin, call, teamHarness, within } from "../support/team.js";

const SCRIPT = join(import.meta.dirname, "../../docs/clients/llmux-statusline.mjs");

function run(args: string[], env: Record<string, string>, input: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      process.execPath,
      [SCRIPT, ...args],
      { env: { PATH: process.env.PATH ?? "", ...env }, timeout: 15_000 },
      (err, stdout) => (err ? reject(err) : resolve(stdout)),
    );
    child.stdin!.end(input);
  });
}

describe("the status-line script", () => {
  let where: TestLocation;
  let h: Harness;
  let key: string;
  const claudeSession = `c-${randomBytes(4).toString("hex")}`;
  beforeAll(async () => {
    where = await freshSqlite();
    h = await teamHarness(where, { prices: { "claude-sonnet-4-5": { input: 3000, output: 15000 } } });
    const minted = await admin(h, "POST", "/keys", { name: "dev", budget: { usd: 100, period: "month" } });
    key = minted.body.key;
    const send = (headers: Record<string, string>) =>
      fetch(`${h.url}/v1/messages`, {
        method: "POST",
        headers: {
          "x-api-key": key,
          "content-type": "application/json",
          "anthropic-version": "2023-06-01",
          ...headers,
        },
        body: JSON.stringify({ model: "via-anthropic", max_tokens: 100, messages: [{ role: "user", content: "hi" }] }),
      }).then((r) => r.text());
    for (let i = 0; i < 3; i++) await send({ "x-claude-code-session-id": claudeSession });
    await send({ session_id: "codex-session-1", originator: "codex_exec", "user-agent": "codex_exec/0.169.0" });
    expect(
      await within(
        10_000,
        async () => (await call(h.url, "GET", "/admin/v1/me/sessions", key)).body.rows?.length === 2,
      ),
    ).toBe(true);
  }, 30_000);
  afterAll(async () => {
    await h.close();
  });

  it("shows Claude Code's session from its stdin, and the budget left", async () => {
    const s = (await call(h.url, "GET", `/admin/v1/me/sessions/${claudeSession}`, key)).body;
    const me = (await call(h.url, "GET", "/admin/v1/me", key)).body;
    expect(s.cost_usd).toBeGreaterThan(0.01);
    const line = await run(
      [],
      { ANTHROPIC_BASE_URL: h.url, ANTHROPIC_API_KEY: key },
      JSON.stringify({
        session_id: claudeSession,
        model: { id: "claude-sonnet-4-5" },
      }),
    );
    expect(line).toBe(
      `llmux · session $${s.cost_usd.toFixed(2)} · 3 req · cache 0% · budget $${me.remaining_usd.toFixed(0)} left\n`,
    );
  });

  it("shows the latest Codex session with --latest codex", async () => {
    const line = await run(["--latest", "codex"], { LLMUX_URL: h.url, LLMUX_KEY: key }, "");
    expect(line).toMatch(/^llmux · session \$\d+\.\d\d · 1 req · cache 0% · budget \$\d+ left\n$/);
  });

  it("prints nothing with a wrong key (a status line stays quiet)", async () => {
    expect(await run([], { LLMUX_URL: h.url, LLMUX_KEY: "lx-wrong" }, "{}")).toBe("");
  });
});
