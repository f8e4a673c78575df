/** Minted keys and teams end to end, on SQLite and on PostgreSQL: allow-lists, revocation, expiry, rotation. */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { ENGINES, type TestLocation } from "../support/engines.js";
import type { Harness } from "../support/gateway.js";
import { admin, chat, SERVICE, teamHarness } from "../support/team.js";

describe.each(ENGINES)("minted keys on $engine", ({ fresh }) => {
  let where: TestLocation;
  let h: Harness;
  beforeAll(async () => {
    where = await fresh();
    h = await teamHarness(where);
  });
  afterAll(async () => {
    await h.close();
    await where.drop();
  });

  it("a team's key works on an allowed alias, gets 403 naming the model on another, 401 once revoked", async () => {
    const team = await admin(h, "POST", "/teams", { name: "platform", models: ["via-openai-*", "via-anthropic"] });
    expect(team.status).toBe(201);
    const minted = await admin(h, "POST", "/keys", {
      name: "alice-laptop",
      user: "alice",
      team_id: team.body.id,
      models: ["via-openai-chat", "via-compat"],
    });
    expect(minted.status).toBe(201);
    const key: string = minted.body.key;
    expect(key).toMatch(/^lx-[\w-]{43}$/);
    expect(key.startsWith(minted.body.prefix)).toBe(true);

    h.mock.enqueue({ blocks: [{ type: "text", text: "hello alice" }] });
    const ok = await chat(h, key, "via-openai-chat");
    expect(ok.status).toBe(200);
    expect(ok.body.choices[0].message.content).toBe("hello alice");

    // Allowed by the key, not by its team: refused, naming the model and both lists.
    const refused = await chat(h, key, "via-compat");
    expect(refused.status).toBe(403);
    expect(refused.body.error.message).toContain("'via-compat'");
    expect(refused.body.error.message).toContain("via-openai-chat");
    expect(refused.body.error.message).toContain("via-openai-*");
    expect(h.mock.requests.length).toBe(1);

    // Listed and shown without the secret.
    const list = await admin(h, "GET", `/keys?team_id=${team.body.id}`);
    expect(list.body.data.map((k: { id: string }) => k.id)).toEqual([minted.body.id]);
    expect(JSON.stringify(list.body)).not.toContain(key);
    const shown = await admin(h, "GET", `/keys/${minted.body.id}`);
    expect(shown.body).toMatchObject({ name: "alice-laptop", user: "alice", team_id: team.body.id, disabled: false });
    expect(shown.body.key).toBeUndefined();

    // The request log names the key, never the secret.
    const line = h.logs.find((l) => l.key === "alice-laptop");
    expect(line).toBeDefined();
    expect(JSON.stringify(h.logs)).not.toContain(key);

    expect((await admin(h, "DELETE", `/keys/${minted.body.id}`)).status).toBe(200);
    const gone = await chat(h, key, "via-openai-chat");
    expect(gone.status).toBe(401);
    expect((await admin(h, "GET", `/keys/${minted.body.id}`)).status).toBe(404);
    // Service keys from the config keep working.
    h.mock.enqueue({ blocks: [{ type: "text", text: "svc" }] });
    expect((await chat(h, SERVICE, "via-anthropic")).status).toBe(200);
  });

  it("a model that does not exist is answered with the models this key may use, not every model", async () => {
    const minted = await admin(h, "POST", "/keys", { name: "narrow", models: ["via-openai-chat", "via-compat"] });
    const upstreamBefore = h.mock.requests.length;
    const missing = await chat(h, minted.body.key, "gpt-9");
    expect(missing.status).toBe(404);
    expect(missing.body.error.message).toBe(
      "The model 'gpt-9' is not configured here. Models this API key may use: via-openai-chat, via-compat",
    );
    // A service key (no allow-list) is still offered every model.
    const all = await chat(h, SERVICE, "gpt-9");
    expect(all.body.error.message).toContain("Known models: ");
    expect(all.body.error.message).toContain("via-anthropic");
    expect(h.mock.requests.length).toBe(upstreamBefore);
  });

  it("disabling refuses a key and enabling restores it; a key without a team stands alone", async () => {
    const minted = await admin(h, "POST", "/keys", { name: "solo" });
    const key = minted.body.key;
    h.mock.enqueue({ blocks: [{ type: "text", text: "a" }] });
    expect((await chat(h, key, "via-compat")).status).toBe(200);
    expect((await admin(h, "PATCH", `/keys/${minted.body.id}`, { disabled: true })).body.disabled).toBe(true);
    const off = await chat(h, key, "via-compat");
    expect(off.status).toBe(401);
    expect(off.body.error.message).toMatch(/disabled/);
    await admin(h, "PATCH", `/keys/${minted.body.id}`, { disabled: false });
    h.mock.enqueue({ blocks: [{ type: "text", text: "b" }] });
    expect((await chat(h, key, "via-compat")).status).toBe(200);
  });

  it("a team's allow-list bounds its keys as it changes; rotating without grace ends the old secret at once", async () => {
    const team = await admin(h, "POST", "/teams", { name: "bounded", models: ["via-*"] });
    const minted = await admin(h, "POST", "/keys", { name: "member", team_id: team.body.id });
    h.mock.enqueue({ blocks: [{ type: "text", text: "a" }] });
    expect((await chat(h, minted.body.key, "via-compat")).status).toBe(200);
    await admin(h, "PATCH", `/teams/${team.body.id}`, { models: ["via-openai-chat"] });
    const narrowed = await chat(h, minted.body.key, "via-compat");
    expect(narrowed.status).toBe(403);
    expect(narrowed.body.error.message).toContain("via-openai-chat");
    const rotated = await admin(h, "POST", `/keys/${minted.body.id}/rotate`, {});
    expect((await chat(h, minted.body.key, "via-openai-chat")).status).toBe(401);
    h.mock.enqueue({ blocks: [{ type: "text", text: "b" }] });
    expect((await chat(h, rotated.body.key, "via-openai-chat")).status).toBe(200);
  });

  // Expiry and the rotation grace are read against the clock on every request: the clock is Vitest's (Date
  // only: timers and I/O run as they do), moved past the moment instead of waiting for it, so that neither a
  // slow request nor a busy machine decides the outcome.
  afterEach(() => {
    vi.useRealTimers();
  });

  it("an expired key gets 401", async () => {
    vi.useFakeTimers({ toFake: ["Date"], now: Date.now() });
    const expires = new Date(Date.now() + 60_000).toISOString();
    const minted = await admin(h, "POST", "/keys", { name: "short-lived", expires_at: expires });
    h.mock.enqueue({ blocks: [{ type: "text", text: "in time" }] });
    expect((await chat(h, minted.body.key, "via-openai-chat")).status).toBe(200);
    vi.setSystemTime(Date.parse(expires) - 1_000);
    h.mock.enqueue({ blocks: [{ type: "text", text: "still in time" }] });
    expect((await chat(h, minted.body.key, "via-openai-chat")).status).toBe(200);
    vi.setSystemTime(Date.parse(expires) + 1_000);
    const late = await chat(h, minted.body.key, "via-openai-chat");
    expect(late.status).toBe(401);
    expect(late.body.error.message).toMatch(/expired/);
  });

  it("rotation: the old key works during the grace period only, the new one from the start", async () => {
    vi.useFakeTimers({ toFake: ["Date"], now: Date.now() });
    const minted = await admin(h, "POST", "/keys", { name: "rotating" });
    const old = minted.body.key;
    h.mock.enqueue({ blocks: [{ type: "text", text: "1" }] });
    expect((await chat(h, old, "via-openai-chat")).status).toBe(200);
    const rotated = await admin(h, "POST", `/keys/${minted.body.id}/rotate`, { grace_s: 2 });
    expect(rotated.status).toBe(201);
    const fresh = rotated.body.key;
    expect(fresh).not.toBe(old);
    h.mock.enqueue({ blocks: [{ type: "text", text: "2" }] }, { blocks: [{ type: "text", text: "3" }] });
    expect((await chat(h, old, "via-openai-chat")).status).toBe(200);
    expect((await chat(h, fresh, "via-openai-chat")).status).toBe(200);
    vi.setSystemTime(Date.now() + 2_000);
    const after = await chat(h, old, "via-openai-chat");
    expect(after.status).toBe(401);
    expect(after.body.error.message).toMatch(/rotated/);
    h.mock.enqueue({ blocks: [{ type: "text", text: "4" }] });
    expect((await chat(h, fresh, "via-openai-chat")).status).toBe(200);
  });

  it("Cursor gets a 403 that says what to fix for a revoked key", async () => {
    const minted = await admin(h, "POST", "/keys", { name: "cursor-user" });
    await admin(h, "DELETE", `/keys/${minted.body.id}`);
    const res = await fetch(`${h.url}/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${minted.body.key}`, "content-type": "application/json" },
      body: JSON.stringify({
        model: "via-openai-chat",
        stream: true,
        metadata: { cursorConversationId: "c1" },
        messages: [{ role: "user", content: "x" }],
      }),
    });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/revoked|not a valid/);
  });
});
