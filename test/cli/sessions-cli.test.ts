/** `llmux sessions`: the list and one session's agent tree, through a running server (--url). */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freshSqlite, type TestLocation } from "../support/engines.js";
import type { Harness } from "../support/gateway.js";
import { ADMIN, call, teamHarness, within } from "../support/team.js";
import { llmux } from "./run.js";

describe("llmux sessions", { timeout: 120_000 }, () => {
  let where: TestLocation;
  let h: Harness;
  beforeAll(async () => {
    where = await freshSqlite();
    h = await teamHarness(where);
    const minted = await call(h.url, "POST", "/admin/v1/keys", ADMIN, { name: "dev" });
    const send = (headers: Record<string, string>) =>
      fetch(`${h.url}/v1/chat/completions`, {
        method: "POST",
        headers: { authorization: `Bearer ${minted.body.key}`, "content-type": "application/json", ...headers },
        body: JSON.stringify({ model: "via-openai-chat", messages: [{ role: "user", content: "hi" }] }),
      }).then((r) => r.text());
    await send({ "llmux-session": "cli-session-1" });
    await send({ "llmux-session": "cli-session-1", "llmux-agent": "helper-1" });
    await send({ "llmux-session": "cli-session-2" });
    expect(
      await within(10_000, async () => (await call(h.url, "GET", "/admin/v1/sessions", ADMIN)).body.rows?.length === 2),
    ).toBe(true);
  });
  afterAll(async () => {
    await h.close();
    await where.drop();
  });

  it("lists the sessions as a table", async () => {
    const r = await llmux(["sessions", "--url", h.url, "--sort", "recent"], { LLMUX_ADMIN_KEY: ADMIN });
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split("\n");
    expect(lines[0]).toMatch(/^id\s+tool\s+key_name/);
    expect(lines[1]).toMatch(/^cli-session-2\s/);
    expect(lines[2]).toMatch(/^cli-session-1\s+-\s+dev\s/);
  });

  it("shows one session with its agents indented under the main agent", async () => {
    const r = await llmux(["sessions", "cli-session-1", "--url", h.url], { LLMUX_ADMIN_KEY: ADMIN });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^cli-session-1\s.*\s2\s+0\s/m);
    expect(r.stdout).toMatch(/^Agents\nagent\s+requests/m);
    expect(r.stdout).toMatch(/^\(main\)\s+1\s/m);
    expect(r.stdout).toMatch(/^ {2}helper-1\s+1\s/m);
    const json = JSON.parse(
      (await llmux(["sessions", "cli-session-1", "--url", h.url, "--json"], { LLMUX_ADMIN_KEY: ADMIN })).stdout,
    );
    expect(json.requests).toBe(2);
  });

  it("names a session that does not exist, and refuses an unknown order", async () => {
    const r = await llmux(["sessions", "nope", "--url", h.url], { LLMUX_ADMIN_KEY: ADMIN });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/404/);
    const bad = await llmux(["sessions", "--sort", "colour"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--sort must be cost or recent/);
  });
});
