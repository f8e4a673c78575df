/**
 * A gateway without `auth.keys` is open until a key is minted — also when the key is minted by another
 * process on the same store (another instance, or `llmux keys create` on the store while llmux runs, as the
 * README's "team in four commands" and docs/teams.md's quick start do): it closes at its next identity poll
 * (every second; awaited here, not timed), on SQLite and on PostgreSQL. It once stayed open for good: minting
 * bumped no revision.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ENGINES, type TestLocation } from "../support/engines.js";
import type { Harness } from "../support/gateway.js";
import { admin, CHAT, call, chat, teamHarness } from "../support/team.js";

describe.each(ENGINES)("a key minted by another process on $engine", ({ fresh }) => {
  let where: TestLocation;
  let open: Harness;
  let other: Harness;
  beforeAll(async () => {
    where = await fresh();
    open = await teamHarness(where, { auth: { keys: [] } });
    other = await teamHarness(where, { auth: { keys: [] } });
  });
  afterAll(async () => {
    await open?.close();
    await other?.close();
    await where.drop();
  });

  const keyless = () => call(open.url, "POST", "/v1/chat/completions", undefined, CHAT("via-openai-chat"));

  it("closes a running gateway that was open: no key and unknown keys are refused, the new key served", async () => {
    expect((await keyless()).status).toBe(200);
    const minted = await admin(other, "POST", "/keys", { name: "first" });
    expect(minted.status).toBe(201);
    await open.gateway.team!.directory.nextPoll();
    const none = await keyless();
    expect(none.status).toBe(401);
    expect(none.body.error.message).toContain("No API key");
    expect((await chat(open, "sk-not-an-llmux-key", "via-openai-chat")).status).toBe(401);
    expect((await chat(open, minted.body.key, "via-openai-chat")).status).toBe(200);
  });
});
