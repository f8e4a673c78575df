/**
 * A deployment of a model alias as a resource of its own (issue 46, item 1), on both engines: three gateways
 * on one database; a deployment added through /admin/v1/config/models/{alias}/deployments/{name} on one serves
 * on all three at their next poll (every 0.5 s); a bad one is refused with the field named (by the deployment's name) and nothing
 * applied; a roll-back restores the earlier deployments exactly; a deployment removed mid-stream lets the
 * stream finish. The alias `team-pool` is llmux.yaml's, its one deployment behind a TCP proxy the test has cut
 * (every call to it fails to connect): a request to it is answered only by a deployment added at runtime.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chatSseText, readRest } from "../support/chat-sse.js";
import { ENGINES, type TestLocation } from "../support/engines.js";
import type { Harness } from "../support/gateway.js";
import { type TcpProxy, tcpProxy } from "../support/tcp-proxy.js";
import { admin, polledEverywhere, SERVICE, teamHarness } from "../support/team.js";

const dep = (alias: string, name: string) =>
  `/config/models/${encodeURIComponent(alias)}/deployments/${encodeURIComponent(name)}`;

describe.each(ENGINES)("deployments of an alias at runtime ($engine)", ({ fresh }) => {
  let where: TestLocation;
  let down: TcpProxy;
  let held: Awaited<ReturnType<typeof heldUpstream>>;
  let hs: Harness[] = [];

  beforeAll(async () => {
    where = await fresh();
    hs = [];
    // A proxy to nothing that matters: cut, it accepts no connection.
    down = await tcpProxy("127.0.0.1", 9);
    down.cut();
    held = await heldUpstream();
    for (let i = 0; i < 3; i++)
      hs.push(
        await teamHarness(where, {
          providers: {
            down: { type: "openai", base_url: `http://127.0.0.1:${down.port}/v1`, api_key: "dn", api: "chat" },
            held: { type: "openai", base_url: `${held.url}/v1`, api_key: "hd", api: "chat" },
          },
          models: {
            "team-pool": {
              deployments: [{ provider: "down", model: "gpt-4.1", name: "down" }],
              routing: { retries: 2 },
            },
          },
        }),
      );
  }, 60_000);

  afterAll(async () => {
    for (const h of hs) await h.close();
    await down?.close();
    await held?.close();
    await where?.drop();
  });

  const ask = (h: Harness, model: string, stream = false) =>
    fetch(`${h.url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${SERVICE}`, "content-type": "application/json" },
      body: JSON.stringify({ model, stream, messages: [{ role: "user", content: "hi" }] }),
    });
  /** The status and the deployment that served (the first word of llmux-route). */
  const served = async (h: Harness, model: string) => {
    const res = await ask(h, model);
    await res.arrayBuffer();
    return `${res.status} ${(res.headers.get("llmux-route") ?? "").split(/[ ;]/)[0]}`;
  };

  it("a deployment added through the API serves on all three instances from their next poll", async () => {
    const [a] = hs as [Harness];
    for (const h of hs) expect(await served(h, "team-pool")).not.toMatch(/^200/);
    const put = await admin(a, "PUT", dep("team-pool", "live"), { provider: "openai-chat", model: "gpt-4.1" });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    expect(put.body).toMatchObject({
      alias: "team-pool",
      name: "live",
      provider: "openai-chat",
      model: "gpt-4.1",
      added: true,
      settings: { provider: "openai-chat", model: "gpt-4.1", name: "live" },
    });
    // llmux.yaml's alias is now stored over it: the file's deployment with the new one, and the answer says so.
    expect(put.body.note).toContain("llmux.yaml");
    expect((await served(a, "team-pool")).startsWith("200 live")).toBe(true);
    // Every instance from its next poll of the stored configuration (every 0.5 s).
    await polledEverywhere(hs, "config");
    for (const h of hs) expect(await served(h, "team-pool")).toBe("200 live");
    const list = await admin(a, "GET", "/config/models/team-pool/deployments");
    expect(list.body).toMatchObject({ alias: "team-pool", source: "stored", overrides_file: true });
    expect(list.body.data.map((d: { name: string }) => d.name)).toEqual(["down", "live"]);
    const history = await admin(a, "GET", "/config/history?limit=1");
    expect(history.body.data[0]).toMatchObject({
      version: put.body.version,
      what: "put deployment live of models team-pool",
      changes: [{ kind: "models", name: "team-pool", removed: false }],
    });
    const audit = await admin(a, "GET", "/audit?action=config.deployments.put&limit=1");
    expect(audit.body.rows[0]).toMatchObject({ target_id: "team-pool", target_name: "live", outcome: "ok" });
    // Replaced by its name: the same place in the list, on every instance.
    const again = await admin(a, "PUT", dep("team-pool", "live"), { provider: "anthropic", model: "claude-x" });
    expect(again.body).toMatchObject({ added: false, provider: "anthropic" });
    expect((await admin(a, "GET", "/config/models/team-pool")).body.settings.deployments).toEqual([
      { provider: "down", model: "gpt-4.1", name: "down", weight: 1 },
      { provider: "anthropic", model: "claude-x", name: "live" },
    ]);
  });

  it("a bad deployment is refused with the field named by the deployment's name, and nothing applied", async () => {
    const [a] = hs as [Harness];
    const before = await admin(a, "GET", "/config");
    const ghost = await admin(a, "PUT", dep("team-pool", "ghosty"), { provider: "nowhere", model: "m" });
    expect(ghost.status).toBe(400);
    expect(ghost.body.error.field).toBe("models.team-pool.deployments.ghosty.provider");
    expect(ghost.body.error.message).toContain(
      "models.team-pool.deployments.ghosty.provider: no provider named 'nowhere'",
    );
    const weight = await admin(a, "PUT", dep("team-pool", "heavy"), { provider: "openai-chat", weight: -1 });
    expect(weight.status).toBe(400);
    expect(weight.body.error.field).toBe("models.team-pool.deployments.heavy.weight");
    const unknown = await admin(a, "PUT", dep("team-pool", "odd"), { provider: "openai-chat", wieght: 2 });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.message).toContain("models.team-pool.deployments.odd");
    const renamed = await admin(a, "PUT", dep("team-pool", "x"), { provider: "openai-chat", name: "y" });
    expect(renamed.body.error.field).toBe("name");
    expect((await admin(a, "PUT", dep("no-such-alias", "x"), { provider: "openai-chat" })).status).toBe(404);
    expect((await admin(a, "DELETE", dep("team-pool", "nope"))).status).toBe(404);
    expect((await admin(a, "GET", dep("team-pool", "nope"))).status).toBe(404);
    expect((await admin(a, "GET", "/config")).body).toEqual(before.body);
    // Refusals are audited too (the field named), nothing of them written.
    const refused = await admin(a, "GET", "/audit?action=config.deployments.put&limit=10");
    expect(refused.body.rows.some((r: { outcome: string }) => r.outcome !== "ok")).toBe(true);

    // An alias of the provider + model form: its one deployment is named provider/model; changed, it is a list.
    const single = "gemini/gemini-2.5-pro";
    const listed = await admin(a, "GET", "/config/models/via-gemini/deployments");
    expect(listed.body.data.map((d: { name: string }) => d.name)).toEqual([single]);
    const heavier = await admin(a, "PUT", dep("via-gemini", single), {
      provider: "gemini",
      model: "gemini-2.5-pro",
      weight: 2,
    });
    expect(heavier.status, JSON.stringify(heavier.body)).toBe(200);
    expect(heavier.body).toMatchObject({ name: single, added: false });
    const now = (await admin(a, "GET", "/config/models/via-gemini")).body.settings;
    expect(now.provider).toBeUndefined();
    expect(now.deployments).toEqual([{ provider: "gemini", model: "gemini-2.5-pro", weight: 2 }]);
    const last = await admin(a, "DELETE", dep("via-gemini", single));
    expect(last.status).toBe(409);
    expect(last.body.error.field).toBe("models.via-gemini.deployments");
    expect((await admin(a, "DELETE", "/config/models/via-gemini")).body).toMatchObject({ restored: true });
    // Removed, the stored alias is the file's again, and its deployments can be changed again.
    expect((await admin(a, "PUT", dep("via-gemini", "more"), { provider: "anthropic", model: "c" })).status).toBe(200);
    expect((await admin(a, "DELETE", "/config/models/via-gemini")).status).toBe(200);
  });

  it("deployments put at the same time on three instances are all kept: no change is lost to another", async () => {
    const [a] = hs as [Harness];
    const made = await admin(a, "PUT", "/config/models/crowd", {
      deployments: [{ provider: "openai-chat", model: "m0", name: "d0" }],
    });
    expect(made.status).toBe(200);
    const names = ["d1", "d2", "d3", "d4", "d5", "d6"];
    const puts = await Promise.all(
      names.map((n, i) => admin(hs[i % 3]!, "PUT", dep("crowd", n), { provider: "openai-chat", model: n })),
    );
    for (const r of puts) expect(r.status, JSON.stringify(r.body)).toBe(200);
    const listed = await admin(a, "GET", "/config/models/crowd/deployments");
    expect(listed.body.data.map((d: { name: string }) => d.name).sort()).toEqual(["d0", ...names]);
    // Each wrote a version of its own.
    expect(new Set(puts.map((r) => r.body.version)).size).toBe(names.length);
  });

  it("a roll-back restores the earlier deployments exactly", async () => {
    const [a, b] = hs as [Harness, Harness];
    const then = await admin(a, "GET", "/config/models/team-pool/deployments");
    const v = (await admin(a, "GET", "/config")).body.version as number;
    expect((await admin(a, "PUT", dep("team-pool", "third"), { provider: "gemini", model: "g" })).status).toBe(200);
    const gone = await admin(a, "DELETE", dep("team-pool", "live"));
    expect(gone.body).toMatchObject({ alias: "team-pool", name: "live", deleted: true });
    const audit = await admin(a, "GET", "/audit?action=config.deployments.delete&limit=1");
    expect(audit.body.rows[0]).toMatchObject({ target_id: "team-pool", target_name: "live" });
    const back = await admin(a, "POST", "/config/rollback", { version: v });
    expect(back.status, JSON.stringify(back.body)).toBe(200);
    const strip = (x: { version?: number }) => ({ ...x, version: undefined });
    const now = await admin(b, "GET", "/config/models/team-pool/deployments");
    expect(strip(now.body)).toEqual(strip(then.body));
    await polledEverywhere([b], "config");
    expect(await served(b, "team-pool")).toBe("200 live");
  });

  it("a deployment removed mid-stream lets the stream finish on what it started with", async () => {
    const [a] = hs as [Harness];
    const made = await admin(a, "PUT", "/config/models/streamer", {
      deployments: [{ provider: "held", model: "gpt-4.1", name: "one" }],
    });
    expect(made.status).toBe(200);
    const res = await ask(a, "streamer", true);
    expect(res.status).toBe(200);
    expect(res.headers.get("llmux-route")).toMatch(/^one\b/);
    const reader = res.body!.getReader();
    let text = "";
    while (!text.includes("first ")) {
      const r = await reader.read();
      expect(r.done).toBe(false);
      text += new TextDecoder().decode(r.value);
    }
    // The upstream holds the rest of its answer until the deployment is gone.
    expect((await admin(a, "PUT", dep("streamer", "two"), { provider: "anthropic", model: "claude-x" })).status).toBe(
      200,
    );
    const removed = await admin(a, "DELETE", dep("streamer", "one"));
    expect(removed.status, JSON.stringify(removed.body)).toBe(200);
    expect(removed.body.note).toBeNull();
    expect(await served(a, "streamer")).toBe("200 two");
    held.release();
    text = await readRest(reader, text);
    expect(text).toContain("[DONE]");
    const said = chatSseText(text);
    expect(said).toBe("first second third");
  });
});

/** A chat/completions upstream that streams its first words, then waits for `release()` before the rest. */
async function heldUpstream(): Promise<{ url: string; release(): void; close(): Promise<void> }> {
  let release = () => {};
  const released = new Promise<void>((r) => {
    release = r;
  });
  const chunk = (delta: object, finish: string | null = null, usage?: object) =>
    `data: ${JSON.stringify({ id: "c1", object: "chat.completion.chunk", created: 1, model: "gpt-4.1", choices: [{ index: 0, delta, finish_reason: finish }], ...(usage ? { usage } : {}) })}\n\n`;
  const server: Server = createServer((req, res) => {
    req.resume();
    res.writeHead(200, { "content-type": "text/event-stream" });
    res.write(chunk({ role: "assistant", content: "first " }));
    void released.then(() => {
      res.write(chunk({ content: "second " }));
      res.write(chunk({ content: "third" }));
      res.write(chunk({}, "stop", { prompt_tokens: 3, completion_tokens: 3, total_tokens: 6 }));
      res.end("data: [DONE]\n\n");
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    release,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
