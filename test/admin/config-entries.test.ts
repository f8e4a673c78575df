/**
 * Models and providers changed at runtime (issue 46, item 1), on both engines: three gateways on one database,
 * an alias added through the admin API on one serves on all three at their next poll (0.5 s); a bad entry is refused with the
 * field named; a roll-back restores the earlier merged configuration exactly; a deployment removed mid-stream
 * lets the stream finish; a stored provider's credential is in no answer, audit row or log line.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chatSseText, readRest } from "../support/chat-sse.js";
import { ENGINES, type TestLocation } from "../support/engines.js";
import type { Harness } from "../support/gateway.js";
import { ADMIN, admin, call, polledEverywhere, SERVICE, teamHarness } from "../support/team.js";

const PLANTED = "sk-planted-secret-4f9a1c0e7b";

describe.each(ENGINES)("models and providers at runtime ($engine)", ({ fresh }) => {
  let where: TestLocation;
  let hs: Harness[] = [];

  beforeAll(async () => {
    where = await fresh();
    hs = [];
    for (let i = 0; i < 3; i++) hs.push(await teamHarness(where));
  }, 60_000);

  afterAll(async () => {
    for (const h of hs) await h.close();
    await where?.drop();
  });

  const ask = (h: Harness, model: string, stream = false) =>
    fetch(`${h.url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${SERVICE}`, "content-type": "application/json" },
      body: JSON.stringify({ model, stream, messages: [{ role: "user", content: "hi" }] }),
    });

  it("an alias added through the API serves on all three instances from their next poll; removing it restores the file's", async () => {
    const [a] = hs as [Harness];
    for (const h of hs) expect((await ask(h, "team-fast")).status).toBe(404);
    const put = await admin(a, "PUT", "/config/models/team-fast", { provider: "openai-chat", model: "gpt-4.1-mini" });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    expect(put.body).toMatchObject({ kind: "models", name: "team-fast", source: "stored", overrides_file: false });
    // The instance that wrote it serves it as soon as it answered; the others from their next poll (every 0.5 s).
    expect((await ask(a, "team-fast")).status).toBe(200);
    await polledEverywhere(hs, "config");
    for (const h of hs) expect((await ask(h, "team-fast")).status).toBe(200);
    // An override of the file's alias, then removed: the file's is in force again.
    const over = await admin(a, "PUT", "/config/models/via-openai-chat", { provider: "anthropic", model: "claude-x" });
    expect(over.body).toMatchObject({ source: "stored", overrides_file: true });
    const list = await admin(a, "GET", "/config");
    expect(list.body.models.find((m: { name: string }) => m.name === "via-gemini")).toMatchObject({
      source: "llmux.yaml",
      version: null,
    });
    const del = await admin(a, "DELETE", "/config/models/via-openai-chat");
    expect(del.body).toMatchObject({ deleted: true, restored: true });
    expect((await admin(a, "GET", "/config/models/via-openai-chat")).body).toMatchObject({ source: "llmux.yaml" });
    expect((await admin(a, "DELETE", "/config/models/via-gemini")).status).toBe(409);
  });

  it("a bad entry is refused with the field named, and nothing of it applied", async () => {
    const [a] = hs as [Harness];
    const before = await admin(a, "GET", "/config");
    const unknown = await admin(a, "PUT", "/config/models/broken", { provider: "nowhere" });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error).toMatchObject({ field: "models.broken.provider" });
    expect(unknown.body.error.message).toContain("no provider named 'nowhere'");
    const badType = await admin(a, "PUT", "/config/providers/odd", { type: "openai", base_url: "not a url" });
    expect(badType.status).toBe(400);
    expect(badType.body.error.field).toBe("providers.odd.base_url");
    const fallback = await admin(a, "PUT", "/config/models/fb", { provider: "anthropic", fallbacks: ["ghost"] });
    expect(fallback.body.error.field).toBe("models.fb.fallbacks.0");
    expect((await admin(a, "GET", "/config")).body).toEqual(before.body);
    expect((await ask(a, "broken")).status).toBe(404);
    // A routing rule may name a stored alias; that alias cannot then be removed from under it.
    await admin(a, "PUT", "/config/models/ruled", { provider: "anthropic", model: "claude-haiku-4-5" });
    const rules = await admin(a, "POST", "/routing/rules", { rules: [{ name: "r", match: {}, route: "ruled" }] });
    expect(rules.status, JSON.stringify(rules.body)).toBe(200);
    const orphan = await admin(a, "DELETE", "/config/models/ruled");
    expect(orphan.status).toBe(400);
    expect(orphan.body.error.field).toBe("routing.rules.0.route");
    expect((await admin(a, "POST", "/routing/rules", { rules: [] })).status).toBe(200);
    expect((await admin(a, "DELETE", "/config/models/ruled")).status).toBe(200);
  });

  it("a roll-back restores the earlier version exactly (the merged configuration, deep-equal)", async () => {
    const [a, b] = hs as [Harness, Harness];
    await admin(a, "PUT", "/config/models/rb-one", { provider: "openai-chat", model: "m1" });
    const then = await admin(a, "GET", "/config");
    const v = then.body.version as number;
    await admin(a, "PUT", "/config/models/rb-one", { provider: "anthropic", model: "m2", max_tokens: 100 });
    await admin(a, "PUT", "/config/models/rb-two", { provider: "gemini", model: "m3" });
    await admin(a, "DELETE", "/config/models/team-fast");
    const back = await admin(a, "POST", "/config/rollback", { version: v });
    expect(back.status, JSON.stringify(back.body)).toBe(200);
    // The merged configuration: every entry, where it comes from and its settings (the version that set it moves).
    const merged = (b: { providers: object[]; models: object[] }) =>
      [...b.providers, ...b.models].map(({ version: _v, ...rest }: { version?: number }) => rest);
    const now = back.body.version as number;
    expect(now).toBeGreaterThan(v);
    expect(merged(back.body)).toEqual(merged(then.body));
    const history = await admin(a, "GET", "/config/history?limit=3");
    expect(history.body.data[0]).toMatchObject({ version: now, what: `rollback to ${v}`, actor: expect.any(String) });
    await polledEverywhere([b], "config");
    expect((await ask(b, "team-fast")).status).toBe(200);
    expect((await admin(a, "POST", "/config/rollback", { version: 10_000 })).body.error.field).toBe("version");
  });

  it("a deployment removed mid-stream lets the stream finish on what it started with", async () => {
    const [a] = hs as [Harness];
    await admin(a, "PUT", "/config/models/streamer", {
      deployments: [{ provider: "openai-chat", model: "gpt-4.1", name: "only" }],
    });
    a.mock.enqueue({ blocks: [{ type: "text", text: "word ".repeat(200) }], chunkDelayMs: 10 });
    const res = await ask(a, "streamer", true);
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    const first = await reader.read();
    expect(first.done).toBe(false);
    const gone = await admin(a, "PUT", "/config/models/streamer", {
      deployments: [{ provider: "anthropic", model: "claude-other", name: "other" }],
    });
    expect(gone.status).toBe(200);
    expect((await admin(a, "DELETE", "/config/models/streamer")).status).toBe(200);
    let text = new TextDecoder().decode(first.value);
    text = await readRest(reader, text);
    expect(text).toContain("[DONE]");
    const said = chatSseText(text);
    expect(said).toBe("word ".repeat(200));
    expect((await ask(a, "streamer")).status).toBe(404);
  });

  it("a stored provider's credential is sealed: in no answer, audit row or log line, and used upstream", async () => {
    const [a, b] = hs as [Harness, Harness];
    const put = await admin(a, "PUT", "/config/providers/planted", {
      type: "openai",
      base_url: `${a.mock.url}/v1`,
      api: "chat",
      api_key: PLANTED,
    });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    expect(put.body.settings.api_key).toBe("[sealed]");
    // Written back as read ("[sealed]" keeps the stored value), with another setting changed.
    const again = await admin(a, "PUT", "/config/providers/planted", { ...put.body.settings, timeout_ms: 60_000 });
    expect(again.status, JSON.stringify(again.body)).toBe(200);
    await admin(a, "PUT", "/config/models/planted-model", { provider: "planted", model: "gpt-4.1" });
    await polledEverywhere([b], "config");
    expect((await ask(b, "planted-model")).status).toBe(200);
    const upstream = a.mock.requests.at(-1)!;
    expect(upstream.headers.authorization).toBe(`Bearer ${PLANTED}`);
    // A refused change that carries it: refused, and its words do not show it.
    const refused = await admin(a, "PUT", "/config/providers/planted", { type: "openai", api_key: PLANTED, bad: 1 });
    expect(refused.status).toBe(400);
    const answers = [
      put.body,
      again.body,
      refused.body,
      (await admin(a, "GET", "/config")).body,
      (await admin(a, "GET", "/config/providers/planted")).body,
      (await admin(a, "GET", "/config/history")).body,
      (await call(a.url, "GET", "/admin/v1/audit?limit=500", ADMIN)).body,
    ];
    for (const x of answers) expect(JSON.stringify(x)).not.toContain(PLANTED);
    const audit = (await call(a.url, "GET", "/admin/v1/audit?action=config.providers.put", ADMIN)).body;
    expect(audit.rows.length).toBeGreaterThanOrEqual(3);
    for (const h of hs) expect(JSON.stringify(h.logs)).not.toContain(PLANTED);
  });
});
